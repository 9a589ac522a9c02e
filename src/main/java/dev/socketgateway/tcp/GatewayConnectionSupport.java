package dev.socketgateway.tcp;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

import dev.socketgateway.config.ProxyProtocol;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.integration.ip.tcp.connection.TcpNioConnection;
import org.springframework.integration.ip.tcp.connection.TcpNioConnectionSupport;

/**
 * Makes the connection factory create {@link GatewayConnection}s for one listener, and enforces
 * allowed-cidrs, max-connections-per-client and max-connections where each connection is accepted, before
 * anything is read (with PROXY protocol, allowed-cidrs and the per-client limits wait for the header).
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
		boolean proxied = this.context.settings().getProxyProtocol() != ProxyProtocol.OFF;
		InetAddress address = socketChannel.socket().getInetAddress();
		boolean allowed = proxied || this.context.allowList().allows(address);
		ClientLimits limits = this.context.clientLimits();
		ClientSlot client = (allowed && !proxied && limits != null)
				? limits.admit(address, address.getHostAddress() + ":" + socketChannel.socket().getPort()) : null;
		boolean overClientLimit = allowed && !proxied && limits != null && client == null;
		boolean refuse = !allowed || overClientLimit || !this.context.connections().admit();
		if (refuse && client != null) {
			client.release();
			client = null;
		}
		GatewayConnection connection = new GatewayConnection(socketChannel, applicationEventPublisher,
				connectionFactoryName, this.context, this.factory, refuse);
		if (!allowed) {
			refuse(connection, socketChannel, CloseReason.NOT_ALLOWED, "address not in allowed-cidrs", null);
		}
		else if (overClientLimit) {
			connection.closing(CloseReason.PER_CLIENT_LIMIT); // counted and logged by ClientLimits.admit
			tellAndShutDown(this.context, connection, socketChannel, this.context.busyMessage());
		}
		else if (refuse) {
			refuse(connection, socketChannel, CloseReason.MAX_CONNECTIONS,
					"max-connections (" + this.context.connections().maxConnections() + ") reached",
					this.context.busyMessage());
		}
		else {
			if (client != null) {
				connection.holdClient(client);
			}
			if (this.context.banner() != null) {
				connection.greet(this.context.banner());
			}
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
		tellAndShutDown(this.context, connection, channel, message);
	}

	/**
	 * Sends a refused connection the message, if any (not on TLS), and shuts the socket down both ways; its next
	 * read closes it.
	 */
	static void tellAndShutDown(TcpListenerContext context, GatewayConnection connection, SocketChannel channel,
			byte[] message) {
		try {
			if (message != null && context.tls() == null) { // a TLS client could not read it
				ByteBuffer framed = context.newCodec().encode(message);
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
