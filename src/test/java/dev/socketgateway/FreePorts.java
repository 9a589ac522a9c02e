package dev.socketgateway;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.ServerSocket;

/**
 * Ports free a moment ago, for programs that must be told a port up front (a balancer's listen address, a
 * gateway's configured port) rather than binding port 0 and saying which they got.
 */
public final class FreePorts {

	private FreePorts() {
	}

	public static int tcp() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

	public static int udp() throws IOException {
		try (DatagramSocket socket = new DatagramSocket(0)) {
			return socket.getLocalPort();
		}
	}

}
