package dev.socketgateway.udp;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The datagrams the kernel dropped on full sockets, as the listener counts them from /proc/net/udp: exactly what did
 * not fit, never going down when a socket closes, and going on over the sockets of a restarted listener.
 */
class KernelDropsTests {

	private static final int DATAGRAMS = 500;

	@BeforeAll
	static void linux() {
		assumeTrue(Files.isReadable(Path.of("/proc/net/udp")), "no /proc/net/udp here: drops are not counted");
	}

	@Test
	void findsOnlyThisProcesssSocketsOnTheAddress() throws IOException {
		try (DatagramSocket listener = socket(4096); DatagramSocket other = socket(4096)) {
			Set<Long> found = ProcNetUdp.ownSockets(local(listener));
			assertThat(found).hasSize(1);
			assertThat(found).doesNotContainAnyElementsOf(ProcNetUdp.ownSockets(local(other)));
		}
	}

	@Test
	void whatAFullSocketDroppedAndWhatItQueuedAddUpToWhatWasSentAndTheCountOutlivesTheSocket() throws IOException {
		KernelDrops drops = new KernelDrops();
		long dropped;
		try (DatagramSocket listener = socket(4096)) {
			drops.track(ProcNetUdp.ownSockets(local(listener)));
			assertThat(drops.count()).isZero();
			burst(listener, DATAGRAMS);
			dropped = drops.count();
			assertThat(dropped).as("dropped of %d", DATAGRAMS).isPositive();
			assertThat(dropped + drain(listener)).isEqualTo(DATAGRAMS);
		}
		assertThat(drops.count()).as("after the socket closed").isEqualTo(dropped);
		drops.retire();
		assertThat(drops.count()).as("retired").isEqualTo(dropped);
		try (DatagramSocket restarted = socket(4096)) {
			drops.track(ProcNetUdp.ownSockets(local(restarted)));
			burst(restarted, DATAGRAMS);
			long more = drops.count() - dropped;
			assertThat(more).isPositive();
			assertThat(more + drain(restarted)).isEqualTo(DATAGRAMS);
		}
	}

	@Test
	void findsASocketBoundToEveryInterface() throws IOException {
		try (DatagramSocket wildcard = new DatagramSocket(0)) {
			assertThat(ProcNetUdp.ownSockets(local(wildcard))).hasSize(1);
		}
	}

	@Test
	void nothingTrackedCountsNothing() {
		assertThat(new KernelDrops().count()).isZero();
	}

	private static DatagramSocket socket(int receiveBufferBytes) throws IOException {
		DatagramSocket socket = new DatagramSocket((SocketAddress) null);
		socket.setReceiveBufferSize(receiveBufferBytes);
		socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
		socket.setSoTimeout(200);
		return socket;
	}

	private static InetSocketAddress local(DatagramSocket socket) {
		return (InetSocketAddress) socket.getLocalSocketAddress();
	}

	private static void burst(DatagramSocket listener, int datagrams) throws IOException {
		byte[] payload = "a datagram of 32 bytes, give or".getBytes();
		try (DatagramSocket client = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
			for (int i = 0; i < datagrams; i++) {
				client.send(new DatagramPacket(payload, payload.length, listener.getLocalSocketAddress()));
			}
		}
	}

	/** @return the datagrams queued on the socket, each read once */
	private static int drain(DatagramSocket listener) throws IOException {
		DatagramPacket packet = new DatagramPacket(new byte[64], 64);
		int queued = 0;
		while (true) {
			try {
				listener.receive(packet);
				queued++;
			}
			catch (SocketTimeoutException ex) {
				return queued;
			}
		}
	}

}
