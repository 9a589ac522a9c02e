package dev.socketgateway.actuate;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Socket;

import org.junit.jupiter.api.Test;


import static dev.socketgateway.GatewayClients.TIMEOUT;
import static dev.socketgateway.GatewayClients.exchange;
import static dev.socketgateway.GatewayClients.readExactly;
import static dev.socketgateway.GatewayClients.tcp;
import static dev.socketgateway.GatewayClients.udp;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Bad input and refused clients, each counted once under its reason in {@code gateway.errors} or
 * {@code gateway.connections.rejected}, while the client sees the connection closed or the datagram
 * dropped.
 */
@ObservedGateway
class ErrorMetricsIntegrationTests extends ActuatorTestSupport {

	@Test
	void aLineOverMaxFrameBytesIsAnsweredWithAnErrorClosedAndCountedAsFrameTooLarge() throws IOException {
		String[] tags = { "listener:line", "protocol:tcp", "reason:frame-too-large" };
		double before = this.actuator.metric("gateway.errors", tags);
		try (Socket client = tcp(this.registry.listener("line").port())) {
			String line = "x".repeat(ObservedGateway.MAX_LINE_BYTES + 1) + "\n";
			client.getOutputStream().write(line.getBytes(UTF_8));
			String error = "ERROR frame exceeds " + ObservedGateway.MAX_LINE_BYTES + " bytes\r\n";
			assertThat(readExactly(client, error.length())).asString(UTF_8).isEqualTo(error);
			assertThat(client.getInputStream().read()).as("closed after the error line").isEqualTo(-1);
		}
		await().atMost(TIMEOUT)
			.untilAsserted(() -> assertThat(this.actuator.metric("gateway.errors", tags) - before).isEqualTo(1));
	}

	@Test
	void bytesOutsideAnStxEtxFrameCloseTheConnectionAndAreCountedAsMalformed() throws IOException {
		String[] tags = { "listener:stx", "protocol:tcp", "reason:malformed" };
		double before = this.actuator.metric("gateway.errors", tags);
		try (Socket client = tcp(this.registry.listener("stx").port())) {
			assertThat(exchange(client, "\u0002ok\u0003".getBytes(UTF_8), 4)).asString(UTF_8).isEqualTo("\u0002OK\u0003");
			client.getOutputStream().write("garbage".getBytes(UTF_8));
			assertThat(client.getInputStream().read()).as("closed on garbage").isEqualTo(-1);
		}
		await().atMost(TIMEOUT)
			.untilAsserted(() -> assertThat(this.actuator.metric("gateway.errors", tags) - before).isEqualTo(1));
	}

	@Test
	void aConnectionOverMaxConnectionsIsClosedAndCountedAsRejected() throws IOException {
		String[] tags = { "listener:single", "protocol:tcp", "reason:max-connections" };
		double before = this.actuator.metric("gateway.connections.rejected", tags);
		int port = this.registry.listener("single").port();
		try (Socket first = tcp(port)) {
			assertThat(exchange(first, "first".getBytes(UTF_8), 5)).asString(UTF_8).isEqualTo("FIRST");
			try (Socket second = tcp(port)) {
				assertThat(second.getInputStream().read()).as("the second client is closed at once").isEqualTo(-1);
			}
			await().atMost(TIMEOUT).untilAsserted(
					() -> assertThat(this.actuator.metric("gateway.connections.rejected", tags) - before).isEqualTo(1));
			assertThat(exchange(first, "still here".getBytes(UTF_8), 10)).asString(UTF_8).isEqualTo("STILL HERE");
			assertThat(this.actuator.metric("gateway.connections.active", "listener:single")).isEqualTo(1);
		}
	}

	@Test
	void aDatagramOverMaxDatagramBytesIsDroppedAndCountedAsDatagramTooLarge() throws IOException {
		String[] tags = { "listener:udp", "protocol:udp", "reason:datagram-too-large" };
		double before = this.actuator.metric("gateway.errors", tags);
		try (DatagramSocket client = udp(this.registry.listener("udp").port())) {
			byte[] tooLarge = "y".repeat(ObservedGateway.MAX_DATAGRAM_BYTES + 1).getBytes(UTF_8);
			client.send(new DatagramPacket(tooLarge, tooLarge.length));
			await().atMost(TIMEOUT)
				.untilAsserted(() -> assertThat(this.actuator.metric("gateway.errors", tags) - before).isEqualTo(1));
			// Had the large datagram been answered, its reply would arrive first.
			assertThat(exchange(client, "small".getBytes(UTF_8))).asString(UTF_8).isEqualTo("SMALL");
		}
	}

}
