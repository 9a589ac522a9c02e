package dev.socketgateway.tcp;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.integration.ip.tcp.connection.TcpNioConnection;
import org.springframework.integration.ip.tcp.connection.TcpNioConnectionSupport;

/**
 * Makes the connection factory create {@link GatewayConnection}s for one listener, and enforces
 * max-connections where each connection is accepted.
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
		boolean refuse = !this.context.admit();
		GatewayConnection connection = new GatewayConnection(socketChannel, applicationEventPublisher,
				connectionFactoryName, this.context, this.factory, refuse);
		if (refuse) {
			refuse(connection, socketChannel);
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
	private void refuse(GatewayConnection connection, SocketChannel channel) {
		this.context.metrics().rejected("max-connections");
		this.context.warnings().warn("Listener '{}' peer {}: max-connections ({}) reached; connection refused",
				this.context.name(), connection.peer(), this.context.maxConnections());
		try {
			if (this.context.busyMessage() != null) {
				ByteBuffer busy = this.context.newDecoder().encode(this.context.busyMessage());
				channel.write(busy); // best effort: a short message fits an empty socket buffer
			}
			channel.shutdownOutput();
			channel.shutdownInput();
		}
		catch (IOException ex) {
			// the client is gone already; its first read closes the connection
		}
	}

}
