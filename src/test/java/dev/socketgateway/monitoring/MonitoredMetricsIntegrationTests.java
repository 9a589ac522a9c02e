package dev.socketgateway.monitoring;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

import dev.socketgateway.GatewayTest;
import dev.socketgateway.actuate.ObservabilityClients;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The alert rules and the dashboard read only metrics and reasons that a running gateway's
 * {@code /actuator/prometheus} shows, before any traffic: a meter renamed in the code fails this test until the
 * monitoring files follow.
 */
@GatewayTest(webEnvironment = WebEnvironment.RANDOM_PORT)
class MonitoredMetricsIntegrationTests {

	/** A sample line: its metric name, and its labels if it has any. */
	private static final Pattern SAMPLE = Pattern.compile("(?m)^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*})? ");

	private static final Pattern REASON = Pattern.compile("\\breason=\"([^\"]*)\"");

	@LocalServerPort
	int httpPort;

	private final Set<String> names = new TreeSet<>();

	private final Set<String> reasons = new TreeSet<>();

	@BeforeEach
	void scrape() {
		HttpResponse<String> response = new ObservabilityClients(this.httpPort).get("/actuator/prometheus");
		assertThat(response.statusCode()).isEqualTo(200);
		SAMPLE.matcher(response.body()).results().forEach((sample) -> {
			this.names.add(sample.group(1));
			if (sample.group(2) != null) {
				REASON.matcher(sample.group(2)).results().forEach((reason) -> this.reasons.add(reason.group(1)));
			}
		});
		assertThat(this.names).contains("gateway_listener_up", "gateway_connections_max",
				"gateway_transform_seconds_bucket");
	}

	@Test
	void theDashboardReadsOnlyMetricsTheGatewayExposes() throws IOException {
		Set<String> read = new TreeSet<>();
		for (Map.Entry<String, List<String>> panel : MonitoringFiles.dashboardExpressions().entrySet()) {
			for (String expression : panel.getValue()) {
				Set<String> metrics = MonitoringFiles.gatewayMetrics(expression);
				assertThat(metrics).as("%s: %s", panel.getKey(), expression).isNotEmpty().isSubsetOf(this.names);
				assertThat(MonitoringFiles.reasons(expression)).as("%s: %s", panel.getKey(), expression)
					.isSubsetOf(this.reasons);
				read.addAll(metrics);
			}
		}
		assertThat(read).as("metrics on the dashboard").contains("gateway_listener_up", "gateway_connections_active",
				"gateway_connections_max", "gateway_connections_opened_total", "gateway_connections_closed_total",
				"gateway_connections_rejected_total", "gateway_messages_received_total", "gateway_messages_sent_total",
				"gateway_bytes_received_total", "gateway_bytes_sent_total", "gateway_errors_total",
				"gateway_transform_seconds_bucket");
	}

	@Test
	void theAlertRulesReadOnlyMetricsAndReasonsTheGatewayExposes() throws IOException {
		for (Map<String, Object> rule : MonitoringFiles.rules()) {
			String expression = (String) rule.get("expr");
			assertThat(MonitoringFiles.gatewayMetrics(expression)).as("%s: %s", rule.get("alert"), expression)
				.isSubsetOf(this.names);
			assertThat(MonitoringFiles.reasons(expression)).as("%s: %s", rule.get("alert"), expression)
				.isSubsetOf(this.reasons);
		}
	}

}
