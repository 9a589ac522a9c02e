package dev.socketgateway.udp;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

import dev.socketgateway.listener.ListenerMetrics;
import dev.socketgateway.listener.ThrottledWarnings;
import dev.socketgateway.security.AllowList;
import org.slf4j.LoggerFactory;

import org.springframework.integration.ip.udp.inbound.UnicastReceivingChannelAdapter;
import org.springframework.messaging.MessageHeaders;
import org.springframework.messaging.support.GenericMessage;

/**
 * The UDP inbound channel adapter of one of a listener's sockets, changed where Spring Integration's defaults lose
 * data: its 2,048-byte receive buffer truncates larger datagrams silently, and its mapper drops empty datagrams. Here
 * the buffer holds any UDP payload, and an empty datagram is a message like any other.
 *
 * <p>Each datagram is answered on the thread that received it, so there is no hand-off queue to grow. One
 * thread per socket: a second thread receiving on the same socket only queues on the channel's read lock
 * (measured: 40% fewer datagrams answered). A listener with several receive threads has a socket and one of these
 * per thread, all on its port (see {@link ReceiveSockets}).
 */
final class DatagramReceiver extends UnicastReceivingChannelAdapter {

	/** Larger than the largest UDP payload over IPv4 (65,507) or IPv6 (65,527), so nothing is cut. */
	static final int RECEIVE_BUFFER_BYTES = 65_536;

	private final String listenerName;

	private final int maxDatagramBytes;

	private final ListenerMetrics metrics;

	/** This thread's own record of its peers. */
	private final RecentPeers.Receiver peers;

	private final AllowList allowList;

	/** Null without client-message-rate. */
	private final DatagramRate rate;

	/** Shared by the listener's receive threads, so that the listener logs at most one line a second. */
	private final ThrottledWarnings warnings;

	/** Bound already, so that a busy port fails startup rather than this thread. */
	private final DatagramSocket socket;

	/** The socket's channel, which receives into {@link #received}. */
	private final DatagramChannel channel;

	/**
	 * What the channel receives into, used by the one receiving thread only. A datagram socket receives into the
	 * packet's heap array through a temporary direct buffer that the JDK looks up in a thread-local cache, twice a
	 * datagram (a quarter of the receive thread's Java samples in a profile of udp-8); this one is the thread's own.
	 */
	private final ByteBuffer received = ByteBuffer.allocateDirect(RECEIVE_BUFFER_BYTES);

	/**
	 * Used by the one receiving thread only, to hand the sender and the length to {@link #asyncSendMessage}; the
	 * bytes stay in {@link #received} and are copied once, into the payload of a datagram that is answered.
	 */
	private final DatagramPacket packet = new DatagramPacket(new byte[RECEIVE_BUFFER_BYTES], RECEIVE_BUFFER_BYTES);

	/** The last datagram's sender, as the channel gave it (the packet would make a new address each time asked). */
	private SocketAddress sender;

	/** Held while a datagram is answered, so that stopping does not close the socket under a reply. */
	private final ReentrantLock answering = new ReentrantLock();

	/** Set while the listener is paused or draining: datagrams are dropped and counted, not answered. */
	private volatile boolean paused;

	/** How long stopping waits for the reply being sent; the listener's stop sets its drain budget here. */
	private volatile Duration stopTimeout = Duration.ofSeconds(5);

	/** @param socket the bound socket this adapter receives on and answers from, opened by a {@link DatagramChannel} */
	DatagramReceiver(UdpListenerContext listener, DatagramSocket socket, RecentPeers.Receiver peers) {
		super(socket.getLocalPort());
		setSocket(socket);
		this.socket = socket;
		this.channel = socket.getChannel();
		this.listenerName = listener.name();
		this.maxDatagramBytes = listener.maxDatagramBytes();
		this.metrics = listener.metrics();
		this.peers = peers;
		this.allowList = listener.allowList();
		this.rate = listener.rate();
		this.warnings = listener.warnings();
	}

	/** The socket, without the adapter's lock that {@link #getSocket()} takes. */
	DatagramSocket socket() {
		return this.socket;
	}

	/** Logs as the receive threads do: their warnings are this class's. */
	static ThrottledWarnings warnings() {
		return new ThrottledWarnings(LoggerFactory.getLogger(DatagramReceiver.class), Duration.ofSeconds(1));
	}

	/** The socket's channel, for the replies. */
	DatagramChannel channel() {
		return this.channel;
	}

	@Override
	protected DatagramPacket receive() throws IOException {
		ByteBuffer buffer = this.received.clear();
		SocketAddress from;
		try {
			from = this.channel.receive(buffer);
		}
		catch (ClosedChannelException ex) {
			// Stopping closed the socket: the stock receive loop ends on a SocketException, as a closed socket gives.
			throw new SocketException("Socket closed");
		}
		this.packet.setLength(buffer.position());
		this.packet.setSocketAddress(from);
		this.sender = from;
		return this.packet;
	}

	@Override
	protected boolean asyncSendMessage(DatagramPacket datagram) {
		if (this.paused) {
			this.metrics.rejected(ListenerMetrics.PAUSED);
			return true;
		}
		SocketAddress sender = this.sender;
		int length = datagram.getLength();
		if (!this.allowList.allows(datagram.getAddress())) {
			this.metrics.rejected("not-allowed");
			this.warnings.warn("Listener '{}' peer {}: address not in allowed-cidrs; datagram dropped",
					this.listenerName, peer(sender));
			return true;
		}
		MessageHeaders headers = this.peers.seen(sender);
		this.metrics.received(length);
		if (length > this.maxDatagramBytes) {
			this.metrics.error("datagram-too-large");
			this.warnings.warn("Listener '{}' peer {}: datagram of {} bytes exceeds max-datagram-bytes {}; dropped",
					this.listenerName, peer(sender), length, this.maxDatagramBytes);
			return true;
		}
		if (this.rate != null && !this.rate.admits(datagram)) {
			return true;
		}
		byte[] payload = new byte[length];
		this.received.get(0, payload);
		this.metrics.message();
		this.answering.lock();
		try {
			sendMessage(new GenericMessage<>(payload, headers));
		}
		catch (RuntimeException ex) {
			this.warnings.warn("Listener '{}' peer {}: datagram not answered: {}", this.listenerName, peer(sender),
					ex.toString());
		}
		finally {
			this.answering.unlock();
		}
		return true;
	}

	/** host:port, as TCP log lines show it ({@code InetSocketAddress.toString} adds a slash). */
	private static String peer(SocketAddress address) {
		InetSocketAddress socket = (InetSocketAddress) address;
		return socket.getAddress().getHostAddress() + ":" + socket.getPort();
	}

	/** Whether datagrams are dropped (paused or draining) or answered (running). */
	void paused(boolean paused) {
		this.paused = paused;
	}

	/** Stopping, from now on, waits at most this long for the reply being sent. */
	void stopTimeout(Duration timeout) {
		this.stopTimeout = timeout;
	}

	@Override
	protected void doStop() {
		boolean idle = false;
		try {
			idle = this.answering.tryLock(this.stopTimeout.toNanos(), TimeUnit.NANOSECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		try {
			super.doStop();
		}
		finally {
			if (idle) {
				this.answering.unlock();
			}
		}
	}

}
