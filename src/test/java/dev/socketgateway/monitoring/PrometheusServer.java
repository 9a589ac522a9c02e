package dev.socketgateway.monitoring;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import dev.socketgateway.ForegroundServer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static dev.socketgateway.GatewayClients.TIMEOUT;
import static java.nio.charset.StandardCharsets.UTF_8;

/**
 * The Prometheus server as an operator runs it, in the foreground on loopback, scraping one gateway's
 * {@code /actuator/prometheus} every second as job {@code socket-gateway} (the job the alert rules expect) and
 * evaluating the rules it is given every second. Its output is kept for failure messages.
 */
final class PrometheusServer extends ForegroundServer {

	static final String JOB = "socket-gateway";

	private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final int port;

	private PrometheusServer(Path binary, Path config, Path storage, int port) throws IOException {
		super(new ProcessBuilder(binary.toString(), "--config.file=" + config, "--storage.tsdb.path=" + storage,
				"--web.listen-address=127.0.0.1:" + port), "prometheus");
		this.port = port;
	}

	/**
	 * Writes {@code rules} and a configuration scraping the gateway to {@code directory} and starts Prometheus on
	 * them, its database in the same directory; it has not loaded them yet (see {@link #isReady()}).
	 * @param target the gateway's actuator, as {@code host:port}
	 */
	static PrometheusServer start(Path binary, Path directory, String target, String rules) throws IOException {
		Path rulesFile = Files.writeString(directory.resolve("socket-gateway-alerts.yml"), rules);
		Path config = Files.writeString(directory.resolve("prometheus.yml"), """
				global:
				  scrape_interval: 1s
				  scrape_timeout: 800ms
				  evaluation_interval: 1s
				rule_files:
				  - %s
				scrape_configs:
				  - job_name: %s
				    metrics_path: /actuator/prometheus
				    static_configs:
				      - targets: ['%s']
				""".formatted(rulesFile, JOB, target));
		return new PrometheusServer(binary, config, Files.createDirectories(directory.resolve("data")), freePort());
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

	/** Whether Prometheus has loaded its configuration and answers queries. */
	boolean isReady() {
		try {
			return get("/-/ready").statusCode() == 200;
		}
		catch (IllegalStateException ex) {
			return false; // not listening yet
		}
	}

	/** The series of an instant query's answer, each with its {@code metric} labels and {@code value}. */
	List<JsonNode> query(String promql) {
		JsonNode answer = json("/api/v1/query?query=" + URLEncoder.encode(promql, UTF_8));
		List<JsonNode> series = new ArrayList<>();
		answer.path("data").path("result").forEach(series::add);
		return series;
	}

	/** The value of a query answered by one series; NaN when there is none (yet). */
	double value(String promql) {
		List<JsonNode> series = query(promql);
		if (series.size() != 1) {
			return Double.NaN;
		}
		return Double.parseDouble(series.get(0).path("value").get(1).asString());
	}

	/** The rule groups as Prometheus loaded them ({@code /api/v1/rules}). */
	JsonNode ruleGroups() {
		return json("/api/v1/rules").path("data").path("groups");
	}

	private JsonNode json(String path) {
		HttpResponse<String> response = get(path);
		if (response.statusCode() != 200) {
			throw new IllegalStateException("GET " + path + " answered " + response.statusCode() + ": " + response.body());
		}
		return JSON.readTree(response.body());
	}

	private HttpResponse<String> get(String path) {
		HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + path))
			.timeout(TIMEOUT)
			.GET()
			.build();
		try {
			return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
		}
		catch (IOException ex) {
			throw new IllegalStateException("GET " + request.uri() + " failed", ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("GET " + request.uri() + " was interrupted", ex);
		}
	}

}
