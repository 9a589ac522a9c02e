package dev.socketgateway.tcp;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.locks.ReentrantLock;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection's write queue, as Netty's {@code ChannelOutboundBuffer} is a channel's. A write goes
 * straight to the socket; what the socket does not take is queued, at most max-pending-write-bytes, and
 * the listener's {@link WriteFlusher} calls {@link #flush()} when the socket drains. Nothing here waits
 * for the client, so the event loop never blocks on one that reads slowly. A connection that is to close
 * does so once its queue is written, or at the close deadline if its client stops reading.
 *
 * <p>Its lock is the connection's write lock: every call here takes it, and TLS holds it from wrapping
 * records until they are written or queued here, so that records reach the socket in the order the engine
 * made them. It is uncontended in the steady state, where the reading thread writes its own replies.
 */
final class OutboundBuffer {

	/** How long a client gets to read its last replies before a closing connection is dropped. */
	static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);

	private static final Logger logger = LoggerFactory.getLogger(OutboundBuffer.class);

	/** What the buffer needs from its connection. */
	interface Owner {

		/** The socket took part of a write: the flusher is to call {@link #flush()} when it can take more. */
		void flushWhenWritable();

		/** Closes the connection; called when the buffer gives up on the client, or has written its last reply. */
		void close();

	}

	private final WritableByteChannel channel;

	private final ReentrantLock lock = new ReentrantLock();

	private final TcpListenerContext listener;

	private final ConnectionStats stats;

	private final Owner owner;

	private final int limit;

	/** Bytes the socket did not take yet, at most {@link #limit} in all; guarded by the lock. */
	private final ArrayDeque<ByteBuffer> pending = new ArrayDeque<>(1); // grows when a reply is queued: most never are

	private int pendingBytes;

	/** Set once the connection is to close as soon as the queue is written; guarded by the lock. */
	private boolean closeWhenFlushed;

	/** When a closing connection is dropped even if the client has not read its replies; 0 if not closing. */
	private volatile long closeDeadline;

	/**
	 * @param channel the connection's socket
	 * @param listener where the limit, the meters and the warnings come from
	 * @param stats counts the bytes written or queued, and names the client in log lines
	 */
	OutboundBuffer(WritableByteChannel channel, TcpListenerContext listener, ConnectionStats stats, Owner owner) {
		this.channel = channel;
		this.listener = listener;
		this.stats = stats;
		this.owner = owner;
		this.limit = listener.settings().getMaxPendingWriteBytes();
	}

	/**
	 * Writes what the socket takes now and queues the rest, behind anything queued before.
	 * @param counted whether a failed write counts as write-failed (not so for a best-effort close_notify)
	 * @throws WriteFailedException if the socket failed or the queue would pass max-pending-write-bytes; the
	 * connection has then been closed
	 */
	void write(ByteBuffer bytes, boolean counted) {
		write(bytes, counted, false);
	}

	/**
	 * Writes what the socket takes now and queues the rest, behind anything queued before.
	 * @param counted whether a failed write counts as write-failed (not so for a best-effort close_notify)
	 * @param reused whether the caller reuses {@code bytes} once this returns, so that what is queued is a copy
	 * @throws WriteFailedException if the socket failed or the queue would pass max-pending-write-bytes; the
	 * connection has then been closed
	 */
	void write(ByteBuffer bytes, boolean counted, boolean reused) {
		this.lock.lock();
		try {
			this.stats.sent(bytes.remaining());
			if (!this.pending.isEmpty()) {
				enqueue(bytes, reused);
				return;
			}
			this.channel.write(bytes);
			if (bytes.hasRemaining()) {
				enqueue(bytes, reused);
				this.owner.flushWhenWritable();
			}
		}
		catch (IOException ex) {
			throw fail(ex, counted);
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Gives up on the connection: a write failed, or TLS could not wrap a reply. Closes the connection.
	 * @param counted whether it counts as write-failed
	 * @return the exception for the caller to throw
	 */
	WriteFailedException fail(IOException cause, boolean counted) {
		if (counted) {
			giveUp();
		}
		else {
			this.owner.close();
		}
		return new WriteFailedException(cause);
	}

	/** Counts write-failed, records it for the session log, and closes the connection. */
	private void giveUp() {
		this.listener.metrics().error("write-failed");
		this.stats.writeFailed();
		this.owner.close();
	}

	/** The connection's write lock, which TLS holds while it wraps and queues records. */
	ReentrantLock lock() {
		return this.lock;
	}

	private void enqueue(ByteBuffer bytes, boolean reused) {
		if (this.pendingBytes + bytes.remaining() > this.limit) {
			this.listener.warnings().warn(
					"Listener '{}' peer {}: client is not reading, {} reply bytes pending; closing",
					this.listener.name(), this.stats.peer(), this.pendingBytes + bytes.remaining());
			giveUp();
			throw new WriteFailedException(new IOException("pending write limit exceeded"));
		}
		this.pendingBytes += bytes.remaining();
		this.pending.add(reused ? ByteBuffer.allocate(bytes.remaining()).put(bytes).flip() : bytes);
	}

	/**
	 * Writes queued bytes, in order, while the socket takes them; called by the flusher thread when the
	 * socket can take more. Closes the connection once the queue is empty if it is to close.
	 * @return true when nothing is left to write
	 */
	boolean flush() {
		this.lock.lock();
		try {
			while (!this.pending.isEmpty()) {
				ByteBuffer head = this.pending.peek();
				this.pendingBytes -= this.channel.write(head);
				if (head.hasRemaining()) {
					return false;
				}
				this.pending.poll();
			}
			if (this.closeWhenFlushed) {
				this.owner.close();
			}
			return true;
		}
		catch (IOException ex) {
			logger.debug("Listener '{}' peer {}: flush failed: {}", this.listener.name(), this.stats.peer(),
					ex.toString());
			this.pending.clear();
			this.pendingBytes = 0;
			giveUp();
			return true;
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Has the connection close once the queue is written, or at the close deadline.
	 * @return true if bytes are still queued, so the buffer closes the connection later; false if nothing is
	 * queued (or the socket is closed already) and the caller is to close it now
	 */
	boolean closeWhenFlushed() {
		this.lock.lock();
		try {
			if (this.pending.isEmpty() || !this.channel.isOpen()) {
				return false;
			}
			this.closeWhenFlushed = true;
			this.closeDeadline = System.currentTimeMillis() + CLOSE_TIMEOUT.toMillis();
			return true;
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Called by the reaper: a closing client that did not read its last replies in time is dropped.
	 * @return true if the connection was closed
	 */
	boolean closeIfOverdue(long now) {
		long deadline = this.closeDeadline;
		if (deadline == 0 || now < deadline) {
			return false;
		}
		this.listener.warnings().warn("Listener '{}' peer {}: replies not read within {}; closing",
				this.listener.name(), this.stats.peer(), CLOSE_TIMEOUT);
		giveUp();
		return true;
	}

	boolean hasPending() {
		this.lock.lock();
		try {
			return !this.pending.isEmpty();
		}
		finally {
			this.lock.unlock();
		}
	}

}
