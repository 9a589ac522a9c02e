package dev.socketgateway.actuate;

import java.io.IOException;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;


import static dev.socketgateway.GatewayClients.TIMEOUT;
import static dev.socketgateway.GatewayClients.exchange;
import static dev.socketgateway.GatewayClients.tcp;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What a scraper and an operator fetch besides health: every gateway meter in Prometheus's text format,
 * the build and commit in {@code /actuator/info}, and the integration graph.
 */
@ObservedGateway
class ActuatorExposureIntegrationTests extends ActuatorTestSupport {

	private static final List<String> SERIES = List.of("gateway_connections_active", "gateway_connections_opened_total",
			"gateway_connections_closed_total", "gateway_connections_rejected_total", "gateway_messages_received_total",
			"gateway_messages_sent_total", "gateway_bytes_received_total", "gateway_bytes_sent_total",
			"gateway_errors_total", "gateway_transform_seconds_count", "gateway_transform_seconds_sum",
			"gateway_transform_seconds_max", "gateway_transform_seconds_bucket", "gateway_listener_up",
			"gateway_connections_max");

	@Test
	void prometheusServesEveryGatewayMeterWithListenerAndProtocolLabels() {
		HttpResponse<String> response = this.actuator.get("/actuator/prometheus");
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
				(type) -> assertThat(type).startsWith("text/plain"));
		String scrape = response.body();
		for (String series : SERIES) {
			assertThat(tcpSample(scrape, series)).as("%s{listener=\"tcp\",protocol=\"tcp\"} in%n%s", series, scrape)
				.isNotNull();
		}
		assertThat(scrape).contains("# TYPE gateway_transform_seconds histogram");
	}

	@Test
	void prometheusCountsAnExchangeOnTheTcpListener() throws IOException {
		double before = tcpSample(this.actuator.get("/actuator/prometheus").body(), "gateway_messages_received_total");
		try (Socket client = tcp(this.registry.listener("tcp").port())) {
			assertThat(exchange(client, "scrape me".getBytes(UTF_8), 9)).asString(UTF_8).isEqualTo("SCRAPE ME");
		}
		await().atMost(TIMEOUT).untilAsserted(() -> assertThat(
				tcpSample(this.actuator.get("/actuator/prometheus").body(), "gateway_messages_received_total") - before)
			.isEqualTo(1));
	}

	@Test
	void infoShowsTheBuildAndTheGitCommit() {
		JsonNode info = this.actuator.json("/actuator/info");
		assertThat(info.path("build").path("version").asString()).as("%s", info).isNotBlank();
		assertThat(info.path("build").path("artifact").asString()).as("%s", info).isEqualTo("socket-gateway");
		assertThat(info.path("git").path("commit").path("id").asString()).as("%s", info).matches("[0-9a-f]{7,40}");
	}

	@Test
	void theIntegrationGraphShowsEveryListenersFlow() {
		JsonNode graph = this.actuator.json("/actuator/integrationgraph");
		assertThat(graph.path("nodes")).isNotEmpty();
		List<String> names = graph.path("nodes").findValues("name").stream().map(JsonNode::asString).toList();
		for (String listener : List.of("tcp", "udp")) {
			assertThat(names).as("nodes of listener %s", listener)
				.anySatisfy((name) -> assertThat(name).startsWith("gateway." + listener + "."));
		}
		assertThat(graph.path("links")).isNotEmpty();
	}

	/**
	 * The value of one series' sample labelled listener="tcp" and protocol="tcp" (and any other labels),
	 * or null when there is none. Prometheus sorts labels by name.
	 */
	private static Double tcpSample(String scrape, String series) {
		Matcher sample = Pattern
			.compile("^" + series + "\\{[^}]*listener=\"tcp\",[^}]*protocol=\"tcp\"[^}]*\\} (\\S+)$", Pattern.MULTILINE)
			.matcher(scrape);
		return sample.find() ? Double.valueOf(sample.group(1)) : null;
	}

}
