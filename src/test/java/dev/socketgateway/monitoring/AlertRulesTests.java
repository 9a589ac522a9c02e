package dev.socketgateway.monitoring;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shipped alert rules as an Alertmanager route and an operator reading docs/monitoring.md need them, without
 * promtool ({@link PromtoolTests} loads and unit-tests them).
 */
class AlertRulesTests {

	@Test
	void theSixAlertsEachHaveASeveritySummaryAndDescription() throws IOException {
		List<Map<String, Object>> rules = MonitoringFiles.rules();
		assertThat(rules).extracting((rule) -> rule.get("alert"))
			.containsExactly("SocketGatewayDown", "SocketGatewayListenerDown", "SocketGatewayConnectionsNearLimit",
					"SocketGatewayRejecting", "SocketGatewayErrors", "SocketGatewayTransformSlow");
		assertThat(rules).allSatisfy((rule) -> {
			assertThat(rule).as("%s", rule.get("alert")).containsKeys("expr", "for");
			assertThat(section(rule, "labels")).as("%s", rule.get("alert")).containsKey("severity");
			assertThat(section(rule, "annotations")).as("%s", rule.get("alert")).containsKeys("summary", "description");
			assertThat(rule.get("annotations").toString()).as("%s", rule.get("alert")).contains("$labels.instance");
		});
	}

	@Test
	void docsSayWhatEachAlertMeansAndWhatToDo() throws IOException {
		String docs = Files.readString(Path.of("docs", "monitoring.md"));
		for (Map<String, Object> rule : MonitoringFiles.rules()) {
			assertThat(docs).as("docs/monitoring.md").contains("| `" + rule.get("alert") + "` |");
		}
		assertThat(docs).contains("job_name: " + PrometheusServer.JOB, "rule_files:", "Dashboards → New → Import");
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> section(Map<String, Object> rule, String name) {
		return (Map<String, Object>) rule.get(name);
	}

}
