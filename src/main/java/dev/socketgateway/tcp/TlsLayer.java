package dev.socketgateway.tcp;

import java.nio.ByteBuffer;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

import javax.net.ssl.SSLException;

import dev.socketgateway.tcp.framing.FrameCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TLS layer of a connection on a TLS listener, between its socket and its frame codec, as Spring
 * Integration keeps TLS in {@code TcpNioSSLConnection}. Records read are unwrapped by a {@link TlsSession}
 * and their plaintext decoded; replies are wrapped into records and written or queued in the connection's
 * {@link OutboundBuffer}, under its lock, so that records reach the socket in the order the engine made
 * them; a closing connection sends close_notify. A failed handshake or a bad record is counted and logged
 * here.
 */
final class TlsLayer implements TlsSession.Link {

	private static final Logger logger = LoggerFactory.getLogger(TlsLayer.class);

	private final TcpListenerContext listener;

	private final ConnectionStats stats;

	private final OutboundBuffer outbound;

	private final FrameCodec codec;

	private final Consumer<byte[]> frames;

	private final Runnable established;

	private final TlsSession session;

	/** Set when the session failed rather than ended with close_notify; guarded by the read lock. */
	private boolean failed;

	/**
	 * @param frames where the codec hands each frame
	 * @param established runs once the handshake completes
	 */
	TlsLayer(TcpListenerContext listener, ConnectionStats stats, OutboundBuffer outbound, FrameCodec codec,
			Consumer<byte[]> frames, Runnable established) {
		this.listener = listener;
		this.stats = stats;
		this.outbound = outbound;
		this.codec = codec;
		this.frames = frames;
		this.established = established;
		this.session = new TlsSession(listener.tls().newEngine(), outbound.lock(), this);
	}

	/**
	 * Unwraps records read and decodes their plaintext; called with the read lock held.
	 * @return false once the session has ended: the client sent close_notify, or TLS failed (see
	 * {@link #failed()}); the connection is then to close after its replies
	 */
	boolean read(ByteBuffer records) {
		try {
			return this.session.receive(records);
		}
		catch (SSLException ex) {
			this.failed = true;
			boolean established = this.session.established();
			this.listener.metrics().error(established ? "malformed" : "tls-handshake");
			this.listener.warnings().warn("Listener '{}' peer {}: {}: {}; closing connection", this.listener.name(),
					this.stats.peer(), established ? "TLS error" : "TLS handshake failed", ex.getMessage());
			return false;
		}
	}

	/** Whether the handshake has completed, so that application data can be sent. */
	boolean handshakeDone() {
		return this.session.established();
	}

	/** Whether the session ended in a TLS failure rather than with the client's close_notify. */
	boolean failed() {
		return this.failed;
	}

	/** The client closed its socket; a missing close_notify only means nothing more is coming. */
	void inputEnded() {
		this.session.inputEnded();
	}

	/**
	 * Wraps framed plaintext into records, and writes or queues them.
	 * @return the record bytes put on the wire (or queued for it)
	 * @throws WriteFailedException if wrapping or writing failed; the connection has then been closed
	 */
	int write(ByteBuffer plaintext) {
		ReentrantLock lock = this.outbound.lock();
		lock.lock();
		try {
			ByteBuffer records = this.session.wrap(plaintext);
			int length = records.remaining();
			this.outbound.write(records, true);
			return length;
		}
		catch (SSLException ex) {
			logger.debug("Listener '{}' peer {}: TLS wrap failed: {}", this.listener.name(), this.stats.peer(),
					ex.toString());
			throw this.outbound.fail(ex, true);
		}
		finally {
			lock.unlock();
		}
	}

	/** Best effort, with the write lock held: close_notify, or the alert of a failed handshake. */
	void closeNotify() {
		try {
			ByteBuffer records = this.session.close();
			if (records.hasRemaining()) {
				this.listener.metrics().sentUnsolicited(records.remaining());
				this.outbound.write(records, false);
			}
		}
		catch (SSLException | WriteFailedException ex) {
			logger.debug("Listener '{}' peer {}: close_notify not sent: {}", this.listener.name(), this.stats.peer(),
					ex.toString());
		}
	}

	@Override
	public void send(ByteBuffer records) {
		this.listener.metrics().sentUnsolicited(records.remaining());
		this.outbound.write(records, true);
	}

	@Override
	public void received(ByteBuffer plaintext) {
		this.codec.decode(plaintext, this.frames);
	}

	@Override
	public void established() {
		this.established.run();
	}

}
