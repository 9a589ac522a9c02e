package dev.socketgateway.tcp;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

import dev.socketgateway.config.ProxyProtocol;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.integration.ip.tcp.connection.TcpNioConnection;
import org.springframework.integration.ip.tcp.connection.TcpNioConnectionSupport;

/**
 * Makes the connection factory create {@link GatewayConnection}s for one listener, and enforces
 * allowed-cidrs and max-connections where each connection is accepted, before anything is read (with
 * PROXY protocol, allowed-cidrs waits for the header).
 */
final class GatewayConnectionSupport implements TcpNioConnectionSupport {

	private final TcpListenerContext context;

	private final GatewayServerConnectionFactory factory;

	GatewayConnectionSupport(TcpListenerContext context, GatewayServerConnectionFactory factory) {
		this.context = context;
		this.factory = factory;
	}

	/** Runs on an event loop's accept path; the admission count is shared by the listener's loops. */
	@Override
	public TcpNioConnection createNewConnection(SocketChannel socketChannel, boolean server, boolean lookupHost,
			ApplicationEventPublisher applicationEventPublisher, String connectionFactoryName) {
		// Behind PROXY protocol the socket's peer is the balancer: the connection checks the client's
		// address once the header names it.
		boolean allowed = this.context.settings().getProxyProtocol() != ProxyProtocol.OFF
				|| this.context.allowList().allows(socketChannel.socket().getInetAddress());
		boolean refuse = !allowed || !this.context.connections().admit();
		GatewayConnection connection = new GatewayConnection(socketChannel, applicationEventPublisher,
				connectionFactoryName, this.context, this.factory, refuse);
		if (!allowed) {
			refuse(connection, socketChannel, CloseReason.NOT_ALLOWED, "address not in allowed-cidrs", null);
		}
		else if (refuse) {
			refuse(connection, socketChannel, CloseReason.MAX_CONNECTIONS,
					"max-connections (" + this.context.connections().maxConnections() + ") reached",
					this.context.busyMessage());
		}
		else if (this.context.banner() != null) {
			connection.greet(this.context.banner());
		}
		return connection;
	}

	/**
	 * The factory goes on to register the channel for reading, so it is not closed here; shutting its
	 * input down makes it readable at once, and its first read closes it.
	 */
	private void refuse(GatewayConnection connection, SocketChannel channel, CloseReason reason, String why,
			byte[] message) {
		connection.closing(reason);
		this.context.metrics().rejected(reason.toString());
		this.context.warnings().warn("Listener '{}' peer {}: {}; connection refused", this.context.name(),
				connection.peer(), why);
		try {
			if (message != null && this.context.tls() == null) { // a TLS client could not read it
				ByteBuffer framed = this.context.newCodec().encode(message);
				// Best effort: a short message fits an empty socket buffer. Nothing else writes to a refused connection.
				connection.stats().sent(channel.write(framed));
			}
			channel.shutdownOutput();
			channel.shutdownInput();
		}
		catch (IOException ex) {
			// the client is gone already; its first read closes the connection
		}
	}

}
