package dev.socketgateway.udp;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.util.Arrays;

import dev.socketgateway.GatewayTest;
import dev.socketgateway.ThreadAllocation;
import dev.socketgateway.listener.ListenerRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;

import static dev.socketgateway.GatewayClients.TIMEOUT;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a datagram costs its receive thread in garbage, counted exactly by the JVM per thread: the payload's copy and
 * its message, not a map of headers, a message id or a random UUID per reply (docs/performance.md, "Allocation per
 * message").
 */
@GatewayTest
class DatagramAllocationIntegrationTests {

	/** The benchmark's message size: 32 bytes of lower-case ASCII. */
	private static final byte[] REQUEST = "abcdefghijklmnopqrstuvwxyz012345".getBytes(US_ASCII);

	private static final byte[] REPLY = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345".getBytes(US_ASCII);

	/** Enough round trips for the hot path to be compiled, as it is in a running service, before counting. */
	private static final int WARM_UP = 20_000;

	private static final int MEASURED = 20_000;

	/**
	 * Measured 72: the payload's copy (48 bytes for 32) and its message (24 bytes). Receiving into and sending from
	 * a datagram socket's heap packets, through the JDK's temporary direct buffers, and asking the packet for its
	 * sender (a new address each time) brought it to 152; the stock outbound adapter's random UUID and its string,
	 * made for a message without an id, to 304; a header map with a generated id per datagram would add more.
	 */
	private static final long MAX_BYTES_PER_DATAGRAM = 100;

	@Autowired
	private ListenerRegistry registry;

	@Test
	void aDatagramAndItsReplyCostTheReceiveThreadLessThanOneHundredBytes() throws IOException {
		ThreadAllocation.assumeCounted();
		try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
			socket.setSoTimeout((int) TIMEOUT.toMillis());
			socket.connect(InetAddress.getLoopbackAddress(), this.registry.listener("udp").port());
			exchange(socket, WARM_UP);
			long before = ThreadAllocation.ofThreadsNamed("udp-udp-");
			exchange(socket, MEASURED);
			long perDatagram = (ThreadAllocation.ofThreadsNamed("udp-udp-") - before) / MEASURED;
			assertThat(perDatagram).as("bytes the receive threads allocated per datagram")
				.isLessThan(MAX_BYTES_PER_DATAGRAM);
		}
	}

	/** Request and reply, one datagram at a time. */
	private static void exchange(DatagramSocket socket, int datagrams) throws IOException {
		DatagramPacket reply = new DatagramPacket(new byte[REPLY.length + 1], REPLY.length + 1);
		for (int i = 0; i < datagrams; i++) {
			socket.send(new DatagramPacket(REQUEST, REQUEST.length));
			reply.setLength(REPLY.length + 1);
			socket.receive(reply);
			byte[] bytes = Arrays.copyOf(reply.getData(), reply.getLength());
			if (!Arrays.equals(bytes, REPLY)) {
				assertThat(bytes).as("reply %d", i).isEqualTo(REPLY);
			}
		}
	}

}
