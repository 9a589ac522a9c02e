package dev.socketgateway.actuate;

import java.io.IOException;
import java.net.Socket;
import java.net.http.HttpResponse;

import dev.socketgateway.GatewayTest;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.TestPropertySource;

import static dev.socketgateway.GatewayClients.TIMEOUT;
import static dev.socketgateway.GatewayClients.exchange;
import static dev.socketgateway.GatewayClients.tcp;
import static dev.socketgateway.actuate.ConnectionsEndpointIntegrationTests.connectionFrom;
import static dev.socketgateway.actuate.ObservabilityClients.parse;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.SoftAssertions.assertSoftly;
import static org.awaitility.Awaitility.await;

/**
 * {@code DELETE /actuator/connections/<listener>/<id>} once the operator has allowed it with
 * {@code management.endpoint.connections.access=unrestricted}: the client is cut off, and an id that is
 * not open is not found.
 */
@GatewayTest(webEnvironment = WebEnvironment.RANDOM_PORT)
@TestPropertySource(properties = "management.endpoint.connections.access=unrestricted")
@DirtiesContext
class ConnectionsEndpointCloseIntegrationTests extends ActuatorTestSupport {

	@Test
	void deletingAConnectionClosesItAndTheClientSeesEndOfStream() throws IOException {
		try (Socket client = tcp(this.registry.listener("tcp").port());
				Socket bystander = tcp(this.registry.listener("tcp").port())) {
			assertThat(exchange(client, "hello".getBytes(UTF_8), 5)).asString(UTF_8).isEqualTo("HELLO");
			assertThat(exchange(bystander, "hi".getBytes(UTF_8), 2)).asString(UTF_8).isEqualTo("HI");
			long id = idOf(client);

			HttpResponse<String> delete = this.actuator.delete("/actuator/connections/tcp/" + id);
			assertThat(delete.statusCode()).as(delete.body()).isEqualTo(200);
			JsonNode closed = parse(delete.body());
			assertThat(closed.path("listener").asString()).isEqualTo("tcp");
			assertThat(closed.path("id").asLong()).isEqualTo(id);

			assertThat(client.getInputStream().read()).as("the client's next read").isEqualTo(-1);
			assertThat(connectionFrom(this.actuator.json("/actuator/connections/tcp"), client.getLocalPort()))
				.as("no longer listed")
				.isNull();
			assertThat(exchange(bystander, "still here".getBytes(UTF_8), 10)).as("another client")
				.asString(UTF_8)
				.isEqualTo("STILL HERE");
		}
	}

	@Test
	void deletingAConnectionThatIsNotOpenIsNotFound() throws IOException {
		long id;
		try (Socket client = tcp(this.registry.listener("tcp").port())) {
			assertThat(exchange(client, "bye".getBytes(UTF_8), 3)).asString(UTF_8).isEqualTo("BYE");
			id = idOf(client);
		}
		await().atMost(TIMEOUT)
			.untilAsserted(() -> assertThat(this.actuator.json("/actuator/connections/tcp").path("connections")
				.findValues("id")
				.stream()
				.map(JsonNode::asLong)).doesNotContain(id));

		HttpResponse<String> closedOne = this.actuator.delete("/actuator/connections/tcp/" + id);
		HttpResponse<String> neverOpened = this.actuator.delete("/actuator/connections/tcp/" + (id + 1_000_000));
		HttpResponse<String> noListener = this.actuator.delete("/actuator/connections/no-such-listener/1");
		assertSoftly((softly) -> {
			softly.assertThat(closedOne.statusCode()).as("an id that was closed: '%s'", closedOne.body()).isEqualTo(404);
			softly.assertThat(neverOpened.statusCode()).as("an id never opened: '%s'", neverOpened.body())
				.isEqualTo(404);
			softly.assertThat(noListener.statusCode()).as("an unknown listener: '%s'", noListener.body())
				.isEqualTo(404);
		});
	}

	private long idOf(Socket client) {
		return await().atMost(TIMEOUT)
			.until(() -> connectionFrom(this.actuator.json("/actuator/connections/tcp"), client.getLocalPort()),
					(connection) -> connection != null)
			.path("id")
			.asLong();
	}

}
