package dev.socketgateway.tcp;

import java.nio.ByteBuffer;
import java.util.concurrent.locks.ReentrantLock;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSession;

/**
 * The TLS side of one connection: a server-mode {@link SSLEngine} driven without blocking. Bytes read from
 * the socket are unwrapped and the plaintext handed on; replies are wrapped into records for the
 * connection's ordinary write path. The handshake is driven by the same calls, and its delegated tasks run
 * inline because they only compute.
 *
 * <p>Unwrapping happens under the connection's read lock, one reader at a time. Wrapping happens under its
 * write lock, which also covers queueing the records, so that they reach the socket in the order the
 * engine made them. The plaintext and record buffers are per thread, like the connection's read buffer;
 * a connection holds a buffer of its own only while a record has arrived in part.
 */
final class TlsSession {

	/** What the session needs from its connection. */
	interface Link {

		/** Sends records; called with the write lock held. */
		void send(ByteBuffer records);

		/** Hands on plaintext that was read; every byte is consumed. */
		void received(ByteBuffer plaintext);

		/** The handshake completed; called once, on the reading thread, outside any wrap. */
		void established();

	}

	private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

	/** Plaintext of one record. */
	private static final ThreadLocal<ByteBuffer> PLAINTEXT = new ThreadLocal<>();

	/** Records of one wrap, copied out before the next. */
	private static final ThreadLocal<ByteBuffer> RECORDS = new ThreadLocal<>();

	private final SSLEngine engine;

	private final ReentrantLock writeLock;

	private final Link link;

	/** The start of a record that has arrived in part, readable; null when none. Guarded by the read lock. */
	private ByteBuffer partial;

	/** Set by a wrap or unwrap that finished the handshake; the reading thread then tells the link. */
	private volatile boolean finished;

	private volatile boolean established;

	TlsSession(SSLEngine engine, ReentrantLock writeLock, Link link) {
		this.engine = engine;
		this.writeLock = writeLock;
		this.link = link;
	}

	boolean established() {
		return this.established;
	}

	/** The engine's session: protocol, cipher suite and the client's certificate once the handshake is done. */
	SSLSession sslSession() {
		return this.engine.getSession();
	}

	/**
	 * Unwraps what was read, sending the handshake records the engine asks for.
	 * @return false once the client has sent close_notify; its later bytes are ignored
	 * @throws SSLException on a failed handshake or a bad record
	 */
	boolean receive(ByteBuffer read) throws SSLException {
		while (true) {
			HandshakeStatus status = this.engine.getHandshakeStatus();
			if (status == HandshakeStatus.NEED_TASK) {
				runTasks();
				continue;
			}
			if (status == HandshakeStatus.NEED_WRAP) {
				boolean sent = sendHandshake();
				notifyEstablished();
				if (this.engine.isOutboundDone()) {
					return !this.engine.isInboundDone();
				}
				if (!sent && this.engine.getHandshakeStatus() == HandshakeStatus.NEED_WRAP) {
					throw new SSLException("TLS engine asks to wrap but produces nothing");
				}
				continue;
			}
			ByteBuffer in = input(read);
			if (!in.hasRemaining()) {
				return true;
			}
			ByteBuffer plaintext = plaintextBuffer();
			SSLEngineResult result = this.engine.unwrap(in, plaintext);
			if (result.getHandshakeStatus() == HandshakeStatus.FINISHED) {
				this.finished = true;
			}
			switch (result.getStatus()) {
				case OK -> {
					deliver(plaintext);
					if (in == this.partial && !in.hasRemaining()) {
						this.partial = null;
					}
					if (result.bytesConsumed() == 0 && result.bytesProduced() == 0
							&& this.engine.getHandshakeStatus() != HandshakeStatus.NEED_TASK
							&& this.engine.getHandshakeStatus() != HandshakeStatus.NEED_WRAP) {
						notifyEstablished();
						return true; // no progress: wait for more bytes
					}
				}
				case BUFFER_OVERFLOW -> PLAINTEXT.set(ByteBuffer.allocate(
						Math.max(plaintext.capacity() * 2, this.engine.getSession().getApplicationBufferSize())));
				case BUFFER_UNDERFLOW -> {
					if (!hold(in, read)) {
						notifyEstablished();
						return true;
					}
				}
				case CLOSED -> {
					deliver(plaintext);
					this.partial = null;
					if (this.engine.getHandshakeStatus() == HandshakeStatus.NEED_WRAP) {
						sendHandshake(); // the reply to close_notify (TLS 1.2)
					}
					notifyEstablished();
					return false;
				}
			}
			notifyEstablished();
		}
	}

	/** The held start of a record, topped up from what was read, or else what was read. */
	private ByteBuffer input(ByteBuffer read) {
		ByteBuffer held = this.partial;
		if (held == null) {
			return read;
		}
		if (read.hasRemaining() && held.remaining() < held.capacity()) {
			held.compact();
			int n = Math.min(held.remaining(), read.remaining());
			held.put(read.slice(read.position(), n));
			read.position(read.position() + n);
			held.flip();
		}
		return held;
	}

	/**
	 * Keeps the incomplete record at the end of {@code in}.
	 * @return whether to unwrap again (more bytes were read than the held buffer took)
	 */
	private boolean hold(ByteBuffer in, ByteBuffer read) {
		int packet = this.engine.getSession().getPacketBufferSize();
		if (in == read) {
			this.partial = ByteBuffer.allocate(Math.max(packet, read.remaining())).put(read).flip();
			return false;
		}
		if (this.partial.limit() == this.partial.capacity()) {
			// Full and still not one record: the session now allows larger records.
			ByteBuffer larger = ByteBuffer.allocate(Math.max(packet, this.partial.capacity() * 2));
			this.partial = larger.put(this.partial).flip();
		}
		return read.hasRemaining();
	}

	private void deliver(ByteBuffer plaintext) {
		if (plaintext.position() > 0) {
			this.link.received(plaintext.flip());
		}
	}

	private void notifyEstablished() {
		if (this.finished && !this.established) {
			this.established = true;
			this.link.established();
		}
	}

	/**
	 * Sends the handshake records (or alert, or close_notify) the engine has ready.
	 * @return whether there were any
	 */
	private boolean sendHandshake() throws SSLException {
		this.writeLock.lock();
		try {
			ByteBuffer records = wrap(EMPTY);
			if (records.hasRemaining()) {
				this.link.send(records);
				return true;
			}
			return false;
		}
		finally {
			this.writeLock.unlock();
		}
	}

	/**
	 * Wraps all of {@code plaintext}; the caller holds the write lock and sends the result before releasing it.
	 * @return the records, possibly none
	 * @throws SSLException if the engine fails, or has been closed while plaintext remains
	 */
	ByteBuffer wrap(ByteBuffer plaintext) throws SSLException {
		int packet = this.engine.getSession().getPacketBufferSize();
		ByteBuffer scratch = RECORDS.get();
		if (scratch == null || scratch.capacity() < packet) {
			scratch = ByteBuffer.allocate(packet);
			RECORDS.set(scratch);
		}
		int records = plaintext.remaining() / 16_384 + 1;
		ByteBuffer out = ByteBuffer.allocate(plaintext.remaining() + records * 128);
		while (true) {
			scratch.clear();
			SSLEngineResult result = this.engine.wrap(plaintext, scratch);
			if (result.getHandshakeStatus() == HandshakeStatus.FINISHED) {
				this.finished = true;
			}
			out = append(out, scratch.flip());
			HandshakeStatus status = this.engine.getHandshakeStatus();
			if (status == HandshakeStatus.NEED_TASK) {
				runTasks();
				status = this.engine.getHandshakeStatus();
			}
			if (result.getStatus() == SSLEngineResult.Status.CLOSED) {
				if (plaintext.hasRemaining()) {
					throw new SSLException("TLS session closed with " + plaintext.remaining() + " bytes unsent");
				}
				break;
			}
			if (result.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
				scratch = ByteBuffer.allocate(Math.max(scratch.capacity() * 2, packet));
				RECORDS.set(scratch);
				continue;
			}
			boolean progress = result.bytesConsumed() > 0 || result.bytesProduced() > 0;
			if (status == HandshakeStatus.NEED_WRAP && progress) {
				continue;
			}
			if (!plaintext.hasRemaining()) {
				break;
			}
			if (!progress) {
				throw new SSLException("TLS session is renegotiating; reply of " + plaintext.remaining()
						+ " bytes cannot be sent");
			}
		}
		return out.flip();
	}

	private static ByteBuffer append(ByteBuffer out, ByteBuffer records) {
		if (out.remaining() < records.remaining()) {
			ByteBuffer larger = ByteBuffer.allocate(Math.max(out.capacity() * 2, out.position() + records.remaining()));
			out = larger.put(out.flip());
		}
		return out.put(records);
	}

	/**
	 * Ends the session from this side: the records to send are close_notify, or the alert of a failed
	 * handshake. The caller holds the write lock.
	 */
	ByteBuffer close() throws SSLException {
		this.engine.closeOutbound();
		return wrap(EMPTY);
	}

	/** The client closed its socket; a missing close_notify only means nothing more is coming. */
	void inputEnded() {
		try {
			this.engine.closeInbound();
		}
		catch (SSLException ex) {
			// truncation is harmless: every message is answered as it is framed
		}
	}

	private void runTasks() {
		Runnable task;
		while ((task = this.engine.getDelegatedTask()) != null) {
			task.run();
		}
	}

	private ByteBuffer plaintextBuffer() {
		ByteBuffer buffer = PLAINTEXT.get();
		int size = this.engine.getSession().getApplicationBufferSize();
		if (buffer == null || buffer.capacity() < size) {
			buffer = ByteBuffer.allocate(size);
			PLAINTEXT.set(buffer);
		}
		return buffer.clear();
	}

}
