package dev.socketgateway.monitoring;

import java.net.DatagramSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.socketgateway.GatewayProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import static dev.socketgateway.GatewayClients.ascii;
import static dev.socketgateway.GatewayClients.exchange;
import static dev.socketgateway.GatewayClients.tcp;
import static dev.socketgateway.GatewayClients.text;
import static dev.socketgateway.GatewayClients.udp;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A real Prometheus, from the operating system's package, scraping a gateway process every second with the shipped
 * alert rules loaded (a copy with every {@code for:} at 0s, made from the shipped file): it counts exactly the
 * messages sent, fires no alert while the gateway is healthy, and fires {@code SocketGatewayDown} once the gateway
 * stops. Skipped with a WARNING without prometheus, unless {@code it.prometheus.required} is true (the
 * {@code it-prometheus} profile): then it fails.
 */
@EnabledIf(value = "dev.socketgateway.monitoring.PrometheusBinaries#installedOrRequired",
		disabledReason = PrometheusBinaries.NOT_INSTALLED)
class PrometheusIntegrationTests {

	private static final Duration STARTUP = Duration.ofSeconds(60);

	/** A few scrapes and rule evaluations, one a second. */
	private static final Duration SCRAPES = Duration.ofSeconds(20);

	private static final int CONNECTIONS = 3;

	private static final int LINES = 40;

	private static final int DATAGRAMS = 30;

	@TempDir
	Path directory;

	@Test
	void prometheusCountsEveryMessageAndFiresSocketGatewayDownWhenTheGatewayStops() throws Exception {
		Path binary = PrometheusBinaries.require(PrometheusBinaries.prometheus());
		try (GatewayProcess gateway = GatewayProcess.start(Map.of(
				"GATEWAY_LISTENERS_TCP_PORT", "0",
				"GATEWAY_LISTENERS_TCP_BINDADDRESS", "127.0.0.1",
				// One message a line, so that what is sent and what is counted compare exactly.
				"GATEWAY_LISTENERS_TCP_FRAMING", "line",
				"GATEWAY_LISTENERS_UDP_PORT", "0",
				"GATEWAY_LISTENERS_UDP_BINDADDRESS", "127.0.0.1",
				"SERVER_ADDRESS", "127.0.0.1"))) {
			await().atMost(STARTUP).until(() -> gateway.httpPort().isPresent()
					&& gateway.listening().keySet().containsAll(List.of("tcp", "udp")) || !gateway.isAlive());
			assertThat(gateway.isAlive()).as(gateway::output).isTrue();
			String target = "127.0.0.1:" + gateway.httpPort().getAsInt();
			try (PrometheusServer prometheus = PrometheusServer.start(binary, this.directory, target,
					MonitoringFiles.rulesFiringAtOnce())) {
				await().atMost(STARTUP).until(() -> prometheus.isReady() || !prometheus.isAlive());
				assertThat(prometheus.isAlive()).as(prometheus::output).isTrue();
				assertThat(prometheus.ruleGroups()).as(prometheus::output).singleElement()
					.satisfies((group) -> assertThat(group.path("name").asString()).isEqualTo("socket-gateway"))
					.satisfies((group) -> assertThat(group.path("rules")).hasSize(MonitoringFiles.rules().size()));
				await().atMost(SCRAPES).untilAsserted(() -> assertThat(prometheus.value("up{job=\"socket-gateway\"}"))
					.as(prometheus::output).isEqualTo(1.0));

				sendTcp(gateway.listening().get("tcp"));
				sendUdp(gateway.listening().get("udp"));
				await().atMost(SCRAPES).untilAsserted(() -> assertThat(prometheus
					.value("sum(gateway_messages_received_total)")).isEqualTo(CONNECTIONS * LINES + DATAGRAMS));
				assertThat(prometheus.value("sum(gateway_messages_received_total{protocol=\"udp\"})")).isEqualTo(DATAGRAMS);
				assertThat(prometheus.value("sum(gateway_listener_up)")).as("both listeners up").isEqualTo(2.0);
				assertThat(prometheus.query("ALERTS")).as("alerts against a healthy gateway, every for: at 0s").isEmpty();

				gateway.terminate();
				assertThat(gateway.waitFor(Duration.ofSeconds(30))).as(gateway::output).isTrue();
				await().atMost(SCRAPES).untilAsserted(() -> assertThat(prometheus
					.query("ALERTS{alertname=\"SocketGatewayDown\",alertstate=\"firing\"}"))
					.as(prometheus::output)
					.singleElement()
					.satisfies((alert) -> assertLabels(alert.path("metric"), target)));
			}
		}
	}

	private static void assertLabels(JsonNode labels, String target) {
		assertThat(labels.path("job").asString()).isEqualTo(PrometheusServer.JOB);
		assertThat(labels.path("instance").asString()).isEqualTo(target);
		assertThat(labels.path("severity").asString()).isEqualTo("critical");
	}

	private static void sendTcp(int port) throws Exception {
		for (int connection = 0; connection < CONNECTIONS; connection++) {
			try (Socket client = tcp(port)) {
				for (int line = 0; line < LINES; line++) {
					String request = "connection " + connection + " line " + line + "\n";
					assertThat(exchange(client, request)).isEqualTo(request.toUpperCase(Locale.ROOT));
				}
			}
		}
	}

	private static void sendUdp(int port) throws Exception {
		try (DatagramSocket client = udp(port)) {
			for (int i = 0; i < DATAGRAMS; i++) {
				assertThat(text(exchange(client, ascii("datagram " + i)))).isEqualTo("DATAGRAM " + i);
			}
		}
	}

}
