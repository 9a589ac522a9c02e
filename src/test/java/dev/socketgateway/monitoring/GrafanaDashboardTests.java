package dev.socketgateway.monitoring;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * {@code config/grafana/socket-gateway.json} as Grafana 10 imports it: a Prometheus data source to pick, a listener
 * variable, and the panels docs/monitoring.md promises. {@link PromtoolTests} checks its PromQL and
 * {@link MonitoredMetricsIntegrationTests} its metric names.
 */
class GrafanaDashboardTests {

	@Test
	void importAsksForAPrometheusDataSourceAndEveryPanelUsesIt() throws IOException {
		JsonNode dashboard = MonitoringFiles.dashboard();
		assertThat(dashboard.path("__inputs").get(0).path("pluginId").asString()).isEqualTo("prometheus");
		assertThat(dashboard.path("__requires").findValuesAsString("id")).contains("grafana", "prometheus");
		JsonNode datasource = variable(dashboard, "datasource");
		assertThat(datasource.path("type").asString()).isEqualTo("datasource");
		assertThat(datasource.path("query").asString()).isEqualTo("prometheus");
		List<JsonNode> panels = new ArrayList<>();
		dashboard.path("panels").forEach(panels::add);
		assertThat(panels).isNotEmpty().allSatisfy((panel) -> {
			assertThat(panel.path("datasource").path("uid").asString()).as(panel.path("title").asString())
				.isEqualTo("${datasource}");
			panel.path("targets").forEach((target) -> assertThat(target.path("datasource").path("uid").asString())
				.as(panel.path("title").asString()).isEqualTo("${datasource}"));
		});
	}

	@Test
	void theListenerVariableListsEveryListenerAndAllowsSeveral() throws IOException {
		JsonNode listener = variable(MonitoringFiles.dashboard(), "listener");
		assertThat(listener.path("type").asString()).isEqualTo("query");
		assertThat(listener.path("query").path("query").asString())
			.matches("label_values\\(gateway_connections_active(\\{.*})?, listener\\)");
		assertThat(listener.path("multi").asBoolean()).isTrue();
		assertThat(listener.path("includeAll").asBoolean()).isTrue();
	}

	@Test
	void thePanelsShowWhatAnOperatorWatches() throws IOException {
		Map<String, List<String>> expressions = MonitoringFiles.dashboardExpressions();
		assertThat(expressions).containsOnlyKeys("Listeners up", "Active connections and max-connections",
				"Connections per second", "Messages per second", "Bytes per second", "Errors per second by reason",
				"Rate-limited messages per second", "Transform latency");
		assertThat(String.join("\n", expressions.get("Transform latency")))
			.contains("histogram_quantile(0.5,", "histogram_quantile(0.99,", "gateway_transform_seconds_bucket");
		assertThat(expressions.values()).allSatisfy((panel) -> assertThat(panel)
			.allSatisfy((expression) -> assertThat(expression).contains("listener=~\"$listener\"")));
	}

	@Test
	void variablesBecomeWhatGrafanaSendsAndAnUnknownOneIsRefused() {
		Set<String> variables = Set.of("listener", "instance");
		assertThat(MonitoringFiles.substitute("rate(x{listener=~\"$listener\",instance=~\"${instance}\"}[$__rate_interval])",
				variables))
			.isEqualTo("rate(x{listener=~\".*\",instance=~\".*\"}[1m])");
		assertThatIllegalArgumentException().isThrownBy(() -> MonitoringFiles.substitute("x{listener=~\"$listner\"}",
				variables)).withMessageContaining("$listner");
	}

	private static JsonNode variable(JsonNode dashboard, String name) {
		for (JsonNode variable : dashboard.path("templating").path("list")) {
			if (name.equals(variable.path("name").asString())) {
				return variable;
			}
		}
		throw new AssertionError("No template variable '" + name + "' in " + MonitoringFiles.DASHBOARD);
	}

}
