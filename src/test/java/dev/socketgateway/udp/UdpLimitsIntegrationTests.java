package dev.socketgateway.udp;

import java.io.IOException;
import java.net.DatagramSocket;
import java.util.concurrent.TimeUnit;

import dev.socketgateway.LoopbackGatewayTest;
import dev.socketgateway.listener.ListenerRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

import static dev.socketgateway.GatewayClients.ascii;
import static dev.socketgateway.GatewayClients.receive;
import static dev.socketgateway.GatewayClients.send;
import static dev.socketgateway.GatewayClients.text;
import static dev.socketgateway.GatewayClients.udp;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * max-datagram-bytes as a client sees it: a datagram up to the limit is answered, a larger one is dropped
 * without a reply, and the listener goes on answering.
 */
@LoopbackGatewayTest
@TestPropertySource(properties = {
		"gateway.listeners.udp.max-datagram-bytes=100",
		"gateway.listeners.roomy.protocol=udp",
		"gateway.listeners.roomy.port=0",
		"gateway.listeners.roomy.bind-address=127.0.0.1" })
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class UdpLimitsIntegrationTests {

	@Autowired
	private ListenerRegistry registry;

	@Test
	void aDatagramOfExactlyMaxDatagramBytesIsAnswered() throws IOException {
		try (DatagramSocket client = connect("udp")) {
			send(client, ascii("d".repeat(100)));
			assertThat(text(receive(client))).isEqualTo("D".repeat(100));
		}
	}

	@Test
	void aDatagramOneByteOverMaxDatagramBytesIsDroppedAndTheNextOneIsStillAnswered() throws IOException {
		try (DatagramSocket client = connect("udp")) {
			send(client, ascii("o".repeat(101)));
			send(client, ascii("marker"));
			assertThat(text(receive(client))).as("the next reply answers the marker, not the oversize datagram")
				.isEqualTo("MARKER");
			send(client, ascii("x".repeat(100)));
			assertThat(text(receive(client))).isEqualTo("X".repeat(100));
		}
	}

	@Test
	void aMuchLargerDatagramIsDroppedToo() throws IOException {
		try (DatagramSocket client = connect("udp")) {
			send(client, ascii("b".repeat(60_000)));
			send(client, ascii("marker"));
			assertThat(text(receive(client))).isEqualTo("MARKER");
		}
	}

	@Test
	void byDefaultTheLargestIpv4DatagramIsAnswered() throws IOException {
		try (DatagramSocket client = connect("roomy")) {
			send(client, ascii("r".repeat(65_507)));
			assertThat(text(receive(client))).isEqualTo("R".repeat(65_507));
		}
	}

	private DatagramSocket connect(String listener) throws IOException {
		return udp(this.registry.listener(listener).port());
	}

}
