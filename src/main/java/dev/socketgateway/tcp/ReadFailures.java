package dev.socketgateway.tcp;

import java.io.IOException;
import java.nio.ByteBuffer;

import dev.socketgateway.listener.ListenerMetrics;
import dev.socketgateway.listener.ThrottledWarnings;
import dev.socketgateway.tcp.framing.FramingException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reports why answering a read failed, for the connections of one listener, and has the connection do what
 * comes next, as Netty's {@code exceptionCaught} does for a channel. Bad input (a framing error, or
 * anything else the flow threw) is counted by its reason and logged in one throttled WARN, and only that
 * connection closes, after the replies to its earlier, valid messages. A reply that could not be written
 * has closed the connection already, and a read the client reset closes it at once. TLS and PROXY header failures
 * are reported where they happen, in {@link TlsLayer} and {@link ProxyPhase}.
 */
final class ReadFailures {

	private static final Logger logger = LoggerFactory.getLogger(GatewayConnection.class);

	/** What the connection does next, and the reason the session log gives. */
	private enum Outcome {

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
	 * Bad input or a failed reply on a connection, called with its read lock held: reported, then this connection
	 * alone is closed, after the replies to its earlier, valid messages are written.
	 */
	void fail(GatewayConnection connection, RuntimeException ex) {
		Outcome outcome = report(ex, connection.peer());
		connection.closing(outcome.reason()); // before the notice, whose write may fail
		if (outcome == Outcome.CLOSED) {
			connection.close();
		}
		else if (outcome != Outcome.TOO_LARGE || sendTooLargeReply(connection)) {
			connection.closeAfterReplies(outcome.reason());
		}
	}

	/** @return false if the connection closed while the client was told its frame was too large */
	private static boolean sendTooLargeReply(GatewayConnection connection) {
		ByteBuffer notice = connection.codec().tooLargeReply();
		try {
			if (notice != null) {
				connection.sendUnsolicited(notice);
			}
			return true;
		}
		catch (WriteFailedException gone) {
			return false;
		}
	}

	/** Reading the socket failed: the client reset the connection, or went away. The connection closes at once. */
	void reset(GatewayConnection connection, IOException ex) {
		logger.debug("Listener '{}' peer {}: read failed, closing: {}", this.listener, connection.peer(),
				ex.toString());
		this.metrics.error("reset");
		connection.close(CloseReason.RESET);
	}

	/**
	 * Counts and logs a failure; the flow may have wrapped it, so its causes are searched.
	 * @param peer the client, for the log line
	 */
	private Outcome report(RuntimeException ex, String peer) {
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
