package dev.socketgateway.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;

/** One UDP client: a connected datagram channel with at most one request in flight. */
final class UdpClient {

	final int id;

	final DatagramChannel channel;

	SelectionKey key;

	final ByteBuffer request = ByteBuffer.allocate(Messages.SIZE);

	final byte[] expected = new byte[Messages.SIZE];

	/** The sequence of the request in flight, or of the next one when none is. */
	long sequence;

	boolean awaiting;

	long sentAt;

	UdpClient(int id, DatagramChannel channel) {
		this.id = id;
		this.channel = channel;
	}

	/** Fills the request and expected-reply buffers for {@link #sequence}. */
	void prepare() {
		Messages.request(this.id, this.sequence, this.request.array(), 0);
		this.request.clear();
		Messages.reply(this.id, this.sequence, this.expected, 0);
	}

	void close() {
		try {
			this.channel.close();
		}
		catch (IOException ex) {
			// Nothing left to release.
		}
	}

}
