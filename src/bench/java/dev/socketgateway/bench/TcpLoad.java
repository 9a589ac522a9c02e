package dev.socketgateway.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * TCP load on one selector thread (the caller's): client and server share two cores, so the generator stays lean.
 * Closed-loop scenarios keep a fixed number of requests in flight per connection; the paced scenario sends one
 * request per connection per second from a schedule kept in the same loop.
 */
final class TcpLoad implements Load {

	// Connects in flight at once: well under the gateway's accept backlog of 1024, so bursts are not dropped.
	private static final int CONNECTS_IN_FLIGHT = 200;

	private static final long CONNECT_PHASE_LIMIT = TimeUnit.SECONDS.toNanos(60);

	private static final long DRAIN_LIMIT = TimeUnit.SECONDS.toNanos(5);

	private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

	private final Scenario scenario;

	private final InetSocketAddress server;

	private final Recorder recorder;

	private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(64 * 1024);

	private final byte[] chunk = new byte[64 * 1024];

	private final TcpConnection[] connections;

	private Selector selector;

	private boolean sending;

	/** Requests sent on open connections and not yet answered, over all connections. */
	private long outstanding;

	private int open;

	private long nextSlot;

	TcpLoad(Scenario scenario, InetSocketAddress server, Recorder recorder) {
		this.scenario = scenario;
		this.server = server;
		this.recorder = recorder;
		this.connections = new TcpConnection[scenario.connections()];
	}

	@Override
	public void run(long warmupNanos, long measuredNanos) throws IOException {
		try (Selector selector = Selector.open()) {
			this.selector = selector;
			connectAll();
			this.recorder.connections = this.open;
			long start = System.nanoTime();
			long windowEnd = start + warmupNanos + measuredNanos;
			this.recorder.window(start + warmupNanos, windowEnd);
			this.sending = true;
			boolean paced = this.scenario.kind() == Scenario.Kind.TCP_PACED;
			if (!paced) {
				for (TcpConnection connection : this.connections) {
					startClosedLoop(connection, start);
				}
			}
			// Each connection has one slot per second; slots before the window's end are all the paced sends.
			long slots = TimeUnit.NANOSECONDS.toSeconds(warmupNanos + measuredNanos) * this.connections.length;
			while (this.open > 0) {
				long wakeAt = windowEnd;
				if (paced) {
					wakeAt = Math.min(wakeAt, sendDue(start, slots));
				}
				if (System.nanoTime() >= windowEnd) {
					break;
				}
				select(wakeAt);
			}
			this.sending = false;
			drain();
			this.recorder.lost += this.outstanding;
			this.recorder.loaded();
		}
		finally {
			for (TcpConnection connection : this.connections) {
				if (connection != null && connection.open) {
					connection.close();
				}
			}
		}
	}

	/** Opens every connection with a bounded number of connects in flight; failures are counted, not fatal. */
	private void connectAll() throws IOException {
		long deadline = System.nanoTime() + CONNECT_PHASE_LIMIT;
		int next = 0;
		int pending = 0;
		while ((next < this.connections.length || pending > 0) && System.nanoTime() < deadline) {
			while (next < this.connections.length && pending < CONNECTS_IN_FLIGHT) {
				TcpConnection connection = startConnect(next++);
				if (connection != null && !connection.connected) {
					pending++;
				}
			}
			int[] finished = { 0 };
			this.selector.select((key) -> {
				if (key.isValid() && key.isConnectable()) {
					finished[0]++;
					finishConnect((TcpConnection) key.attachment());
				}
			}, 250);
			pending -= finished[0];
		}
		// Whatever has not connected by the deadline never will in this run.
		this.recorder.connectFailures += this.connections.length - next;
		for (int i = 0; i < next; i++) {
			TcpConnection connection = this.connections[i];
			if (connection != null && !connection.connected && connection.open) {
				this.recorder.connectFailures++;
				connection.close();
			}
		}
	}

	private TcpConnection startConnect(int id) {
		SocketChannel channel = null;
		try {
			channel = SocketChannel.open();
			channel.configureBlocking(false);
			// Requests are written whole and at once; Nagle would only hold them back.
			channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
			TcpConnection connection = new TcpConnection(id, channel, this.scenario.outstanding());
			this.connections[id] = connection;
			if (channel.connect(this.server)) {
				connected(connection);
			}
			else {
				connection.key = channel.register(this.selector, SelectionKey.OP_CONNECT, connection);
			}
			return connection;
		}
		catch (IOException ex) {
			this.recorder.connectFailures++;
			TcpConnection connection = this.connections[id];
			if (connection != null) {
				if (connection.connected) {
					this.open--;
				}
				connection.close();
			}
			else if (channel != null) {
				try {
					channel.close();
				}
				catch (IOException closeFailure) {
					ex.addSuppressed(closeFailure);
				}
			}
			return null;
		}
	}

	private void finishConnect(TcpConnection connection) {
		try {
			if (connection.channel.finishConnect()) {
				connected(connection);
				return;
			}
		}
		catch (IOException ex) {
			// Refused or timed out: counted below.
		}
		this.recorder.connectFailures++;
		connection.close();
	}

	private void connected(TcpConnection connection) throws IOException {
		connection.connected = true;
		this.open++;
		if (connection.key == null) {
			connection.key = connection.channel.register(this.selector, SelectionKey.OP_READ, connection);
		}
		else {
			connection.key.interestOps(SelectionKey.OP_READ);
		}
	}

	private void startClosedLoop(TcpConnection connection, long now) {
		if (connection == null || !connection.open) {
			return;
		}
		while (!connection.full()) {
			queue(connection, now);
		}
		flush(connection);
	}

	/** Sends every paced request whose time has come; returns when the next one is due. */
	private long sendDue(long start, long slots) {
		int count = this.connections.length;
		while (this.nextSlot < slots) {
			// Slot s belongs to connection s % count at start + s/count seconds: phases spread evenly.
			long due = start + this.nextSlot * SECOND / count;
			long now = System.nanoTime();
			if (due > now) {
				return due;
			}
			TcpConnection connection = this.connections[(int) (this.nextSlot % count)];
			this.nextSlot++;
			if (connection != null && connection.open) {
				if (connection.full()) {
					this.recorder.skipped++;
				}
				else {
					queue(connection, now);
					flush(connection);
				}
			}
		}
		return Long.MAX_VALUE;
	}

	private void select(long wakeAt) throws IOException {
		long waitMillis = TimeUnit.NANOSECONDS.toMillis(wakeAt - System.nanoTime() + 999_999);
		if (waitMillis <= 0) {
			this.selector.selectNow(this::ready);
		}
		else {
			this.selector.select(this::ready, waitMillis);
		}
	}

	/** After the window: no new requests, and up to 5 s for the replies still owed. */
	private void drain() throws IOException {
		long deadline = System.nanoTime() + DRAIN_LIMIT;
		while (this.outstanding > 0 && this.open > 0 && System.nanoTime() < deadline) {
			select(deadline);
		}
	}

	private void ready(SelectionKey key) {
		TcpConnection connection = (TcpConnection) key.attachment();
		if (key.isValid() && key.isReadable()) {
			read(connection);
		}
		if (connection.open && key.isValid() && key.isWritable()) {
			flush(connection);
		}
	}

	private void read(TcpConnection connection) {
		this.readBuffer.clear();
		int count;
		try {
			count = connection.channel.read(this.readBuffer);
		}
		catch (IOException ex) {
			fail(connection, false);
			return;
		}
		if (count < 0) {
			// The server closed a connection it still owed replies to, or that the scenario still uses.
			fail(connection, false);
			return;
		}
		long now = System.nanoTime();
		this.readBuffer.flip();
		this.readBuffer.get(this.chunk, 0, count);
		int index = 0;
		while (index < count) {
			if (connection.outstanding() == 0) {
				// Bytes that answer no request.
				fail(connection, true);
				return;
			}
			int length = Math.min(count - index, Messages.SIZE - connection.replyOffset);
			if (Arrays.mismatch(this.chunk, index, index + length, connection.expected, connection.replyOffset,
					connection.replyOffset + length) >= 0) {
				fail(connection, true);
				return;
			}
			index += length;
			connection.replyOffset += length;
			if (connection.replyOffset == Messages.SIZE) {
				this.recorder.completed(connection.completeReply(), now);
				this.outstanding--;
				if (this.sending && this.scenario.kind() == Scenario.Kind.TCP) {
					queue(connection, now);
				}
			}
		}
		flush(connection);
	}

	private void queue(TcpConnection connection, long now) {
		connection.queueRequest(now);
		this.outstanding++;
		this.recorder.sent++;
	}

	private void flush(TcpConnection connection) {
		ByteBuffer unsent = connection.unsent;
		if (unsent.position() > 0) {
			unsent.flip();
			try {
				connection.channel.write(unsent);
			}
			catch (IOException ex) {
				unsent.compact();
				fail(connection, false);
				return;
			}
			unsent.compact();
		}
		// Write interest only while bytes wait, so an idle connection does not spin the selector.
		boolean more = unsent.position() > 0;
		if (more != connection.writeInterest) {
			connection.writeInterest = more;
			connection.key.interestOps(more ? SelectionKey.OP_READ | SelectionKey.OP_WRITE : SelectionKey.OP_READ);
		}
	}

	/** Closes a connection that broke: a wrong reply is an error, and what else it owed is lost. */
	private void fail(TcpConnection connection, boolean wrongBytes) {
		long owed = connection.outstanding();
		if (wrongBytes) {
			this.recorder.wrongBytes++;
			owed = Math.max(0, owed - 1);
		}
		else {
			this.recorder.resets++;
		}
		this.recorder.lost += owed;
		this.outstanding -= connection.outstanding();
		this.open--;
		connection.close();
	}

}
