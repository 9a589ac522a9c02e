package dev.socketgateway.actuate;

import java.io.IOException;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.util.List;

import dev.socketgateway.listener.GatewayListener;
import dev.socketgateway.listener.ListenerState;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import static dev.socketgateway.GatewayClients.TIMEOUT;
import static dev.socketgateway.GatewayClients.exchange;
import static dev.socketgateway.GatewayClients.tcp;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code GET /actuator/listeners} as it is packaged: every listener's protocol, port, state and open connections,
 * and no way to change a state until the operator allows it ({@link ListenersEndpointWriteIntegrationTests}).
 */
@ObservedGateway
class ListenersEndpointIntegrationTests extends ActuatorTestSupport {

	@Test
	void listsEveryListenerRunningOnThePortItBound() {
		JsonNode listeners = this.actuator.json("/actuator/listeners");
		List<String> names = this.registry.listeners().stream().map(GatewayListener::name).toList();
		assertThat(listeners.propertyNames()).as("in configuration order").containsExactlyElementsOf(names)
			.contains("tcp", "udp", "line");
		for (GatewayListener listener : this.registry.listeners()) {
			JsonNode described = listeners.path(listener.name());
			assertThat(described.path("protocol").asString()).as(listener.name())
				.isEqualTo(listener.protocol().toString());
			assertThat(described.path("port").asInt()).as(listener.name()).isEqualTo(listener.port()).isPositive();
			assertThat(described.path("state").asString()).as(listener.name()).isEqualTo("running");
			assertThat(described.has("openConnections")).as(listener.name()).isTrue();
		}
	}

	@Test
	void oneListenerShowsItsOpenConnectionsAndAnUnknownOneIsNotFound() throws IOException {
		int port = this.registry.listener("line").port();
		try (Socket client = tcp(port)) {
			assertThat(exchange(client, "counted\n")).isEqualTo("COUNTED\n");
			await().atMost(TIMEOUT).untilAsserted(() -> {
				JsonNode line = this.actuator.json("/actuator/listeners/line");
				assertThat(line.path("protocol").asString()).isEqualTo("tcp");
				assertThat(line.path("port").asInt()).isEqualTo(port);
				assertThat(line.path("state").asString()).isEqualTo("running");
				assertThat(line.path("openConnections").asInt()).isEqualTo(1);
			});
		}
		assertThat(this.actuator.get("/actuator/listeners/no-such-listener").statusCode()).isEqualTo(404);
	}

	@Test
	void changingAStateIsRefusedUntilWritesAreAllowed() throws IOException {
		HttpResponse<String> post = this.actuator.post("/actuator/listeners/tcp", "{\"state\": \"paused\"}");
		assertThat(post.statusCode()).as(post.body()).isEqualTo(405);
		assertThat(this.registry.listener("tcp").state()).isEqualTo(ListenerState.RUNNING);
		try (Socket client = tcp(this.registry.listener("tcp").port())) {
			assertThat(exchange(client, "still accepting".getBytes(UTF_8), 15)).asString(UTF_8)
				.isEqualTo("STILL ACCEPTING");
		}
	}

}
