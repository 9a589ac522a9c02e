package dev.socketgateway.tcp;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

import javax.net.ssl.SSLException;

import dev.socketgateway.config.ProxyProtocol;
import dev.socketgateway.listener.ConnectionInfo;
import dev.socketgateway.tcp.framing.FrameCodec;
import dev.socketgateway.tcp.framing.FramingException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.integration.ip.tcp.connection.TcpListener;
import org.springframework.integration.ip.tcp.connection.TcpNioConnection;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessageHeaders;

/**
 * A server connection that reads, frames and dispatches on its listener's event loop (see
 * {@link EventLoop}), and writes replies straight to the socket.
 *
 * <p>Spring Integration's own {@link TcpNioConnection} copies every read into a pipe and decodes it on a
 * second thread. On end of input it closes the connection at once, while that second thread may still
 * hold the request, so the close unregisters the connection from the outbound adapter and the reply is
 * dropped with "Unable to find outbound socket". Here a read is framed and sent through the flow on the
 * reading thread, so by the time end of input is seen every reply has been written or queued, and the
 * connection closes only after the queue is flushed. Reads of one connection never overlap (its event loop
 * reads the selected connections one after another), which keeps replies in request order.
 */
final class GatewayConnection extends TcpNioConnection {

	private static final Logger logger = LoggerFactory.getLogger(GatewayConnection.class);

	private final SocketChannel channel;

	private final TcpListenerContext context;

	private final GatewayServerConnectionFactory factory;

	private final FrameCodec decoder;

	/** Where the decoder hands each frame; made once, not as a new method reference on every read. */
	private final Consumer<byte[]> dispatcher = this::dispatch;

	/** Refused by max-connections: told so, then closed on its first selection. */
	private final boolean refused;

	private final ReentrantLock writeLock = new ReentrantLock();

	/** Keeps the shutdown drain and the event loop from reading this connection at the same time. */
	private final ReentrantLock readLock = new ReentrantLock();

	/** Reply bytes the socket did not take yet; guarded by writeLock. */
	private final ArrayDeque<ByteBuffer> pending = new ArrayDeque<>();

	private int pendingBytes;

	private SelectionKey flushKey;

	/** Set once the connection is to close as soon as its queued replies are written; guarded by writeLock. */
	private boolean closeWhenFlushed;

	/** When a closing connection is dropped even if the client has not read its replies; 0 if not closing. */
	private volatile long closeDeadline;

	private byte[] payload;

	private boolean inputEnded;

	/** Set by the quit command: later messages in the same read are not answered. */
	private boolean quitting;

	private final long id;

	private final long openedAt = System.currentTimeMillis();

	/**
	 * When bytes last arrived (or the connection opened). Every write answers a read or the accept and
	 * happens on its thread right after it, so this also covers the replies without a second clock read
	 * per message.
	 */
	private volatile long lastActivity = this.openedAt;

	/** Written by one reader at a time; volatile so the connections endpoint sees current values. */
	private volatile long bytesReceived;

	private volatile long messagesReceived;

	/** Written under writeLock. */
	private volatile long bytesSent;

	/** Written by the thread answering this connection's current read. */
	private volatile long messagesSent;

	private final AtomicBoolean closed = new AtomicBoolean();

	/** The headers of every message read here. */
	private final MessageHeaders messageHeaders = GatewayMessageMapper.headers(getConnectionId());

	/** The TLS side of this connection; null on a plain listener. */
	private final TlsSession tls;

	/** The banner, while it waits for the PROXY header or the TLS handshake. */
	private volatile byte[] banner;

	/**
	 * Reads the PROXY header while one is expected; null once it is read, or with proxy-protocol off.
	 * Read and cleared under readLock (by the event loop, or by the reaper at the header timeout).
	 */
	private volatile ProxyHeaderReader proxyHeader;

	/** The client: the socket's peer, or the address a trusted PROXY header gave. */
	private volatile InetAddress clientAddress;

	private volatile int clientPort;

	/** The balancer's address and port when a PROXY header named the client; null otherwise. */
	private volatile String proxiedBy;

	GatewayConnection(SocketChannel channel, ApplicationEventPublisher publisher, String factoryName,
			TcpListenerContext context, GatewayServerConnectionFactory factory, boolean refused) {
		super(channel, true, false, publisher, factoryName);
		this.channel = channel;
		this.context = context;
		this.factory = factory;
		this.decoder = context.newDecoder();
		this.refused = refused;
		this.id = context.nextConnectionId();
		this.clientAddress = channel.socket().getInetAddress();
		this.clientPort = channel.socket().getPort();
		this.proxyHeader = (!refused && context.proxyProtocol() != ProxyProtocol.OFF)
				? new ProxyHeaderReader(context.proxyTrusted(this.clientAddress)) : null;
		this.tls = (!refused && context.tls()) ? new TlsSession(context.newSslEngine(), this.writeLock, new TlsLink())
				: null;
		if (!refused) {
			context.connections().add(this);
			context.metrics().opened();
			logger.debug("Listener '{}' peer {}: connection {} opened", context.name(), peer(), this.id);
		}
	}

	TcpListenerContext context() {
		return this.context;
	}

	/** Runs on the event loop; the factory does not select this channel again until it returns. */
	@Override
	public void readPacket() {
		if (this.refused) {
			close();
			return;
		}
		readAvailable();
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
			return !this.inputEnded && read();
		}
		finally {
			this.readLock.unlock();
		}
	}

	private boolean read() {
		ByteBuffer buffer = this.context.readBuffer();
		int read;
		try {
			read = this.channel.read(buffer);
		}
		catch (IOException ex) {
			logger.debug("Listener '{}' peer {}: read failed, closing: {}", this.context.name(), peer(), ex.toString());
			this.context.metrics().error("reset");
			close();
			return false;
		}
		if (read == 0) {
			return false;
		}
		this.lastActivity = System.currentTimeMillis();
		if (read > 0) {
			this.bytesReceived += read;
			this.context.metrics().received(read);
		}
		try {
			if (read < 0 && this.proxyHeader != null) {
				this.inputEnded = true;
				proxyHeaderEnded();
				return true;
			}
			if (read < 0) {
				this.inputEnded = true;
				if (this.tls != null) {
					this.tls.inputEnded();
				}
				this.decoder.endOfInput(this.dispatcher);
				closeAfterReplies(); // the client half-closed; it may still be reading
				return true;
			}
			ByteBuffer bytes = buffer.flip();
			if (this.proxyHeader != null && ((bytes = readProxyHeader(bytes)) == null || !bytes.hasRemaining())) {
				return true; // the header is incomplete or refused, or nothing followed it yet
			}
			if (this.tls == null) {
				this.decoder.decode(bytes, this.dispatcher);
			}
			else if (!readTls(bytes)) {
				return true;
			}
			if (this.quitting) {
				closeAfterReplies();
			}
		}
		catch (RuntimeException ex) {
			fail(ex);
		}
		return true;
	}

	/**
	 * Feeds the PROXY header reader. The header comes before TLS and before any framing, as balancers
	 * send it; what follows it in the same read is handed on.
	 * @return the bytes after the header, or null while the header is incomplete or once it was refused
	 */
	private ByteBuffer readProxyHeader(ByteBuffer bytes) {
		ProxyHeaderReader reader = this.proxyHeader;
		ProxyHeaderReader.Outcome outcome;
		try {
			outcome = reader.offer(bytes);
		}
		catch (FramingException ex) {
			refuseProxyHeader(ex.getMessage());
			return null;
		}
		if (outcome == ProxyHeaderReader.Outcome.MORE) {
			return null;
		}
		if (outcome == ProxyHeaderReader.Outcome.NONE && this.context.proxyProtocol() == ProxyProtocol.REQUIRED) {
			refuseProxyHeader("no PROXY header (proxy-protocol: required)");
			return null;
		}
		InetSocketAddress source = reader.source();
		if (source != null) {
			this.proxiedBy = peer();
			this.clientAddress = source.getAddress();
			this.clientPort = source.getPort();
			logger.debug("Listener '{}' peer {}: connection {} proxied by {}", this.context.name(), peer(), this.id,
					this.proxiedBy);
		}
		return admitClient() ? reader.rest() : null;
	}

	/** End of input while a PROXY header was expected: a balancer's bare health check, or a cut header. */
	private void proxyHeaderEnded() {
		if (this.proxyHeader.started()) {
			refuseProxyHeader("PROXY header cut short by end of input");
			return;
		}
		close();
	}

	/**
	 * Called by the reaper: a connection that has not delivered its PROXY header within
	 * proxy-header-timeout is closed; under optional, one that has sent nothing at all is served as plain.
	 * @return true if the connection was closed
	 */
	boolean endProxyHeaderWaitIfOverdue(long now) {
		if (this.proxyHeader == null || now - this.openedAt < this.context.proxyHeaderTimeout().toMillis()
				|| !this.readLock.tryLock()) {
			return false; // a reader holding the lock gets it next round
		}
		try {
			ProxyHeaderReader reader = this.proxyHeader;
			if (reader == null || this.inputEnded) {
				return false;
			}
			if (this.context.proxyProtocol() == ProxyProtocol.OPTIONAL && !reader.started()) {
				return !admitClient();
			}
			refuseProxyHeader("no complete PROXY header within " + this.context.proxyHeaderTimeout());
			return true;
		}
		finally {
			this.readLock.unlock();
		}
	}

	private void refuseProxyHeader(String why) {
		this.proxyHeader = null;
		this.inputEnded = true;
		this.context.metrics().error("proxy-header");
		this.context.warnings().warn("Listener '{}' peer {}: {}; closing connection", this.context.name(), peer(), why);
		close();
	}

	/**
	 * The header phase is over and the client known: with PROXY protocol, allowed-cidrs is checked here,
	 * against the client's address rather than the balancer's, and then the banner goes out.
	 * @return false if the client is not allowed and the connection was closed
	 */
	private boolean admitClient() {
		this.proxyHeader = null;
		if (!this.context.allowList().allows(this.clientAddress)) {
			this.inputEnded = true;
			this.context.metrics().rejected("not-allowed");
			this.context.warnings().warn("Listener '{}' peer {}: address not in allowed-cidrs; connection closed",
					this.context.name(), peer());
			close();
			return false;
		}
		if (this.tls == null) {
			sendBanner();
		}
		return true;
	}

	/** Sends the banner if one is waiting; a TLS connection's waits for the handshake. */
	private void sendBanner() {
		byte[] greeting = this.banner;
		if (greeting != null) {
			this.banner = null;
			this.context.metrics().sentUnsolicited(write(this.decoder.encode(greeting)));
		}
	}

	/**
	 * Unwraps records and answers their plaintext.
	 * @return false if the session ended (close_notify or a TLS failure) and the connection is closing
	 */
	private boolean readTls(ByteBuffer records) {
		try {
			if (this.tls.receive(records)) {
				return true;
			}
			this.inputEnded = true; // close_notify: the client sends nothing more
			this.decoder.endOfInput(this.dispatcher);
		}
		catch (SSLException ex) {
			this.inputEnded = true;
			if (this.tls.established()) {
				this.context.metrics().error("malformed");
				this.context.warnings().warn("Listener '{}' peer {}: TLS error: {}; closing connection",
						this.context.name(), peer(), ex.getMessage());
			}
			else {
				this.context.metrics().error("tls-handshake");
				this.context.warnings().warn("Listener '{}' peer {}: TLS handshake failed: {}; closing connection",
						this.context.name(), peer(), ex.getMessage());
			}
		}
		closeAfterReplies();
		return false;
	}

	private void dispatch(byte[] frame) {
		if (this.quitting) {
			return;
		}
		this.messagesReceived++;
		this.context.metrics().message();
		this.payload = frame;
		Message<?> message = getMapper().toMessage(this);
		this.payload = null;
		TcpListener listener = getListener();
		if (message != null && listener != null) {
			listener.onMessage(message);
		}
		this.quitting = isQuit(frame);
	}

	private boolean isQuit(byte[] frame) {
		String quit = this.context.quitCommand();
		if (quit == null || frame.length > 4 * quit.length() + 2) {
			return false;
		}
		return new String(frame, this.context.settings().getCharset()).strip().equalsIgnoreCase(quit);
	}

	/**
	 * Bad input or a failed reply: one throttled WARN for bad input, then this connection alone is closed,
	 * after the replies to its earlier, valid messages are written.
	 */
	private void fail(RuntimeException ex) {
		if (find(ex, WriteFailedException.class) != null) {
			logger.debug("Listener '{}' peer {}: reply not written: {}", this.context.name(), peer(), ex.toString());
			close();
			return;
		}
		FramingException framing = find(ex, FramingException.class);
		this.context.metrics().error((framing != null) ? framing.reason() : "malformed");
		if (framing != null) {
			this.context.warnings().warn("Listener '{}' peer {}: {}, closing connection", this.context.name(), peer(),
					framing.getMessage());
			ByteBuffer notice = framing.isTooLarge() ? this.decoder.tooLargeReply() : null;
			if (notice != null) {
				try {
					this.context.metrics().sentUnsolicited(write(notice));
				}
				catch (WriteFailedException gone) {
					return; // already closed
				}
			}
		}
		else {
			this.context.warnings().warn("Listener '{}' peer {}: closing connection: {}", this.context.name(), peer(),
					ex.toString());
		}
		closeAfterReplies();
	}

	private static <T extends Throwable> T find(Throwable ex, Class<T> type) {
		for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
			if (type.isInstance(cause)) {
				return type.cast(cause);
			}
		}
		return null;
	}

	@Override
	public Object getPayload() {
		return this.payload;
	}

	MessageHeaders messageHeaders() {
		return this.messageHeaders;
	}

	@Override
	public void send(Message<?> message) {
		int length = write(this.decoder.encode((byte[]) message.getPayload()));
		this.messagesSent++;
		this.context.metrics().sent(length);
	}

	/**
	 * Sends the banner; called once, before the connection is first read. It waits for the PROXY header,
	 * if one is expected, and for the TLS handshake.
	 */
	void greet(byte[] banner) {
		this.banner = banner;
		if (this.tls == null && this.proxyHeader == null) {
			sendBanner();
		}
	}

	/**
	 * Sends framed plaintext, as TLS records on a TLS connection.
	 * @return the bytes put on the wire (or queued for it)
	 */
	private int write(ByteBuffer plaintext) {
		if (this.tls == null) {
			int length = plaintext.remaining();
			sendBytes(plaintext);
			return length;
		}
		this.writeLock.lock();
		try {
			ByteBuffer records = this.tls.wrap(plaintext);
			int length = records.remaining();
			sendBytes(records);
			return length;
		}
		catch (SSLException ex) {
			logger.debug("Listener '{}' peer {}: TLS wrap failed: {}", this.context.name(), peer(), ex.toString());
			this.context.metrics().error("write-failed");
			close();
			throw new WriteFailedException(ex);
		}
		finally {
			this.writeLock.unlock();
		}
	}

	private void sendBytes(ByteBuffer reply) {
		sendBytes(reply, true);
	}

	/** @param counted whether a failed write counts as write-failed (not so for a best-effort close_notify) */
	private void sendBytes(ByteBuffer reply, boolean counted) {
		this.writeLock.lock();
		try {
			this.bytesSent += reply.remaining();
			if (!this.pending.isEmpty()) {
				enqueue(reply);
				return;
			}
			this.channel.write(reply);
			if (reply.hasRemaining()) {
				enqueue(reply);
				this.context.flusher().flushWhenWritable(this);
			}
		}
		catch (IOException ex) {
			if (counted) {
				this.context.metrics().error("write-failed");
			}
			close();
			throw new WriteFailedException(ex);
		}
		finally {
			this.writeLock.unlock();
		}
	}

	private void enqueue(ByteBuffer reply) {
		if (this.pendingBytes + reply.remaining() > this.context.maxPendingWriteBytes()) {
			this.context.warnings().warn("Listener '{}' peer {}: client is not reading, {} reply bytes pending; closing",
					this.context.name(), peer(), this.pendingBytes + reply.remaining());
			this.context.metrics().error("write-failed");
			close();
			throw new WriteFailedException(new IOException("pending write limit exceeded"));
		}
		this.pending.add(reply);
		this.pendingBytes += reply.remaining();
	}

	/**
	 * Called by the flusher thread when the socket can take more.
	 * @return true when nothing is left to write
	 */
	boolean flushPending() {
		this.writeLock.lock();
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
				close();
			}
			return true;
		}
		catch (IOException ex) {
			logger.debug("Listener '{}' peer {}: flush failed: {}", this.context.name(), peer(), ex.toString());
			this.context.metrics().error("write-failed");
			this.pending.clear();
			this.pendingBytes = 0;
			close();
			return true;
		}
		finally {
			this.writeLock.unlock();
		}
	}

	/**
	 * Closes once queued replies are on the wire. Nothing waits here: the read interest is dropped so that
	 * a half-closed socket does not keep the loop busy, the flusher closes the connection when its queue
	 * empties, and the reaper closes it at the deadline if the client stops reading.
	 */
	private void closeAfterReplies() {
		this.writeLock.lock();
		try {
			if (this.tls != null) {
				sendCloseNotify();
			}
			if (!this.pending.isEmpty() && this.channel.isOpen()) {
				this.closeWhenFlushed = true;
				this.closeDeadline = System.currentTimeMillis() + this.context.writeTimeout().toMillis();
				stopReading();
				return;
			}
		}
		finally {
			this.writeLock.unlock();
		}
		close();
	}

	/** Best effort, with the write lock held: close_notify, or the alert of a failed handshake. */
	private void sendCloseNotify() {
		if (!this.channel.isOpen()) {
			return;
		}
		try {
			ByteBuffer records = this.tls.close();
			if (records.hasRemaining()) {
				this.context.metrics().sentUnsolicited(records.remaining());
				sendBytes(records, false);
			}
		}
		catch (SSLException | WriteFailedException ex) {
			logger.debug("Listener '{}' peer {}: close_notify not sent: {}", this.context.name(), peer(), ex.toString());
		}
	}

	private void stopReading() {
		java.nio.channels.Selector selector = this.factory.selector();
		SelectionKey key = (selector != null) ? this.channel.keyFor(selector) : null;
		if (key != null) {
			key.cancel();
		}
	}

	/** Called by the reaper: a closing client that did not read its last replies in time is dropped. */
	boolean closeIfOverdue(long now) {
		long deadline = this.closeDeadline;
		if (deadline == 0 || now < deadline) {
			return false;
		}
		this.context.warnings().warn("Listener '{}' peer {}: replies not read within {}; closing", this.context.name(),
				peer(), this.context.writeTimeout());
		this.context.metrics().error("write-failed");
		close();
		return true;
	}

	boolean hasPendingWrites() {
		this.writeLock.lock();
		try {
			return !this.pending.isEmpty();
		}
		finally {
			this.writeLock.unlock();
		}
	}

	long lastActivity() {
		return this.lastActivity;
	}

	SocketChannel channel() {
		return this.channel;
	}

	SelectionKey flushKey() {
		return this.flushKey;
	}

	void flushKey(SelectionKey key) {
		this.flushKey = key;
	}

	/** The client as logs show it: the PROXY header's address once one was read. */
	String peer() {
		return this.clientAddress.getHostAddress() + ":" + this.clientPort;
	}

	@Override
	public void close() {
		if (this.closed.compareAndSet(false, true) && !this.refused) {
			this.context.connections().remove(this);
			this.context.release();
			this.context.metrics().closed();
			this.context.closed(this.messagesReceived, this.messagesSent);
			logger.debug("Listener '{}' peer {}: connection {} closed", this.context.name(), peer(), this.id);
		}
		super.close();
	}

	long id() {
		return this.id;
	}

	long messagesReceived() {
		return this.messagesReceived;
	}

	long messagesSent() {
		return this.messagesSent;
	}

	/** How the TLS session reaches this connection. */
	private final class TlsLink implements TlsSession.Link {

		@Override
		public void send(ByteBuffer records) {
			GatewayConnection.this.context.metrics().sentUnsolicited(records.remaining());
			sendBytes(records);
		}

		@Override
		public void received(ByteBuffer plaintext) {
			GatewayConnection.this.decoder.decode(plaintext, GatewayConnection.this.dispatcher);
		}

		@Override
		public void established() {
			sendBanner();
		}

	}

	ConnectionInfo info() {
		return new ConnectionInfo(this.id, this.clientAddress.getHostAddress(), this.clientPort, this.proxiedBy,
				Instant.ofEpochMilli(this.openedAt), Instant.ofEpochMilli(this.lastActivity), this.bytesReceived,
				this.bytesSent, this.messagesReceived, this.messagesSent);
	}

}
