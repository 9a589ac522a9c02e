package dev.socketgateway.udp;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

import dev.socketgateway.config.GatewayLifecycle;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * max-datagram-bytes as a client sees it: a datagram up to the limit is answered, a larger one is dropped
 * without a reply, and the listener goes on answering.
 */
@SpringBootTest(webEnvironment = WebEnvironment.NONE, properties = {
		"gateway.listeners.tcp.port=0",
		"gateway.listeners.tcp.bind-address=127.0.0.1",
		"gateway.listeners.udp.port=0",
		"gateway.listeners.udp.bind-address=127.0.0.1",
		"gateway.listeners.udp.max-datagram-bytes=100",
		"gateway.listeners.roomy.protocol=udp",
		"gateway.listeners.roomy.port=0",
		"gateway.listeners.roomy.bind-address=127.0.0.1" })
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class UdpLimitsIntegrationTests {

	private static final int READ_TIMEOUT_MILLIS = 5_000;

	@Autowired
	private GatewayLifecycle lifecycle;

	@Test
	void aDatagramOfExactlyMaxDatagramBytesIsAnswered() throws IOException {
		try (DatagramSocket client = connect("udp")) {
			send(client, "d".repeat(100));
			assertThat(receive(client)).isEqualTo("D".repeat(100));
		}
	}

	@Test
	void aDatagramOneByteOverMaxDatagramBytesIsDroppedAndTheNextOneIsStillAnswered() throws IOException {
		try (DatagramSocket client = connect("udp")) {
			send(client, "o".repeat(101));
			send(client, "marker");
			assertThat(receive(client)).as("the next reply answers the marker, not the oversize datagram")
				.isEqualTo("MARKER");
			send(client, "x".repeat(100));
			assertThat(receive(client)).isEqualTo("X".repeat(100));
		}
	}

	@Test
	void aMuchLargerDatagramIsDroppedToo() throws IOException {
		try (DatagramSocket client = connect("udp")) {
			send(client, "b".repeat(60_000));
			send(client, "marker");
			assertThat(receive(client)).isEqualTo("MARKER");
		}
	}

	@Test
	void byDefaultTheLargestIpv4DatagramIsAnswered() throws IOException {
		try (DatagramSocket client = connect("roomy")) {
			send(client, "r".repeat(65_507));
			assertThat(receive(client)).isEqualTo("R".repeat(65_507));
		}
	}

	private DatagramSocket connect(String listener) throws IOException {
		DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
		socket.setSoTimeout(READ_TIMEOUT_MILLIS);
		socket.setReceiveBufferSize(256 * 1024);
		socket.connect(InetAddress.getByName("127.0.0.1"), this.lifecycle.listener(listener).port());
		return socket;
	}

	private static void send(DatagramSocket socket, String text) throws IOException {
		byte[] bytes = text.getBytes(ISO_8859_1);
		socket.send(new DatagramPacket(bytes, bytes.length));
	}

	private static String receive(DatagramSocket socket) throws IOException {
		DatagramPacket packet = new DatagramPacket(new byte[65_536], 65_536);
		socket.receive(packet);
		return new String(packet.getData(), packet.getOffset(), packet.getLength(), ISO_8859_1);
	}

}
