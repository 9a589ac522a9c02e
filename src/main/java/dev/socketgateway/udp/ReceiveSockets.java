package dev.socketgateway.udp;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;

import dev.socketgateway.config.ListenerProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens a UDP listener's sockets, one per receive thread, on the caller's thread so that a busy port fails startup.
 * Several share the listener's port through SO_REUSEPORT: the kernel hands each client (by its address and port) to
 * one of them, and each answers from the port its clients sent to. Every socket gets receive-buffer-bytes of
 * SO_RCVBUF.
 */
final class ReceiveSockets {

	private static final Logger logger = LoggerFactory.getLogger(ReceiveSockets.class);

	private ReceiveSockets() {
	}

	/**
	 * @param count how many sockets; more than one share the port with SO_REUSEPORT
	 * @throws IllegalStateException naming the listener if the port is taken
	 */
	static List<DatagramSocket> open(String name, ListenerProperties settings, int count) {
		String describe = settings.describe(name);
		List<DatagramSocket> sockets = new ArrayList<>(count);
		try {
			InetAddress address = (settings.getBindAddress() != null) ? InetAddress.getByName(settings.getBindAddress())
					: null;
			int port = settings.getPort();
			if (count > 1) {
				// SO_REUSEPORT sockets share a port with any other such socket of the same user, and an ephemeral
				// one may land on a port such a group holds. A plain bind first (to port 0, too, to pick the port)
				// makes a busy port fail as it should, and the group ours alone.
				try (DatagramSocket probe = bind(new DatagramSocket((SocketAddress) null), address, port, false, 0)) {
					port = probe.getLocalPort();
				}
			}
			while (sockets.size() < count) {
				// From a channel, so that the receive thread can receive into and send from direct buffers of its own.
				sockets.add(bind(DatagramChannel.open().socket(), address, port, count > 1,
						settings.getReceiveBufferBytes()));
			}
		}
		catch (IOException | RuntimeException ex) {
			sockets.forEach(DatagramSocket::close);
			throw new IllegalStateException(describe + " cannot listen: " + ex.getMessage(), ex);
		}
		warnIfCapped(name, settings.getReceiveBufferBytes(), sockets.get(0));
		return sockets;
	}

	private static DatagramSocket bind(DatagramSocket socket, InetAddress address, int port, boolean reusePort,
			int receiveBufferBytes) throws IOException {
		try {
			if (reusePort) {
				socket.setOption(StandardSocketOptions.SO_REUSEPORT, true);
			}
			if (receiveBufferBytes > 0) {
				socket.setReceiveBufferSize(receiveBufferBytes);
			}
			socket.bind((address != null) ? new InetSocketAddress(address, port) : new InetSocketAddress(port));
			return socket;
		}
		catch (IOException | RuntimeException ex) {
			socket.close();
			throw ex;
		}
	}

	/** @return the receive buffer the kernel granted the socket, or -1 if it cannot tell */
	static int granted(DatagramSocket socket) {
		try {
			return socket.getReceiveBufferSize();
		}
		catch (IOException ex) {
			return -1;
		}
	}

	static boolean reusePortSupported() {
		try (DatagramSocket probe = new DatagramSocket((SocketAddress) null)) {
			return probe.supportedOptions().contains(StandardSocketOptions.SO_REUSEPORT);
		}
		catch (IOException ex) {
			return false;
		}
	}

	/**
	 * One WARN when the kernel granted less than asked: bursts beyond the smaller buffer are dropped. Linux's
	 * {@code getsockopt(SO_RCVBUF)} reports twice what it granted (the other half is for its bookkeeping), but the
	 * JDK halves it again on Linux, so Java reads the size granted: with net.core.rmem_max at 4 MiB, asking for
	 * 8 MiB reads 4 MiB.
	 */
	private static void warnIfCapped(String name, int asked, DatagramSocket socket) {
		int granted = granted(socket);
		if (granted >= 0 && granted < asked) {
			logger.warn("Listener '{}': the kernel granted a receive buffer of {} bytes per socket, not the {} of "
					+ "receive-buffer-bytes; datagrams of a burst beyond it are dropped and counted as "
					+ "gateway.errors{reason=receive-buffer-full}. Raise the limit on the host: "
					+ "sysctl -w net.core.rmem_max={}", name, granted, asked, asked);
		}
	}

}
