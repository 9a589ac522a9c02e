package dev.socketgateway.tcp;

import dev.socketgateway.listener.ListenerMetrics;
import dev.socketgateway.listener.ThrottledWarnings;
import dev.socketgateway.tcp.framing.FramingException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reports why answering a read failed, for the connections of one listener, and says what the connection
 * does next, as Netty's {@code exceptionCaught} does for a channel. Bad input (a framing error, or
 * anything else the flow threw) is counted by its reason and logged in one throttled WARN, and only that
 * connection closes, after the replies to its earlier, valid messages. A reply that could not be written
 * has closed the connection already. TLS and PROXY header failures are reported where they happen, in
 * {@link TlsLayer} and {@link ProxyPhase}.
 */
final class ReadFailures {

	private static final Logger logger = LoggerFactory.getLogger(GatewayConnection.class);

	/** What the connection does next, and the reason the session log gives. */
	enum Outcome {

		/** A reply could not be written: the connection is closed already. */
		CLOSED(CloseReason.WRITE_FAILED),

		/** Bad input: close after the replies to the earlier, valid messages. */
		CLOSE_AFTER_REPLIES(CloseReason.MALFORMED),

		/** A frame was too large: tell the client where the framing has words for it, then close after the replies. */
		TOO_LARGE(CloseReason.FRAME_TOO_LARGE);

		private final CloseReason reason;

		Outcome(CloseReason reason) {
			this.reason = reason;
		}

		CloseReason reason() {
			return this.reason;
		}

	}

	private final String listener;

	private final ListenerMetrics metrics;

	private final ThrottledWarnings warnings;

	ReadFailures(String listener, ListenerMetrics metrics, ThrottledWarnings warnings) {
		this.listener = listener;
		this.metrics = metrics;
		this.warnings = warnings;
	}

	/**
	 * Counts and logs a failure; the flow may have wrapped it, so its causes are searched.
	 * @param peer the client, for the log line
	 */
	Outcome report(RuntimeException ex, String peer) {
		if (find(ex, WriteFailedException.class) != null) {
			logger.debug("Listener '{}' peer {}: reply not written: {}", this.listener, peer, ex.toString());
			return Outcome.CLOSED;
		}
		FramingException framing = find(ex, FramingException.class);
		if (framing == null) {
			this.metrics.error("malformed");
			this.warnings.warn("Listener '{}' peer {}: closing connection: {}", this.listener, peer, ex.toString());
			return Outcome.CLOSE_AFTER_REPLIES;
		}
		this.metrics.error(framing.reason());
		this.warnings.warn("Listener '{}' peer {}: {}, closing connection", this.listener, peer, framing.getMessage());
		return framing.isTooLarge() ? Outcome.TOO_LARGE : Outcome.CLOSE_AFTER_REPLIES;
	}

	private static <T extends Throwable> T find(Throwable ex, Class<T> type) {
		for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
			if (type.isInstance(cause)) {
				return type.cast(cause);
			}
		}
		return null;
	}

}
