package dev.socketgateway.actuate;

import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

import dev.socketgateway.GatewayTest;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.TestPropertySource;

import static dev.socketgateway.GatewayClients.TIMEOUT;
import static dev.socketgateway.GatewayClients.exchange;
import static dev.socketgateway.GatewayClients.tcp;
import static dev.socketgateway.actuate.ObservabilityClients.parse;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * {@code /actuator/health} as a load balancer and an operator see it: one component per listener, in the
 * readiness group, so that a listener that stops takes readiness down while liveness stays up. The second
 * test stops a listener, so this class has a context of its own, thrown away afterwards.
 */
@GatewayTest(webEnvironment = WebEnvironment.RANDOM_PORT)
@TestPropertySource(properties = {
		"gateway.listeners.extra.protocol=tcp",
		"gateway.listeners.extra.port=0",
		"gateway.listeners.extra.framing=line" })
@DirtiesContext
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ListenerHealthIntegrationTests extends ActuatorTestSupport {

	@Test
	@Order(1)
	void everyListenerIsUpWithItsDetailsAfterStartup() throws IOException {
		JsonNode health = this.actuator.json("/actuator/health");
		assertThat(health.path("status").asString()).isEqualTo("UP");
		JsonNode gateway = health.path("components").path("gateway");
		assertThat(gateway.path("status").asString()).isEqualTo("UP");
		assertThat(gateway.path("components").propertyNames()).containsExactlyInAnyOrder("tcp", "udp", "extra");

		for (String name : List.of("tcp", "udp", "extra")) {
			JsonNode listener = this.actuator.json("/actuator/health/gateway/" + name);
			assertThat(listener.path("status").asString()).as(name).isEqualTo("UP");
			JsonNode details = listener.path("details");
			assertThat(details.path("port").asInt()).as(name).isEqualTo(this.registry.listener(name).port())
				.isPositive();
			assertThat(details.path("bindAddress").asString()).as(name).isEqualTo("*");
			assertThat(details.path("charset").asString()).as(name).isEqualTo("UTF-8");
			assertThat(details.path("openConnections").asInt()).as(name).isZero();
			assertThat(details.has("reason")).as(name).isFalse();
		}
		JsonNode tcp = this.actuator.json("/actuator/health/gateway/tcp").path("details");
		assertThat(tcp.path("protocol").asString()).isEqualTo("tcp");
		assertThat(tcp.path("framing").asString()).isEqualTo("stream");
		JsonNode extra = this.actuator.json("/actuator/health/gateway/extra").path("details");
		assertThat(extra.path("protocol").asString()).isEqualTo("tcp");
		assertThat(extra.path("framing").asString()).isEqualTo("line");
		JsonNode udp = this.actuator.json("/actuator/health/gateway/udp").path("details");
		assertThat(udp.path("protocol").asString()).isEqualTo("udp");
		assertThat(udp.has("framing")).as("UDP has no framing").isFalse();

		assertThat(this.actuator.json("/actuator/health/readiness").path("status").asString()).isEqualTo("UP");
		assertThat(this.actuator.json("/actuator/health/liveness").path("status").asString()).isEqualTo("UP");

		try (Socket client = tcp(this.registry.listener("tcp").port())) {
			assertThat(exchange(client, "up".getBytes(UTF_8), 2)).asString(UTF_8).isEqualTo("UP");
			await().atMost(TIMEOUT).untilAsserted(() -> assertThat(this.actuator.json("/actuator/health/gateway/tcp")
				.path("details").path("openConnections").asInt()).isEqualTo(1));
		}
	}

	@Test
	@Order(2)
	void aStoppedListenerIsDownWithAReasonAndTakesReadinessDownWhileLivenessStaysUp() throws IOException {
		int port = this.registry.listener("extra").port();
		try (Socket client = tcp(port)) {
			assertThat(exchange(client, "before\n".getBytes(UTF_8), 7)).asString(UTF_8).isEqualTo("BEFORE\n");
		}
		assertThat(this.actuator.get("/actuator/health/gateway/extra").statusCode()).isEqualTo(200);

		this.registry.listener("extra").stop(Duration.ofSeconds(5));

		HttpResponse<String> extra = this.actuator.get("/actuator/health/gateway/extra");
		assertThat(extra.statusCode()).as(extra.body()).isEqualTo(503);
		JsonNode extraHealth = parse(extra.body());
		assertThat(extraHealth.path("status").asString()).isEqualTo("DOWN");
		assertThat(extraHealth.path("details").path("reason").asString()).isEqualTo("stopped");

		HttpResponse<String> readiness = this.actuator.get("/actuator/health/readiness");
		assertThat(readiness.statusCode()).as(readiness.body()).isEqualTo(503);
		assertThat(parse(readiness.body()).path("status").asString()).isEqualTo("DOWN");

		HttpResponse<String> liveness = this.actuator.get("/actuator/health/liveness");
		assertThat(liveness.statusCode()).as(liveness.body()).isEqualTo(200);
		assertThat(parse(liveness.body()).path("status").asString()).isEqualTo("UP");

		for (String name : List.of("tcp", "udp")) {
			assertThat(this.actuator.json("/actuator/health/gateway/" + name).path("status").asString()).as(name)
				.isEqualTo("UP");
		}
		assertThatExceptionOfType(ConnectException.class).as("a client of the stopped listener")
			.isThrownBy(() -> tcp(port).close());
	}

}
