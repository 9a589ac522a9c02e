package dev.socketgateway.actuate;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static dev.socketgateway.GatewayClients.TIMEOUT;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What an operator uses in these tests: plain HTTP against {@code /actuator} on the management port.
 * Every connect and call here is bounded by {@link dev.socketgateway.GatewayClients#TIMEOUT}, so a server
 * that does not answer fails a test instead of hanging it; clients of the listeners come from
 * {@link dev.socketgateway.GatewayClients}.
 */
public final class ObservabilityClients {

	private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final int httpPort;

	public ObservabilityClients(int httpPort) {
		this.httpPort = httpPort;
	}

	public HttpResponse<String> get(String path) {
		return send(request(path).GET().build());
	}

	HttpResponse<String> delete(String path) {
		return send(request(path).DELETE().build());
	}

	/** POSTs a JSON body, as an operator's {@code curl -H 'Content-Type: application/json' -d ...} does. */
	public HttpResponse<String> post(String path, String json) {
		return send(request(path).header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(json))
			.build());
	}

	/** GETs a path that must answer 200 with JSON. */
	public JsonNode json(String path) {
		HttpResponse<String> response = get(path);
		assertThat(response.statusCode()).as("GET %s: %s", path, response.body()).isEqualTo(200);
		return parse(response.body());
	}

	/**
	 * One meter's value as {@code /actuator/metrics} shows it: the COUNT of a counter or the VALUE of a
	 * gauge, summed over the meters that match the tags.
	 * @param tags {@code key:value} pairs, for example {@code listener:tcp}
	 */
	public double metric(String name, String... tags) {
		String query = Arrays.stream(tags).map((tag) -> "tag=" + tag).collect(Collectors.joining("&"));
		JsonNode meter = json("/actuator/metrics/" + name + (query.isEmpty() ? "" : "?" + query));
		for (JsonNode measurement : meter.path("measurements")) {
			String statistic = measurement.path("statistic").asString();
			if ("COUNT".equals(statistic) || "VALUE".equals(statistic)) {
				return measurement.path("value").asDouble();
			}
		}
		throw new AssertionError("No COUNT or VALUE measurement in " + meter);
	}

	/** The connections {@code /actuator/connections/<listener>} lists, one JSON object each. */
	public List<JsonNode> connections(String listener) {
		List<JsonNode> connections = new ArrayList<>();
		json("/actuator/connections/" + listener).path("connections").forEach(connections::add);
		return connections;
	}

	private HttpRequest.Builder request(String path) {
		return HttpRequest.newBuilder(URI.create("http://localhost:" + this.httpPort + path)).timeout(TIMEOUT);
	}

	private static HttpResponse<String> send(HttpRequest request) {
		try {
			return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
		}
		catch (IOException ex) {
			throw new IllegalStateException(request.method() + " " + request.uri() + " failed", ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(request.method() + " " + request.uri() + " was interrupted", ex);
		}
	}

	static JsonNode parse(String json) {
		return JSON.readTree(json);
	}

}
