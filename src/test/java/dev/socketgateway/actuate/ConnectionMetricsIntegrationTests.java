package dev.socketgateway.actuate;

import java.io.IOException;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;


import static dev.socketgateway.GatewayClients.TIMEOUT;
import static dev.socketgateway.GatewayClients.tcp;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The connection meters as {@code /actuator/metrics} shows them: the active gauge follows clients in and
 * out, and every connection opened is counted closed once, whether the client closed it with a FIN or
 * reset it.
 */
@ObservedGateway
class ConnectionMetricsIntegrationTests extends ActuatorTestSupport {

	private static final int CLIENTS = 25;

	private static final String[] TCP = { "listener:tcp", "protocol:tcp" };

	private final List<Socket> clients = new ArrayList<>();

	@AfterEach
	void closeClients() throws IOException {
		for (Socket client : this.clients) {
			client.close();
		}
	}

	@Test
	void activeConnectionsFollowClientsInAndOutAndEveryOpenedConnectionIsCountedClosed() throws IOException {
		int port = this.registry.listener("tcp").port();
		await().atMost(TIMEOUT).untilAsserted(() -> assertThat(active()).as("no client yet").isZero());
		double openedBefore = this.actuator.metric("gateway.connections.opened", TCP);
		double closedBefore = this.actuator.metric("gateway.connections.closed", TCP);
		double resetsBefore = this.actuator.metric("gateway.errors", "listener:tcp", "protocol:tcp", "reason:reset");

		for (int i = 0; i < CLIENTS; i++) {
			this.clients.add(tcp(port));
		}
		await().atMost(TIMEOUT).untilAsserted(() -> assertThat(active()).isEqualTo(CLIENTS));
		assertThat(this.actuator.metric("gateway.connections.opened", TCP) - openedBefore).isEqualTo(CLIENTS);
		assertThat(this.actuator.metric("gateway.connections.closed", TCP) - closedBefore).isZero();

		int resets = 0;
		for (int i = 0; i < CLIENTS; i++) {
			Socket client = this.clients.get(i);
			if (i % 2 == 1) {
				client.setSoLinger(true, 0); // close() sends RST instead of FIN
				resets++;
			}
			client.close();
		}
		int expectedResets = resets;

		await().atMost(TIMEOUT).untilAsserted(() -> {
			assertThat(active()).isZero();
			assertThat(this.actuator.metric("gateway.connections.closed", TCP) - closedBefore).isEqualTo(CLIENTS);
		});
		double opened = this.actuator.metric("gateway.connections.opened", TCP);
		double closed = this.actuator.metric("gateway.connections.closed", TCP);
		assertThat(opened - openedBefore).as("opened by this test").isEqualTo(CLIENTS);
		assertThat(opened - closed).as("opened - closed with no client left").isZero();
		assertThat(this.actuator.metric("gateway.errors", "listener:tcp", "protocol:tcp", "reason:reset") - resetsBefore)
			.as("connections reset by their client").isEqualTo(expectedResets);
	}

	private double active() {
		return this.actuator.metric("gateway.connections.active", TCP);
	}

}
