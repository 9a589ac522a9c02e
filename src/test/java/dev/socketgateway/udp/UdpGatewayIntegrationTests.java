package dev.socketgateway.udp;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;

import dev.socketgateway.GatewayTest;
import dev.socketgateway.listener.ListenerRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;

import static dev.socketgateway.GatewayClients.TIMEOUT;
import static dev.socketgateway.GatewayClients.connectedUdp;
import static dev.socketgateway.GatewayClients.hasIpv6Loopback;
import static dev.socketgateway.GatewayClients.receive;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The UDP listener seen from its clients. Every client here is connected, as {@code nc -u} is, so it only
 * accepts a reply sent from the listener's own address and port.
 */
@GatewayTest
class UdpGatewayIntegrationTests {

	@Autowired
	private ListenerRegistry registry;

	private int port;

	@BeforeEach
	void findPort() {
		this.port = this.registry.listener("udp").port();
	}

	@Test
	void connectedClientGetsTheReplyFromTheListenersOwnPort() throws IOException {
		try (DatagramChannel client = connectedUdp("127.0.0.1", this.port)) {
			client.write(ByteBuffer.wrap("hello udp".getBytes(UTF_8)));
			assertThat(text(receive(client, TIMEOUT))).isEqualTo("HELLO UDP");
		}
	}

	@Test
	void emptyDatagramIsAnsweredWithAnEmptyDatagram() throws IOException {
		// A connected DatagramChannel silently sends nothing for an empty buffer (write returns 0 and no
		// datagram leaves), so this client is unconnected.
		try (DatagramChannel client = DatagramChannel.open()) {
			client.send(ByteBuffer.allocate(0), new InetSocketAddress("127.0.0.1", this.port));
			assertThat(receive(client, TIMEOUT).remaining()).isZero();
		}
	}

	@Test
	void sixtyThousandByteDatagramComesBackWholeAndUpperCased() throws IOException {
		assertLargeDatagramComesBackWhole(60_000);
	}

	@Test
	void largestIpv4DatagramComesBackWholeAndUpperCased() throws IOException {
		assertLargeDatagramComesBackWhole(65_507);
	}

	@Test
	void everyDatagramFromOneClientGetsItsOwnReply() throws IOException {
		List<String> expected = new ArrayList<>();
		List<String> replies = new ArrayList<>();
		try (DatagramChannel client = connectedUdp("127.0.0.1", this.port)) {
			for (int i = 0; i < 10; i++) {
				client.write(ByteBuffer.wrap(String.format("datagram %02d", i).getBytes(UTF_8)));
				expected.add(String.format("DATAGRAM %02d", i));
			}
			for (int i = 0; i < 10; i++) {
				replies.add(text(receive(client, TIMEOUT)));
			}
		}
		// UDP does not promise order, only that each datagram is answered once.
		assertThat(replies).containsExactlyInAnyOrderElementsOf(expected);
	}

	@Test
	void ipv6LoopbackClientGetsAReply() throws IOException {
		assumeTrue(hasIpv6Loopback(), "this machine has no IPv6 loopback address ::1");
		try (DatagramChannel client = connectedUdp("::1", this.port)) {
			client.write(ByteBuffer.wrap("hello over ipv6".getBytes(UTF_8)));
			assertThat(text(receive(client, TIMEOUT))).isEqualTo("HELLO OVER IPV6");
		}
	}

	private void assertLargeDatagramComesBackWhole(int size) throws IOException {
		byte[] request = new byte[size];
		String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789 ";
		for (int i = 0; i < size; i++) {
			request[i] = (byte) alphabet.charAt(i % alphabet.length());
		}
		String expected = new String(request, UTF_8).toUpperCase(java.util.Locale.ROOT);
		try (DatagramChannel client = connectedUdp("127.0.0.1", this.port)) {
			assertThat(client.write(ByteBuffer.wrap(request))).isEqualTo(size);
			ByteBuffer reply = receive(client, TIMEOUT);
			assertThat(reply.remaining()).isEqualTo(size);
			assertThat(text(reply)).isEqualTo(expected);
		}
	}

	private static String text(ByteBuffer datagram) {
		return UTF_8.decode(datagram).toString();
	}

}
