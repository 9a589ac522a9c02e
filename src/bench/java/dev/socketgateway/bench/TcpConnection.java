package dev.socketgateway.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/**
 * One client connection's state. Replies come back in request order as one byte stream, so checking needs only the
 * expected reply of the oldest outstanding request and how far into it the stream has got.
 */
final class TcpConnection {

	final int id;

	final SocketChannel channel;

	SelectionKey key;

	boolean connected;

	boolean open = true;

	boolean writeInterest;

	/** Requests not yet written; never more than the outstanding ones, so its capacity suffices. */
	final ByteBuffer unsent;

	/** Send time of each outstanding request, indexed by sequence modulo capacity. */
	private final long[] sentAt;

	/** The expected reply to {@link #replySequence}. */
	final byte[] expected = new byte[Messages.SIZE];

	long sendSequence;

	long replySequence;

	/** Reply bytes of {@link #replySequence} already received and checked. */
	int replyOffset;

	TcpConnection(int id, SocketChannel channel, int capacity) {
		this.id = id;
		this.channel = channel;
		this.unsent = ByteBuffer.allocate(capacity * Messages.SIZE);
		this.sentAt = new long[capacity];
		Messages.reply(id, 0, this.expected, 0);
	}

	long outstanding() {
		return this.sendSequence - this.replySequence;
	}

	boolean full() {
		return outstanding() >= this.sentAt.length;
	}

	/** Appends the next request to the unsent bytes; the caller checks {@link #full()} first. */
	void queueRequest(long now) {
		Messages.request(this.id, this.sendSequence, this.unsent.array(), this.unsent.position());
		this.unsent.position(this.unsent.position() + Messages.SIZE);
		this.sentAt[slot(this.sendSequence)] = now;
		this.sendSequence++;
	}

	/** Moves on to the next reply once the current one is complete; returns the completed request's send time. */
	long completeReply() {
		long sent = this.sentAt[slot(this.replySequence)];
		this.replySequence++;
		this.replyOffset = 0;
		Messages.reply(this.id, this.replySequence, this.expected, 0);
		return sent;
	}

	void close() {
		this.open = false;
		if (this.key != null) {
			this.key.cancel();
		}
		try {
			this.channel.close();
		}
		catch (IOException ex) {
			// Closing a socket that failed already: nothing left to release.
		}
	}

	private int slot(long sequence) {
		return (int) (sequence % this.sentAt.length);
	}

}
