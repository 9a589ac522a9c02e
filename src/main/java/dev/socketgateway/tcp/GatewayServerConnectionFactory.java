package dev.socketgateway.tcp;

import java.io.IOException;
import java.nio.channels.ServerSocketChannel;

import org.springframework.integration.ip.tcp.connection.TcpNioServerConnectionFactory;

/**
 * The NIO server connection factory with an orderly stop. The stock {@code stop()} closes the selector
 * while the factory still counts as active, so its select loop logs "Selector closed" at ERROR on every
 * clean shutdown; and it offers no way to stop accepting while open connections are still answered.
 */
final class GatewayServerConnectionFactory extends TcpNioServerConnectionFactory {

	GatewayServerConnectionFactory(int port) {
		super(port);
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
