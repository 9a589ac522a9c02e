package dev.socketgateway.listener;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import dev.socketgateway.GatewayTest;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.annotation.DirtiesContext;

import static dev.socketgateway.GatewayClients.exchange;
import static dev.socketgateway.GatewayClients.tcp;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Stopping and starting the context (as the test framework does with cached contexts) restarts every listener. */
@GatewayTest
@DirtiesContext
class GatewayRestartIntegrationTests {

	@Autowired
	private ConfigurableApplicationContext context;

	@Autowired
	private ListenerRegistry registry;

	@Autowired
	private MeterRegistry meters;

	@Test
	void listenersServeAgainAfterTheContextIsStoppedAndStarted() throws Exception {
		assertThat(exchangeTcp("before")).isEqualTo("BEFORE");
		this.context.stop();
		assertThat(this.registry.listener("tcp").isListening()).isFalse();
		this.context.start();

		try (Socket client = tcp(this.registry.listener("tcp").port())) {
			assertThat(exchange(client, "after")).isEqualTo("AFTER");
			await().untilAsserted(() -> assertThat(this.meters.get("gateway.connections.active")
				.tag("listener", "tcp")
				.gauge()
				.value()).as("the gauge follows the restarted listener").isEqualTo(1.0));
		}
		try (DatagramSocket udp = new DatagramSocket()) {
			udp.setSoTimeout(10_000);
			udp.send(new DatagramPacket("udp".getBytes(StandardCharsets.UTF_8), 3, InetAddress.getLoopbackAddress(),
					this.registry.listener("udp").port()));
			DatagramPacket reply = new DatagramPacket(new byte[16], 16);
			udp.receive(reply);
			assertThat(new String(reply.getData(), 0, reply.getLength(), StandardCharsets.UTF_8)).isEqualTo("UDP");
		}
	}

	private String exchangeTcp(String text) throws Exception {
		try (Socket client = tcp(this.registry.listener("tcp").port())) {
			return exchange(client, text);
		}
	}

}
