package dev.socketgateway.tcp;

import java.io.IOException;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Map;

import org.springframework.integration.ip.tcp.connection.TcpNioConnection;
import org.springframework.integration.ip.tcp.connection.TcpNioServerConnectionFactory;

/**
 * The NIO server connection factory with an orderly stop. The stock {@code stop()} closes the selector
 * while the factory still counts as active, so its select loop logs "Selector closed" at ERROR on every
 * clean shutdown; and it offers no way to stop accepting while open connections are still answered.
 */
final class GatewayServerConnectionFactory extends TcpNioServerConnectionFactory {

	private final TcpListenerContext context;

	GatewayServerConnectionFactory(int port, TcpListenerContext context) {
		super(port);
		this.context = context;
	}

	/** Hands the selector to the connections, which the stock factory keeps to itself. */
	@Override
	protected void processNioSelections(int selectionCount, Selector selector, ServerSocketChannel server,
			Map<SocketChannel, TcpNioConnection> connectionMap) {
		if (this.context.readSelector() != selector) {
			this.context.readSelector(selector);
		}
		super.processNioSelections(selectionCount, selector, server, connectionMap);
	}

	/** Closes the listening socket, so new clients are refused, while open connections keep being served. */
	void stopAccepting() {
		beforeShutdown();
		ServerSocketChannel server = getServerChannel();
		if (server != null) {
			try {
				server.close();
			}
			catch (IOException ex) {
				logger.debug(ex, "Closing the server channel failed");
			}
		}
	}

	@Override
	public void stop() {
		setActive(false);
		super.stop();
	}

}
