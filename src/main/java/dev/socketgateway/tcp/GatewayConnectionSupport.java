package dev.socketgateway.tcp;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

import dev.socketgateway.config.ProxyProtocol;

/**
 * Creates a {@link GatewayConnection} for each client a listener's event loop accepts, and enforces
 * allowed-cidrs, max-connections-per-client and max-connections right there, before anything is read (with PROXY
 * protocol, allowed-cidrs and the per-client limits wait for the header).
 */
final class GatewayConnectionSupport {

	private final TcpListenerContext context;

	GatewayConnectionSupport(TcpListenerContext context) {
		this.context = context;
	}

	/**
	 * Runs on an event loop's accept path; the admission count is shared by the listener's loops.
	 * @return the connection, refused (told so and shut down) or admitted
	 * @throws IOException if the client is gone already
	 */
	GatewayConnection accept(SocketChannel socketChannel, GatewayServerConnectionFactory factory) throws IOException {
		InetSocketAddress remote = (InetSocketAddress) socketChannel.getRemoteAddress();
		// Behind PROXY protocol the socket's peer is the balancer: the connection checks the client's
		// address once the header names it.
		boolean proxied = this.context.settings().getProxyProtocol() != ProxyProtocol.OFF;
		InetAddress address = remote.getAddress();
		boolean allowed = proxied || this.context.allowList().allows(address);
		ClientLimits limits = this.context.clientLimits();
		ClientSlot client = (allowed && !proxied && limits != null)
				? limits.admit(address, address.getHostAddress() + ":" + remote.getPort()) : null;
		boolean overClientLimit = allowed && !proxied && limits != null && client == null;
		boolean refuse = !allowed || overClientLimit || !this.context.connections().admit();
		if (refuse && client != null) {
			client.release();
			client = null;
		}
		GatewayConnection connection = new GatewayConnection(socketChannel, remote, this.context, factory, refuse);
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
