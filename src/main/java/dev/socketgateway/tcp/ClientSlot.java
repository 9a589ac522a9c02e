package dev.socketgateway.tcp;

import java.util.concurrent.atomic.AtomicBoolean;

import dev.socketgateway.security.ClientTable;

/**
 * One connection's place among its client's connections, held from admission until it closes, and with
 * client-message-rate set, the pacing of its reads by the client's token bucket (shared by the client's connections).
 *
 * <p>A connection is read only while its client has a whole token. A read is sized to the tokens (at the bytes per
 * message of its last read, except under stream framing, where a read is one message), and its messages, all
 * answered, then take their tokens: the bucket may go into debt by what one read held. When fewer than one token is
 * left the connection is paused, its read interest off, so the client's data waits in the kernel and TCP flow control
 * holds the client back; a task on the listener's scheduler resumes it once the tokens are back, and what it reads
 * then counts as delayed. One resume is pending per paused connection at most.
 *
 * <p>Threads: reads and pauses under the connection's read lock; resumes from the scheduler, through the event loop.
 */
final class ClientSlot {

	private final ClientLimits limits;

	private final ClientTable.Client client;

	private final AtomicBoolean released = new AtomicBoolean();

	/** Set while the connection is not read, waiting for tokens, with its resume scheduled. */
	private volatile boolean paused;

	/** Set as reading resumes: the next read holds what waited while the connection was paused. */
	private volatile boolean resumed;

	/**
	 * Bytes per message in the last read that held messages; read and written by the reader only. It errs low, as
	 * it should: a read that completes a message begun in an earlier one counts only its own bytes, and a TLS
	 * handshake or a PROXY header counts only where it shares a read with messages, so reads are cut smaller than
	 * they could be rather than larger.
	 */
	private long bytesPerMessage = 1;

	ClientSlot(ClientLimits limits, ClientTable.Client client) {
		this.limits = limits;
		this.client = client;
	}

	/** @return how many bytes the next read may take; 0 when the client has no whole token, to pause instead */
	int readLimit(int capacity) {
		if (this.limits.dryRun() || this.limits.lifted()) {
			return capacity;
		}
		double tokens = this.client.refill(System.nanoTime());
		if (tokens < 1) {
			return 0;
		}
		if (!this.limits.sizesReads()) {
			return capacity;
		}
		double bytes = Math.ceil(tokens * this.bytesPerMessage);
		return (bytes >= capacity) ? capacity : (int) bytes;
	}

	/** A read held these bytes and messages: their tokens are taken, and the connection paused if none are left. */
	void afterRead(GatewayConnection connection, long bytes, long messages) {
		if (this.limits.dryRun()) {
			long over = (messages > 0) ? this.client.takeCountingOver(messages, System.nanoTime()) : 0;
			if (over > 0) {
				this.limits.overRate(connection.peer(), this.client.key(), over);
			}
			return;
		}
		if (messages == 0) {
			if (bytes == 0) {
				this.resumed = false; // nothing waited; a part of a message did, and its end is counted with it
			}
			return;
		}
		boolean delayed = this.resumed;
		this.resumed = false;
		this.bytesPerMessage = Math.max(1, bytes / messages);
		if (delayed) {
			this.limits.delayed(messages);
		}
		if (this.client.take(messages) < 1 && !this.limits.lifted()) {
			pause(connection);
		}
	}

	/** Stops reading the connection until the client's tokens are back. */
	void pause(GatewayConnection connection) {
		if (this.paused || !connection.isOpen()) {
			return;
		}
		this.paused = true;
		connection.factory().pauseReading(connection.channel());
		this.limits.paused(connection.peer(), this.client.key());
		scheduleResume(connection);
	}

	private void scheduleResume(GatewayConnection connection) {
		long wait = this.client.nanosUntil(this.limits.resumeTokens(), System.nanoTime());
		if (!this.limits.schedule(() -> resumeWhenRefilled(connection), wait)) {
			resume(connection); // stopping: the drain reads it anyway
		}
	}

	/** On the scheduler: another connection of the client may have taken the tokens since, then it waits again. */
	private void resumeWhenRefilled(GatewayConnection connection) {
		if (!connection.isOpen()) {
			return;
		}
		if (this.client.nanosUntil(this.limits.resumeTokens(), System.nanoTime()) > 0 && !this.limits.lifted()) {
			scheduleResume(connection);
			return;
		}
		resume(connection);
	}

	private void resume(GatewayConnection connection) {
		this.paused = false;
		this.resumed = true;
		connection.factory().resumeReading(connection);
	}

	/** The connection closed: its place is given back, once. */
	void release() {
		if (this.released.compareAndSet(false, true)) {
			this.limits.release(this.client);
		}
	}

}
