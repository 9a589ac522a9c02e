package dev.socketgateway.monitoring;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shipped alert rules and the dashboard's PromQL through {@code promtool}, Prometheus' own checker: the rules
 * load and pass their unit tests (and a broken rule fails them), and every dashboard expression parses. Skipped
 * with a WARNING without promtool, unless {@code it.prometheus.required} is true.
 */
@EnabledIf(value = "dev.socketgateway.monitoring.PrometheusBinaries#installedOrRequired",
		disabledReason = PrometheusBinaries.NOT_INSTALLED)
class PromtoolTests {

	private static final Path HERE = Path.of(".");

	@TempDir
	Path directory;

	@Test
	void theShippedRulesLoadAndPassTheirUnitTests() throws Exception {
		PrometheusBinaries.Result check = PrometheusBinaries.promtool(HERE, "check", "rules",
				MonitoringFiles.RULES.toString());
		assertThat(check.exitCode()).as("%s", check).isZero();
		assertThat(check.output()).as("%s", check).contains("SUCCESS: " + MonitoringFiles.rules().size() + " rules found");
		PrometheusBinaries.Result test = PrometheusBinaries.promtool(HERE, "test", "rules",
				MonitoringFiles.RULE_TESTS.toString());
		assertThat(test.exitCode()).as("%s", test).isZero();
	}

	@Test
	void everyRuleHasAUnitTestThatFiresItAndOneThatDoesNot() throws IOException {
		String tests = Files.readString(MonitoringFiles.RULE_TESTS);
		for (Map<String, Object> rule : MonitoringFiles.rules()) {
			String alert = (String) rule.get("alert");
			assertThat(tests).as(alert).contains("alertname: " + alert + "\n        exp_alerts: []");
			assertThat(tests).as(alert).containsPattern("alertname: " + alert + "\n        exp_alerts:\n +- exp_labels:");
		}
	}

	@Test
	void aRuleBrokenOnPurposeFailsTheUnitTests() throws Exception {
		String rules = Files.readString(MonitoringFiles.RULES);
		String broken = rules.replace("gateway_connections_active / gateway_connections_max > 0.9",
				"gateway_connections_active / gateway_connections_max > 0.99");
		assertThat(broken).isNotEqualTo(rules);
		Files.writeString(this.directory.resolve(MonitoringFiles.RULES.getFileName()), broken);
		Files.copy(MonitoringFiles.RULE_TESTS, this.directory.resolve(MonitoringFiles.RULE_TESTS.getFileName()));
		PrometheusBinaries.Result test = PrometheusBinaries.promtool(this.directory, "test", "rules",
				MonitoringFiles.RULE_TESTS.getFileName().toString());
		assertThat(test.exitCode()).as("%s", test).isNotZero();
		assertThat(test.output()).as("%s", test).contains("SocketGatewayConnectionsNearLimit");
	}

	@Test
	void everyDashboardExpressionIsValidPromql() throws Exception {
		Set<String> variables = MonitoringFiles.dashboardVariables();
		StringBuilder rules = new StringBuilder("groups:\n  - name: dashboard\n    rules:\n");
		int count = 0;
		for (Map.Entry<String, List<String>> panel : MonitoringFiles.dashboardExpressions().entrySet()) {
			for (String expression : panel.getValue()) {
				rules.append("      # ").append(panel.getKey()).append('\n');
				rules.append("      - record: dashboard:expression_").append(++count).append('\n');
				rules.append("        expr: '").append(MonitoringFiles.substitute(expression, variables).replace("'", "''"))
					.append("'\n");
			}
		}
		assertThat(count).isPositive();
		Path file = Files.writeString(this.directory.resolve("dashboard-rules.yml"), rules);
		PrometheusBinaries.Result check = PrometheusBinaries.promtool(this.directory, "check", "rules",
				file.getFileName().toString());
		assertThat(check.exitCode()).as("%s\n%s", check, rules).isZero();
		assertThat(check.output()).as("%s", check).contains("SUCCESS: " + count + " rules found");
	}

}
