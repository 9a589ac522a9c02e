package dev.socketgateway.tcp;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.time.Duration;

import dev.socketgateway.config.ListenerProperties;
import dev.socketgateway.config.ProxyProtocol;
import dev.socketgateway.listener.ListenerMetrics;
import dev.socketgateway.listener.ThrottledWarnings;
import dev.socketgateway.security.AllowList;
import dev.socketgateway.tcp.framing.FrameCodec;
import dev.socketgateway.tcp.framing.FrameCodecs;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.LoggerFactory;

import org.springframework.boot.ssl.SslBundle;
import org.springframework.scheduling.TaskScheduler;

/**
 * What every connection of one TCP listener shares, built once when the listener starts so that nothing
 * is looked up per message: its settings, meters and throttled warnings, the allow lists, the banner and
 * busy message in the listener's charset, its {@link ConnectionRegistry}, its {@link TlsEngines} on a TLS
 * listener, its {@link ClientLimits} when it has per-client limits, and its {@link WriteFlusher}.
 */
final class TcpListenerContext {

	/** Largest single read; a stream-framed message is at most this long. */
	static final int READ_BUFFER_BYTES = 64 * 1024;

	/** One read buffer per event loop rather than per connection: 10,000 idle clients cost no buffers. */
	private static final ThreadLocal<ByteBuffer> READ_BUFFER =
			ThreadLocal.withInitial(() -> ByteBuffer.allocate(READ_BUFFER_BYTES));

	/**
	 * One buffer per event loop that replies are framed into and written from, so that a reply costs no buffer of
	 * its own; direct, so the socket writes it without the JDK's copy into a temporary direct buffer. A reply that
	 * does not fit is framed into a buffer of its own instead.
	 */
	private static final ThreadLocal<ByteBuffer> WRITE_BUFFER =
			ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(READ_BUFFER_BYTES));

	private final String name;

	private final ListenerProperties settings;

	private final FrameCodecs codecs;

	private final WriteFlusher flusher;

	private final ConnectionRegistry connections;

	private final AllowList allowList;

	/** Peers that may send a PROXY header. */
	private final AllowList proxyTrusted;

	private final byte[] banner;

	private final byte[] busyMessage;

	private final byte[] drainMessage;

	private final ListenerMetrics metrics;

	/** Null on a plain listener. */
	private final TlsEngines tls;

	private final ThrottledWarnings warnings =
			new ThrottledWarnings(LoggerFactory.getLogger(GatewayConnection.class), Duration.ofSeconds(1));

	private final ReadFailures failures;

	/** Null with session-log off. */
	private final SessionLog sessionLog;

	/** Null without per-client limits. */
	private final ClientLimits clientLimits;

	/**
	 * @param ssl the listener's SSL bundle, or null for plain TCP
	 * @param sessionLog the listener's session log, or null with session-log off
	 * @param scheduler runs the resumes of connections that client-message-rate paused
	 * @throws IllegalStateException naming the bundle key if the bundle's key material cannot be used
	 */
	TcpListenerContext(String name, ListenerProperties settings, SslBundle ssl, WriteFlusher flusher,
			MeterRegistry registry, SessionLog sessionLog, TaskScheduler scheduler) {
		this.name = name;
		this.sessionLog = sessionLog;
		this.connections = new ConnectionRegistry(settings.getMaxConnections());
		this.metrics = new ListenerMetrics(registry, name, "tcp", this.connections::size);
		this.failures = new ReadFailures(name, this.metrics, this.warnings);
		this.settings = settings;
		this.codecs = FrameCodecs.forListener(settings);
		this.flusher = flusher;
		this.allowList = AllowList.of(settings.getAllowedCidrs());
		this.proxyTrusted = AllowList.of(settings.getProxyTrustedCidrs());
		if (settings.getProxyProtocol() != ProxyProtocol.OFF && this.proxyTrusted.allowsEveryone()) {
			LoggerFactory.getLogger(TcpGatewayListener.class)
				.warn("Listener '{}': proxy-protocol is {} and proxy-trusted-cidrs is empty, so any client may claim "
						+ "any address; set it to your load balancers' addresses", name, settings.getProxyProtocol());
		}
		this.banner = encode(settings.getBanner());
		this.busyMessage = encode(settings.getBusyMessage());
		this.drainMessage = encode(settings.getDrainMessage());
		this.tls = (ssl != null) ? new TlsEngines(name, settings.getSsl(), ssl) : null;
		this.clientLimits = ClientLimits.of(name, settings, this.metrics, scheduler);
	}

	private byte[] encode(String text) {
		return (text != null) ? text.getBytes(this.settings.getCharset()) : null;
	}

	String name() {
		return this.name;
	}

	ListenerProperties settings() {
		return this.settings;
	}

	WriteFlusher flusher() {
		return this.flusher;
	}

	ListenerMetrics metrics() {
		return this.metrics;
	}

	ThrottledWarnings warnings() {
		return this.warnings;
	}

	ReadFailures failures() {
		return this.failures;
	}

	/** @return the session log, or null with session-log off */
	SessionLog sessionLog() {
		return this.sessionLog;
	}

	ConnectionRegistry connections() {
		return this.connections;
	}

	/** @return the per-client limits, or null when the listener has none */
	ClientLimits clientLimits() {
		return this.clientLimits;
	}

	AllowList allowList() {
		return this.allowList;
	}

	/** Whether this peer may send a PROXY header. */
	boolean proxyTrusted(InetAddress peer) {
		return this.proxyTrusted.allows(peer);
	}

	/** @return the banner bytes in the listener's charset, or null when there is none */
	byte[] banner() {
		return this.banner;
	}

	/** @return the busy-message bytes in the listener's charset, or null when there is none */
	byte[] busyMessage() {
		return this.busyMessage;
	}

	/** @return the drain-message bytes in the listener's charset, or null when there is none */
	byte[] drainMessage() {
		return this.drainMessage;
	}

	/** Whether a frame is the quit command, ignoring case and surrounding white space. */
	boolean isQuit(byte[] frame) {
		String quit = this.settings.getQuitCommand();
		if (quit == null || frame.length > 4 * quit.length() + 2) {
			return false; // too long to be it in any charset: no decoding per message
		}
		return new String(frame, this.settings.getCharset()).strip().equalsIgnoreCase(quit);
	}

	/** @return the engines of a TLS listener, or null on a plain one */
	TlsEngines tls() {
		return this.tls;
	}

	FrameCodec newCodec() {
		return this.codecs.newCodec();
	}

	/** The calling thread's read buffer, emptied. */
	ByteBuffer readBuffer() {
		return READ_BUFFER.get().clear();
	}

	/** The calling thread's write buffer, emptied; what the socket does not take of it is copied to be queued. */
	ByteBuffer writeBuffer() {
		return WRITE_BUFFER.get().clear();
	}

}
