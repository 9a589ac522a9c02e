package dev.socketgateway.tcp;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

import dev.socketgateway.config.ProxyProtocol;
import dev.socketgateway.tcp.framing.FrameCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLSession;

import org.springframework.integration.ip.tcp.connection.SocketInfo;
import org.springframework.messaging.Message;

/**
 * A server connection that reads, frames and dispatches on its listener's event loop (see
 * {@link GatewayServerConnectionFactory}), and writes replies straight to the socket. A read passes the PROXY header
 * phase ({@link ProxyPhase}) while one is expected, then TLS ({@link TlsLayer}) on a TLS listener, then the frame
 * codec ({@link FrameCodec}), and each frame is dispatched to the flow; replies come back through {@link #send}
 * into the write queue ({@link OutboundBuffer}). Bad input is reported by {@link ReadFailures}, and closes only this
 * connection; the client and the counts are kept in {@link ConnectionStats}. On a listener with per-client limits
 * a {@link ClientSlotHolder} holds the connection's place among its client's and paces its reads. The reaper
 * ({@link IdleReaper}) and a listener's drain ({@link ConnectionDrainer}) decide the closes that do not come from
 * reading.
 *
 * <p>The adapters see it as a {@link FlowConnection}; Spring Integration's {@code TcpNioConnection} is not under
 * it. That one copies every read into a pipe and decodes it on a second thread. On end of input it closes the
 * connection at once, while that second thread may still hold the request, so the close unregisters the connection
 * from the outbound adapter and the reply is dropped with "Unable to find outbound socket". Here a read is framed
 * and sent through the flow on the reading thread, so by the time end of input is seen every reply has been written
 * or queued, and the connection closes only after the queue is flushed.
 *
 * <p>Threads: the read lock keeps the event loop, the shutdown drain, a listener's drain and the reaper (ending
 * a PROXY header wait) from reading at once, so reads never overlap, replies keep request order, and what only
 * reading touches needs no other guard. The write lock, the {@link OutboundBuffer}'s, orders writes from the
 * reader, the flusher thread and TLS. Neither is contended per message: the reader writes its own replies.
 */
final class GatewayConnection extends FlowConnection implements OutboundBuffer.Owner {

	private static final Logger logger = LoggerFactory.getLogger(GatewayConnection.class);

	private final SocketChannel channel;

	private final TcpListenerContext context;

	private final FrameCodec codec;

	/** Where the codec hands each frame; made once, not as a new method reference on every read. */
	private final Consumer<byte[]> dispatcher = this::dispatch;

	/** Refused by allowed-cidrs or max-connections: told so, then closed on its first selection. */
	private final boolean refused;

	private final ReentrantLock readLock = new ReentrantLock();

	private final ConnectionStats stats;

	private final OutboundBuffer outbound;

	/** Null on a plain listener. */
	private final TlsLayer tls;

	/** While a PROXY header is expected; null once the phase is over, or with proxy-protocol off. */
	private volatile ProxyPhase proxy;

	private boolean inputEnded;

	/** Set by the quit command: later messages in the same read are not answered. */
	private boolean quitting;

	/** The banner, while it waits for the PROXY header or the TLS handshake. */
	private volatile byte[] banner;

	/** Its part in the per-client limits; null on a listener without them, so that its reads pay nothing. */
	private final ClientSlotHolder clientSlot;

	/**
	 * @param remote the socket's peer, as the channel keeps it
	 * @param refused whether it is refused, to be told so and closed on its first selection
	 */
	GatewayConnection(SocketChannel channel, InetSocketAddress remote, TcpListenerContext context,
			GatewayServerConnectionFactory factory, boolean refused) {
		this(channel, remote, context, factory, refused, context.connections().nextId());
	}

	/** @param id the connection's number in its listener: its stats' and its flow id */
	private GatewayConnection(SocketChannel channel, InetSocketAddress remote, TcpListenerContext context,
			GatewayServerConnectionFactory factory, boolean refused, long id) {
		super(factory, id);
		this.channel = channel;
		this.context = context;
		this.codec = context.newCodec();
		this.refused = refused;
		this.stats = new ConnectionStats(id, remote.getAddress(), remote.getPort());
		this.outbound = new OutboundBuffer(channel, context, this.stats, this);
		this.proxy = (!refused && context.settings().getProxyProtocol() != ProxyProtocol.OFF)
				? new ProxyPhase(context, this.stats, this.readLock, this::proxyAdmitted, this::proxyEnded) : null;
		this.clientSlot = (!refused && context.clientLimits() != null)
				? new ClientSlotHolder(this, context.clientLimits()) : null;
		this.tls = (!refused && context.tls() != null)
				? new TlsLayer(context, this.stats, this.readLock, this.outbound, this.codec, this.dispatcher,
						this::sendBanner)
				: null;
		if (!refused) {
			context.connections().opened(this);
			context.metrics().opened();
			logger.debug("Listener '{}' peer {}: connection {} opened", context.name(), peer(), this.stats.id());
		}
	}

	TcpListenerContext context() {
		return this.context;
	}

	/** Runs on the event loop; the factory does not select this channel again until it returns. */
	void readReady() {
		if (this.refused) {
			close();
			return;
		}
		readAvailable();
	}

	/** As {@link TcpConnection} asks: one read of what the socket holds, as the event loop does when it is ready. */
	@Override
	public void run() {
		readReady();
	}

	boolean refused() {
		return this.refused;
	}

	/**
	 * Reads what the socket holds and answers it.
	 * @return true if any bytes (or the end of input) were read
	 */
	boolean readAvailable() {
		if (!this.readLock.tryLock()) {
			return false; // the other reader will see the same bytes
		}
		try {
			if (this.inputEnded) {
				return false;
			}
			ClientSlotHolder holder = this.clientSlot;
			return (holder != null && holder.paced()) ? holder.read() : read(TcpListenerContext.READ_BUFFER_BYTES);
		}
		finally {
			this.readLock.unlock();
		}
	}

	/**
	 * Reads a whole read buffer, whatever client-message-rate would allow, unless input has ended; called with the
	 * read lock held, by a drain.
	 * @return true if any bytes (or the end of input) were read
	 */
	boolean readUnpaced() {
		return !this.inputEnded && read(TcpListenerContext.READ_BUFFER_BYTES);
	}

	/**
	 * Reads at most {@code limit} bytes and answers them; called with the read lock held, while input has not ended.
	 * @return true if any bytes (or the end of input) were read
	 */
	boolean read(int limit) {
		ByteBuffer buffer = this.context.readBuffer().limit(limit);
		int read;
		try {
			read = this.channel.read(buffer);
		}
		catch (IOException ex) {
			this.context.failures().reset(this, ex);
			return false;
		}
		if (read == 0) {
			return false;
		}
		this.stats.read(read);
		if (read > 0) {
			this.context.metrics().received(read);
		}
		try {
			ProxyPhase phase = this.proxy;
			if (read < 0) {
				this.inputEnded = true;
				endOfInput(phase);
				return true;
			}
			ByteBuffer bytes = buffer.flip();
			if (phase != null && ((bytes = phase.read(bytes)) == null || !bytes.hasRemaining())) {
				return true; // the header is incomplete or refused, or nothing followed it yet
			}
			if (this.tls == null) {
				this.codec.decode(bytes, this.dispatcher);
			}
			else if (!this.tls.read(bytes)) {
				this.inputEnded = true; // close_notify or a TLS failure: the client sends nothing more
				CloseReason failure = this.tls.failure();
				if (failure == null) {
					this.codec.endOfInput(this.dispatcher);
				}
				closeAfterReplies((failure != null) ? failure : CloseReason.CLIENT_CLOSED);
				return true;
			}
			if (this.quitting) {
				closeAfterReplies(CloseReason.QUIT);
			}
		}
		catch (RuntimeException ex) {
			this.context.failures().fail(this, ex);
		}
		return true;
	}

	private void endOfInput(ProxyPhase phase) {
		if (phase != null) {
			phase.inputEnded();
			return;
		}
		if (this.tls != null) {
			this.tls.inputEnded();
		}
		this.codec.endOfInput(this.dispatcher);
		closeAfterReplies(CloseReason.CLIENT_CLOSED); // the client half-closed; it may still be reading
	}

	/**
	 * The PROXY header phase admitted the client, which per-client limits now count; a TLS connection's banner
	 * waits for the handshake.
	 * @return false if the client has max-connections-per-client open already, and this connection was closed
	 */
	private boolean proxyAdmitted() {
		this.proxy = null;
		if (this.clientSlot != null && !this.clientSlot.admit()) {
			proxyEnded(CloseReason.PER_CLIENT_LIMIT);
			return false;
		}
		if (this.tls == null) {
			sendBanner();
		}
		return true;
	}

	/** Holds the connection's place among its client's connections, taken at its accept, until it closes. */
	void holdClient(ClientSlot slot) {
		this.clientSlot.hold(slot);
	}

	/** The PROXY header phase ended without a client to serve. */
	private void proxyEnded(CloseReason reason) {
		this.proxy = null;
		this.inputEnded = true;
		close(reason);
	}

	/** Sends the banner if one is waiting; a TLS connection's waits for the handshake. */
	private void sendBanner() {
		byte[] greeting = this.banner;
		if (greeting != null) {
			this.banner = null;
			sendUnsolicited(greeting);
		}
	}

	/** Sends a message of the gateway's own, such as the banner or the drain message, in the connection's framing. */
	void sendUnsolicited(byte[] message) {
		sendUnsolicited(this.codec.encode(message));
	}

	/** Sends bytes of the gateway's own, framed already. */
	void sendUnsolicited(ByteBuffer framed) {
		this.context.metrics().sentUnsolicited(write(framed));
	}

	private void dispatch(byte[] frame) {
		if (this.quitting) {
			return;
		}
		this.stats.messageReceived();
		this.context.metrics().message();
		// Read before the flow: the frame is the transformer's, which may upper-case it in place.
		boolean quit = this.context.isQuit(frame);
		toFlow(frame);
		this.quitting = quit;
	}

	@Override
	public void send(Message<?> message) {
		byte[] reply = (byte[]) message.getPayload();
		int length;
		ByteBuffer framed = (this.tls == null) ? this.context.writeBuffer() : null;
		if (framed != null && this.codec.encode(reply, framed)) {
			// The thread's own buffer: the outbound buffer copies what the socket does not take before it returns.
			length = framed.flip().remaining();
			this.outbound.write(framed, true, true);
		}
		else {
			length = write(this.codec.encode(reply));
		}
		this.stats.replied();
		this.context.metrics().sent(length);
	}

	/**
	 * Sends the banner; called once, before the connection is first read. It waits for the PROXY header,
	 * if one is expected, and for the TLS handshake.
	 */
	void greet(byte[] banner) {
		this.banner = banner;
		if (this.tls == null && this.proxy == null) {
			sendBanner();
		}
	}

	/**
	 * Sends framed plaintext, as TLS records on a TLS connection.
	 * @return the bytes put on the wire (or queued for it)
	 */
	private int write(ByteBuffer plaintext) {
		if (this.tls != null) {
			return this.tls.write(plaintext);
		}
		int length = plaintext.remaining();
		this.outbound.write(plaintext, true);
		return length;
	}

	/**
	 * Stops reading for good, for a close the client did not ask for (a drain); called with the read lock held.
	 * @return false if the connection is ending already, after its own replies: its input ended, it quit, or it
	 * closed
	 */
	boolean endInput() {
		if (this.inputEnded || this.quitting || !isOpen()) {
			return false;
		}
		this.inputEnded = true;
		return true;
	}

	/**
	 * Closes once queued replies are on the wire. Nothing waits here: the read interest is dropped so that
	 * a half-closed socket does not keep the loop busy, the write queue closes the connection when it
	 * empties, and the reaper closes it at the queue's deadline if the client stops reading.
	 * @param reason why, for the session log, unless a reason was recorded earlier
	 */
	void closeAfterReplies(CloseReason reason) {
		this.stats.closing(reason);
		ReentrantLock writeLock = this.outbound.lock();
		writeLock.lock();
		try {
			if (this.tls != null && this.channel.isOpen()) {
				this.tls.closeNotify();
			}
			if (this.outbound.closeWhenFlushed()) {
				factory().stopReading(this.channel);
				return;
			}
		}
		finally {
			writeLock.unlock();
		}
		close();
	}

	/** Part of a reply is queued: the listener's flusher finishes it when the socket can take more. */
	@Override
	public void flushWhenWritable() {
		this.context.flusher().flushWhenWritable(this);
	}

	/** Closes now; {@code reason} is what the session log gives, unless a reason was recorded earlier. */
	void close(CloseReason reason) {
		this.stats.closing(reason);
		close();
	}

	/** Records why the connection is to close, when something else closes it. */
	void closing(CloseReason reason) {
		this.stats.closing(reason);
	}

	@Override
	public void close() {
		if (this.context.connections().closed(this)) {
			this.context.metrics().closed();
			logger.debug("Listener '{}' peer {}: connection {} closed", this.context.name(), peer(), this.stats.id());
		}
		if (this.clientSlot != null) {
			this.clientSlot.release();
		}
		try {
			this.channel.close();
		}
		catch (IOException ex) {
			logger.debug("Listener '{}' peer {}: closing the socket failed", this.context.name(), peer(), ex);
		}
		factory().closed(this);
		SessionLog sessions = this.context.sessionLog();
		if (sessions != null) {
			sessions.closed(this.stats, (this.tls != null) ? this.tls.handshake() : null);
		}
	}

	/** The client as logs show it: the PROXY header's address once one was read. */
	String peer() {
		return this.stats.peer();
	}

	ConnectionStats stats() {
		return this.stats;
	}

	OutboundBuffer outbound() {
		return this.outbound;
	}

	SocketChannel channel() {
		return this.channel;
	}

	FrameCodec codec() {
		return this.codec;
	}

	ReentrantLock readLock() {
		return this.readLock;
	}

	ProxyPhase proxyPhase() {
		return this.proxy;
	}

	TlsLayer tls() {
		return this.tls;
	}

	@Override
	public boolean isOpen() {
		return this.channel.isOpen();
	}

	@Override
	public String getHostAddress() {
		return this.stats.clientAddress().getHostAddress();
	}

	@Override
	public int getPort() {
		return this.stats.clientPort();
	}

	@Override
	public SSLSession getSslSession() {
		return (this.tls != null) ? this.tls.sslSession() : null;
	}

	@Override
	public SocketInfo getSocketInfo() {
		return new SocketInfo(this.channel.socket());
	}

}
