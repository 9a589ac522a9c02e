package dev.socketgateway.tcp;

import java.security.Principal;

import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * The session log of a TCP listener with session-log on: one INFO line on the logger
 * {@value #LOGGER} per finished connection, refused ones included, as nginx's stream access log and HAProxy's
 * TCP log give. The fields are SLF4J key-value pairs, so that Spring Boot's structured console formats (ecs,
 * logstash, gelf) write them as JSON fields; Boot's plain console pattern prints only the message, so there the
 * message itself is the same fields as {@code key=value}.
 *
 * <p>Written once per connection, on the thread that closes it; nothing here runs per message.
 */
final class SessionLog {

	/** The logger's name, for operators to route or switch off ({@code logging.level.dev.socketgateway.session}). */
	static final String LOGGER = "dev.socketgateway.session";

	/** The message of a structured line, whose fields are all in the JSON. */
	static final String STRUCTURED_MESSAGE = "session closed";

	private static final Logger logger = LoggerFactory.getLogger(LOGGER);

	private final String listener;

	private final boolean plainText;

	/**
	 * @param plainText whether the message is to spell the fields out as {@code key=value}: true unless the
	 * console log is structured
	 */
	SessionLog(String listener, boolean plainText) {
		this.listener = listener;
		this.plainText = plainText;
	}

	/**
	 * Logs a connection that has closed; a second call for the same connection logs nothing.
	 * @param tls the session of a completed TLS handshake, or null
	 */
	void closed(ConnectionStats stats, SSLSession tls) {
		if (!stats.end() || !logger.isInfoEnabled()) {
			return;
		}
		Line line = new Line(logger.atInfo(), this.plainText ? new StringBuilder(256) : null);
		line.add("listener", this.listener);
		line.add("connection", stats.id());
		line.add("remoteAddress", stats.clientAddress().getHostAddress());
		line.add("remotePort", stats.clientPort());
		line.add("proxiedBy", stats.proxiedBy());
		if (tls != null) {
			line.add("tlsProtocol", tls.getProtocol());
			line.add("tlsCipher", tls.getCipherSuite());
			line.add("tlsClientSubject", clientSubject(tls));
		}
		line.add("durationMs", stats.durationMillis());
		line.add("bytesReceived", stats.bytesReceived());
		line.add("bytesSent", stats.bytesSent());
		line.add("messagesReceived", stats.messagesReceived());
		line.add("messagesSent", stats.messagesSent());
		line.add("reason", stats.closeReason().toString());
		line.log();
	}

	private static String clientSubject(SSLSession tls) {
		try {
			Principal client = tls.getPeerPrincipal();
			return (client != null) ? client.getName() : null;
		}
		catch (SSLPeerUnverifiedException ex) {
			return null; // the client sent no certificate
		}
	}

	/** One line being built: the key-value pairs, and the plain-text message when there is to be one. */
	private static final class Line {

		private final LoggingEventBuilder event;

		private final StringBuilder text;

		Line(LoggingEventBuilder event, StringBuilder text) {
			this.event = event;
			this.text = text;
		}

		/** Adds a field; a null value is left out. */
		void add(String key, Object value) {
			if (value == null) {
				return;
			}
			this.event.addKeyValue(key, value);
			if (this.text != null) {
				if (!this.text.isEmpty()) {
					this.text.append(' ');
				}
				this.text.append(key).append('=');
				appendValue(value.toString());
			}
		}

		/** Quotes a value with spaces, quotes or equals signs (a certificate subject), as logfmt does. */
		private void appendValue(String value) {
			if (!needsQuotes(value)) {
				this.text.append(value);
				return;
			}
			this.text.append('"');
			for (int i = 0; i < value.length(); i++) {
				char c = value.charAt(i);
				if (c == '"' || c == '\\') {
					this.text.append('\\');
				}
				this.text.append(c);
			}
			this.text.append('"');
		}

		private static boolean needsQuotes(String value) {
			for (int i = 0; i < value.length(); i++) {
				char c = value.charAt(i);
				if (c <= ' ' || c == '"' || c == '=') {
					return true;
				}
			}
			return value.isEmpty();
		}

		void log() {
			this.event.setMessage((this.text != null) ? this.text.toString() : STRUCTURED_MESSAGE).log();
		}

	}

}
