package dev.socketgateway.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;

/** Free loopback ports. */
final class Ports {

	static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

	private static final int ATTEMPTS = 50;

	private Ports() {
	}

	/** A port free for both TCP and UDP on 127.0.0.1, since each server listens on one port for both. */
	static int freeTcpAndUdp() throws IOException {
		for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
			try (ServerSocketChannel tcp = ServerSocketChannel.open()) {
				tcp.bind(new InetSocketAddress(LOOPBACK, 0));
				int port = ((InetSocketAddress) tcp.getLocalAddress()).getPort();
				try (DatagramChannel udp = DatagramChannel.open(StandardProtocolFamily.INET)) {
					udp.bind(new InetSocketAddress(LOOPBACK, port));
					return port;
				}
				catch (IOException ex) {
					// The UDP side of this port is taken: try another.
				}
			}
		}
		throw new IOException("No port free for both TCP and UDP on 127.0.0.1 after " + ATTEMPTS + " attempts");
	}

}
