package dev.socketgateway.tcp;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.Channel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.integration.ip.tcp.connection.TcpSocketSupport;

/**
 * One event loop's listening socket: binds it, accepts every client waiting in its backlog when the loop's select
 * finds it ready, and has {@link GatewayConnectionSupport} admit or refuse each. Everything here runs on the loop
 * (or before it starts), so its fields need no guard but for the socket other threads ask about.
 */
final class Acceptor {

	/** How long accepting pauses after an accept failed (out of file descriptors, say), rather than spin. */
	private static final long RETRY_MILLIS = 100;

	private static final Logger logger = LoggerFactory.getLogger(Acceptor.class);

	private final TcpListenerContext context;

	private final GatewayServerConnectionFactory factory;

	private final TcpSocketSupport sockets;

	private final GatewayConnectionSupport admission;

	/** The listening socket; null while there is none. */
	private volatile ServerSocketChannel channel;

	/** After an accept failed: when the loop accepts again; 0 while accepting. */
	private long pausedUntil;

	/** @param sockets what sets the listening socket's options, such as SO_REUSEPORT */
	Acceptor(TcpListenerContext context, GatewayServerConnectionFactory factory, TcpSocketSupport sockets) {
		this.context = context;
		this.factory = factory;
		this.sockets = sockets;
		this.admission = new GatewayConnectionSupport(context);
	}

	/**
	 * Opens, binds and registers a listening socket with the factory's address and backlog; closed again if any of
	 * that fails.
	 * @return the port bound
	 */
	int listen(int port, Selector selector) throws IOException {
		ServerSocketChannel server = ServerSocketChannel.open();
		try {
			this.sockets.postProcessServerSocket(server.socket());
			server.configureBlocking(false);
			String address = this.factory.getLocalAddress();
			server.socket().bind((address != null) ? new InetSocketAddress(InetAddress.getByName(address), port)
					: new InetSocketAddress(port), Math.abs(this.factory.getBacklog()));
			server.register(selector, SelectionKey.OP_ACCEPT);
		}
		catch (IOException | RuntimeException ex) {
			server.close();
			throw ex;
		}
		this.channel = server;
		this.pausedUntil = 0;
		return server.socket().getLocalPort();
	}

	/** Whether a listening socket is open. */
	boolean isListening() {
		ServerSocketChannel server = this.channel;
		return server != null && server.isOpen();
	}

	/** The listening socket's address, or null while there is none. */
	InetSocketAddress address() {
		ServerSocketChannel server = this.channel;
		return (server != null) ? (InetSocketAddress) server.socket().getLocalSocketAddress() : null;
	}

	/** Closes the listening socket: new clients are refused, not left in the backlog. */
	void close() {
		closeQuietly(this.channel);
		this.channel = null;
		this.pausedUntil = 0;
	}

	/**
	 * Accepting again once a pause after a failure is over.
	 * @return how long the loop's select may wait, 0 for as long as it likes
	 */
	long selectTimeout(Selector selector) {
		if (this.pausedUntil == 0) {
			return 0;
		}
		long left = this.pausedUntil - System.currentTimeMillis();
		if (left > 0) {
			return left;
		}
		this.pausedUntil = 0;
		SelectionKey key = key(selector);
		if (key != null) {
			key.interestOps(SelectionKey.OP_ACCEPT);
		}
		return 0;
	}

	/** Accepts every client waiting in the backlog; the loop's select found the socket ready. */
	void acceptAll(Selector selector) {
		ServerSocketChannel server = this.channel;
		while (server != null) {
			SocketChannel client;
			try {
				client = server.accept();
			}
			catch (IOException ex) {
				failed(server, selector, ex);
				return;
			}
			if (client == null) {
				return;
			}
			open(client, selector);
		}
	}

	/**
	 * Out of file descriptors, say: counted as {@code gateway.errors{reason=accept-failed}}. The client stays in the
	 * backlog, and accepting pauses briefly rather than have every select find the socket ready again at once.
	 */
	private void failed(ServerSocketChannel server, Selector selector, IOException ex) {
		if (!server.isOpen()) {
			return; // closed meanwhile
		}
		this.context.metrics().error("accept-failed");
		this.context.warnings().warn("Listener '{}': accepting a connection failed ({}); accepting again in {} ms",
				this.context.name(), ex.toString(), RETRY_MILLIS);
		SelectionKey key = key(selector);
		if (key != null) {
			key.interestOps(0);
			this.pausedUntil = System.currentTimeMillis() + RETRY_MILLIS;
		}
	}

	private SelectionKey key(Selector selector) {
		ServerSocketChannel server = this.channel;
		SelectionKey key = (server != null) ? server.keyFor(selector) : null;
		return (key != null && key.isValid()) ? key : null;
	}

	/** Admits or refuses a new client, and registers its connection for reading. */
	private void open(SocketChannel client, Selector selector) {
		if (this.factory.isStopping()) {
			closeQuietly(client);
			return;
		}
		GatewayConnection connection = null;
		try {
			client.configureBlocking(false);
			client.setOption(StandardSocketOptions.TCP_NODELAY, true);
			connection = this.admission.accept(client, this.factory);
			client.register(selector, SelectionKey.OP_READ, connection);
		}
		catch (IOException | RuntimeException ex) {
			// Reset before it was registered, say; nothing was read from it.
			logger.debug("Listener '{}': a new connection failed", this.context.name(), ex);
			if (connection != null) {
				connection.close(CloseReason.RESET);
			}
			else {
				closeQuietly(client);
			}
			return;
		}
		if (!connection.refused()) {
			this.factory.opened(connection);
		}
	}

	static void closeQuietly(Channel channel) {
		if (channel != null) {
			try {
				channel.close();
			}
			catch (IOException ex) {
				logger.debug("Closing a channel failed", ex);
			}
		}
	}

}
