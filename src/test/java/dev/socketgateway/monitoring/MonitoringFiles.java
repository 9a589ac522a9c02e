package dev.socketgateway.monitoring;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.yaml.snakeyaml.Yaml;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The monitoring files the gateway ships, read as Prometheus and Grafana read them: the alert rules in
 * {@code config/prometheus} and the dashboard in {@code config/grafana}, with the PromQL each of them holds.
 */
final class MonitoringFiles {

	static final Path RULES = Path.of("config", "prometheus", "socket-gateway-alerts.yml");

	static final Path RULE_TESTS = Path.of("config", "prometheus", "socket-gateway-alerts.test.yml");

	static final Path DASHBOARD = Path.of("config", "grafana", "socket-gateway.json");

	/** What the dashboard's test stands in for Grafana's own interval variables. */
	static final String INTERVAL = "1m";

	/** What the dashboard's test stands in for a template variable set to All. */
	static final String ALL = ".*";

	private static final Pattern VARIABLE = Pattern.compile("\\$(?:\\{(\\w+)(?::\\w+)?}|(\\w+))");

	private static final Pattern GATEWAY_METRIC = Pattern.compile("\\bgateway_[a-z_]+\\b");

	private static final Pattern REASON = Pattern.compile("\\breason\\s*(?:=|!=|=~|!~)\\s*\"([^\"]*)\"");

	private static final Set<String> GRAFANA_INTERVALS = Set.of("__rate_interval", "__interval", "__range");

	/** Matches {@code for:} in a rule, keeping its indentation. */
	private static final Pattern FOR = Pattern.compile("(?m)^(\\s+)for: \\S+$");

	private MonitoringFiles() {
	}

	static JsonNode dashboard() throws IOException {
		return JsonMapper.builder().build().readTree(Files.readString(DASHBOARD));
	}

	/** The rules of the shipped rule file, in order, each as Prometheus reads it (alert, expr, for, labels...). */
	@SuppressWarnings("unchecked")
	static List<Map<String, Object>> rules() throws IOException {
		try (Reader reader = Files.newBufferedReader(RULES, StandardCharsets.UTF_8)) {
			Map<String, Object> file = new Yaml().load(reader);
			List<Map<String, Object>> rules = new ArrayList<>();
			for (Map<String, Object> group : (List<Map<String, Object>>) file.get("groups")) {
				rules.addAll((List<Map<String, Object>>) group.get("rules"));
			}
			return rules;
		}
	}

	/** Every {@code expr} of the dashboard's panels, by panel title, with the template variables as written. */
	static Map<String, List<String>> dashboardExpressions() throws IOException {
		Map<String, List<String>> expressions = new LinkedHashMap<>();
		collectExpressions(dashboard().path("panels"), "", expressions);
		return expressions;
	}

	private static void collectExpressions(JsonNode node, String title, Map<String, List<String>> expressions) {
		String panel = node.path("title").isString() ? node.path("title").asString() : title;
		if (node.path("expr").isString()) {
			expressions.computeIfAbsent(panel, (key) -> new ArrayList<>()).add(node.path("expr").asString());
		}
		for (JsonNode child : node) {
			collectExpressions(child, panel, expressions);
		}
	}

	/** The names of the dashboard's template variables. */
	static Set<String> dashboardVariables() throws IOException {
		Set<String> names = new TreeSet<>();
		dashboard().path("templating").path("list").forEach((variable) -> names.add(variable.path("name").asString()));
		return names;
	}

	/**
	 * The expression as Prometheus gets it from Grafana: each template variable All ({@value #ALL}), each interval
	 * {@value #INTERVAL}.
	 * @throws IllegalArgumentException for a variable the dashboard does not define
	 */
	static String substitute(String expression, Set<String> variables) {
		Matcher matcher = VARIABLE.matcher(expression);
		StringBuilder promql = new StringBuilder();
		while (matcher.find()) {
			String name = (matcher.group(1) != null) ? matcher.group(1) : matcher.group(2);
			String value;
			if (GRAFANA_INTERVALS.contains(name)) {
				value = INTERVAL;
			}
			else if (variables.contains(name)) {
				value = ALL;
			}
			else {
				throw new IllegalArgumentException("$" + name + " in '" + expression + "' is no variable of the dashboard");
			}
			matcher.appendReplacement(promql, Matcher.quoteReplacement(value));
		}
		return matcher.appendTail(promql).toString();
	}

	/** The gateway's metric names an expression reads, such as {@code gateway_errors_total}. */
	static Set<String> gatewayMetrics(String expression) {
		Set<String> names = new TreeSet<>();
		GATEWAY_METRIC.matcher(expression).results().forEach((match) -> names.add(match.group()));
		return names;
	}

	/** The {@code reason} label values an expression names in its matchers, regex alternatives split. */
	static Set<String> reasons(String expression) {
		Set<String> reasons = new TreeSet<>();
		REASON.matcher(expression).results().forEach((match) -> reasons.addAll(List.of(match.group(1).split("\\|"))));
		return reasons;
	}

	/**
	 * The shipped rules with every {@code for:} set to 0s, for a test that cannot wait minutes for an alert.
	 * @throws IllegalStateException if the file has no {@code for:} to replace
	 */
	static String rulesFiringAtOnce() throws IOException {
		String rules = Files.readString(RULES);
		Matcher matcher = FOR.matcher(rules);
		if (!matcher.find()) {
			throw new IllegalStateException("No 'for:' in " + RULES);
		}
		return matcher.replaceAll("$1for: 0s");
	}

}
