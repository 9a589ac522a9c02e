package dev.socketgateway.tcp;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;

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

	/**
	 * Sockets with SO_REUSEPORT share a port with any other such socket of the same user, another instance of
	 * this service included. A plain bind first makes a busy port fail as it should.
	 * @param bindAddress the address to bind, or null for every interface
	 * @param describe the listener, for the failure message
	 * @throws IllegalStateException if the port is taken
	 */
	static void probe(String bindAddress, int port, String describe) {
		try (ServerSocketChannel probe = ServerSocketChannel.open()) {
			probe.bind((bindAddress != null) ? new InetSocketAddress(InetAddress.getByName(bindAddress), port)
					: new InetSocketAddress(port));
		}
		catch (IOException ex) {
			throw new IllegalStateException(describe + " cannot listen: " + ex.getMessage(), ex);
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
