package dev.socketgateway.tcp;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSession;

import dev.socketgateway.tcp.framing.FrameCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TLS layer of a connection on a TLS listener, between its socket and its frame codec, as Spring
 * Integration keeps TLS in {@code TcpNioSSLConnection}. Records read are unwrapped by a {@link TlsSession}
 * and their plaintext decoded; replies are wrapped into records and written or queued in the connection's
 * {@link OutboundBuffer}, under its lock, so that records reach the socket in the order the engine made
 * them; a closing connection sends close_notify. A failed handshake, one not completed in time, or a bad
 * record is counted and logged here.
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

	private final ReentrantLock readLock;

	/** Set when the session failed rather than ended with close_notify; guarded by the read lock. */
	private CloseReason failure;

	/** The completed handshake, kept for the session log only when it is on. */
	private volatile SSLSession handshake;

	/** Set once nothing more is read: the session failed or ended, or the client closed; guarded by the read lock. */
	private boolean ended;

	/**
	 * @param readLock the connection's read lock
	 * @param frames where the codec hands each frame
	 * @param established runs once the handshake completes
	 */
	TlsLayer(TcpListenerContext listener, ConnectionStats stats, ReentrantLock readLock, OutboundBuffer outbound,
			FrameCodec codec, Consumer<byte[]> frames, Runnable established) {
		this.listener = listener;
		this.stats = stats;
		this.readLock = readLock;
		this.outbound = outbound;
		this.codec = codec;
		this.frames = frames;
		this.established = established;
		this.session = new TlsSession(listener.tls().newEngine(), outbound.lock(), this);
	}

	/**
	 * Unwraps records read and decodes their plaintext; called with the read lock held.
	 * @return false once the session has ended: the client sent close_notify, or TLS failed (see
	 * {@link #failure()}); the connection is then to close after its replies
	 */
	boolean read(ByteBuffer records) {
		try {
			this.ended = !this.session.receive(records);
			return !this.ended;
		}
		catch (SSLException ex) {
			this.ended = true;
			boolean established = this.session.established();
			this.failure = established ? CloseReason.MALFORMED : CloseReason.TLS_HANDSHAKE;
			this.listener.metrics().error(this.failure.toString());
			this.listener.warnings().warn("Listener '{}' peer {}: {}: {}; closing connection", this.listener.name(),
					this.stats.peer(), established ? "TLS error" : "TLS handshake failed", ex.getMessage());
			return false;
		}
	}

	/** Why the session failed (tls-handshake, or malformed after the handshake); null if it did not. */
	CloseReason failure() {
		return this.failure;
	}

	/** The engine's session, for the adapters' view of the connection; its handshake may still be under way. */
	SSLSession sslSession() {
		return this.session.sslSession();
	}

	/** The session of the completed handshake when the session log is on; null otherwise, or before it completed. */
	SSLSession handshake() {
		return this.handshake;
	}

	/** Whether the handshake has completed, so that application data can be sent. */
	boolean handshakeDone() {
		return this.session.established();
	}

	/** The client closed its socket; a missing close_notify only means nothing more is coming. */
	void inputEnded() {
		this.ended = true;
		this.session.inputEnded();
	}

	/**
	 * Called by the reaper: a connection whose handshake has not completed within ssl.handshake-timeout of its
	 * accept (a client that says nothing, or stops halfway) is counted and logged, to be closed. A connection
	 * already ending is left to its close. Costs nothing per message: only the reaper's scan looks.
	 * @return true if the connection is to close
	 */
	boolean handshakeOverdue(long now) {
		Duration timeout = this.listener.settings().getSsl().getHandshakeTimeout();
		if (this.session.established() || now - this.stats.openedAt() < timeout.toMillis()
				|| !this.readLock.tryLock()) {
			return false; // a reader holding the lock gets it next round
		}
		try {
			if (this.ended || this.session.established()) {
				return false;
			}
			this.ended = true;
			this.listener.metrics().error("tls-handshake");
			this.listener.warnings().warn("Listener '{}' peer {}: TLS handshake not completed within {}; closing "
					+ "connection", this.listener.name(), this.stats.peer(), describe(timeout));
			return true;
		}
		finally {
			this.readLock.unlock();
		}
	}

	/** 10s, or 1500ms: as the key is written. */
	private static String describe(Duration timeout) {
		long millis = timeout.toMillis();
		return (millis % 1000 == 0) ? (millis / 1000) + "s" : millis + "ms";
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
		if (this.listener.sessionLog() != null) {
			this.handshake = this.session.sslSession();
		}
		this.established.run();
	}

}
