package dev.socketgateway.tcp;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.StandardSocketOptions;

import org.springframework.integration.ip.tcp.connection.DefaultTcpSocketSupport;

/**
 * Lets a listener's event loops bind one port together: with SO_REUSEPORT the kernel spreads new
 * connections over their sockets, so each loop serves its share on its own thread.
 */
final class ReusePortSocketSupport extends DefaultTcpSocketSupport {

	@Override
	public void postProcessServerSocket(ServerSocket serverSocket) {
		super.postProcessServerSocket(serverSocket);
		try {
			serverSocket.setOption(StandardSocketOptions.SO_REUSEPORT, true);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("SO_REUSEPORT is not available here; set event-loops: 1", ex);
		}
	}

	static boolean supported() {
		try (ServerSocket probe = new ServerSocket()) {
			return probe.supportedOptions().contains(StandardSocketOptions.SO_REUSEPORT);
		}
		catch (IOException ex) {
			return false;
		}
	}

}
