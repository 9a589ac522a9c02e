package dev.socketgateway.actuate;

import java.io.IOException;
import java.net.ConnectException;
import java.net.DatagramSocket;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import dev.socketgateway.GatewayTest;
import dev.socketgateway.listener.GatewayListener;
import dev.socketgateway.listener.ListenerState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.TestPropertySource;

import static dev.socketgateway.GatewayClients.TIMEOUT;
import static dev.socketgateway.GatewayClients.exchange;
import static dev.socketgateway.GatewayClients.readExactly;
import static dev.socketgateway.GatewayClients.readToEnd;
import static dev.socketgateway.GatewayClients.send;
import static dev.socketgateway.GatewayClients.tcp;
import static dev.socketgateway.GatewayClients.udp;
import static dev.socketgateway.actuate.ObservabilityClients.parse;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * {@code POST /actuator/listeners/<name>} once the operator has allowed it with
 * {@code management.endpoint.listeners.access=unrestricted}: pausing refuses new clients while open connections
 * are served and readiness turns 503; draining answers what each client sent, says goodbye and closes the
 * connections one after another; resuming accepts again on the same port. Each test leaves its listeners running.
 */
@GatewayTest(webEnvironment = WebEnvironment.RANDOM_PORT)
@TestPropertySource(properties = {
		"management.endpoint.listeners.access=unrestricted",
		"gateway.listeners.lines.protocol=tcp",
		"gateway.listeners.lines.port=0",
		"gateway.listeners.lines.framing=line",
		"gateway.listeners.lines.event-loops=1",
		"gateway.listeners.lines.drain-message=server restarting, please reconnect",
		"gateway.listeners.lines.drain-window=" + ListenersEndpointWriteIntegrationTests.DRAIN_WINDOW_MILLIS + "ms",
		"gateway.listeners.loops.protocol=tcp",
		"gateway.listeners.loops.port=0",
		"gateway.listeners.loops.event-loops=3",
		"gateway.listeners.one-loop.protocol=tcp",
		"gateway.listeners.one-loop.port=0",
		"gateway.listeners.one-loop.event-loops=1" })
@DirtiesContext
@ExtendWith(OutputCaptureExtension.class)
class ListenersEndpointWriteIntegrationTests extends ActuatorTestSupport {

	static final int DRAIN_WINDOW_MILLIS = 1500;

	@AfterEach
	void resumeEveryListener() {
		this.registry.listeners().forEach(GatewayListener::resume);
	}

	@Test
	void pausedListenerRefusesNewClientsServesOpenOnesAndTakesReadinessDownUntilResumed(CapturedOutput output)
			throws IOException {
		int port = this.registry.listener("tcp").port();
		try (Socket open = tcp(port)) {
			assertThat(exchange(open, "before")).isEqualTo("BEFORE");

			JsonNode paused = changeState("tcp", "paused", 200);
			assertThat(paused.path("state").asString()).isEqualTo("paused");
			assertThat(paused.path("port").asInt()).isEqualTo(port);
			assertThatExceptionOfType(ConnectException.class).as("a new client is refused, not queued")
				.isThrownBy(() -> tcp(port).close());
			assertThat(exchange(open, "still served")).isEqualTo("STILL SERVED");
			assertThat(this.actuator.json("/actuator/listeners/tcp").path("openConnections").asInt()).isEqualTo(1);
			assertThat(health("tcp")).isEqualTo("OUT_OF_SERVICE");
			assertThat(this.actuator.get("/actuator/health/readiness").statusCode()).isEqualTo(503);
			assertThat(this.actuator.get("/actuator/health/liveness").statusCode()).isEqualTo(200);

			JsonNode running = changeState("tcp", "running", 200);
			assertThat(running.path("state").asString()).isEqualTo("running");
			assertThat(running.path("port").asInt()).isEqualTo(port);
			try (Socket another = tcp(port)) {
				assertThat(exchange(another, "on the same port")).isEqualTo("ON THE SAME PORT");
			}
			assertThat(exchange(open, "and the first")).isEqualTo("AND THE FIRST");
			assertThat(health("tcp")).isEqualTo("UP");
			assertThat(this.actuator.get("/actuator/health/readiness").statusCode()).isEqualTo(200);
		}
		assertThat(output.getOut()).contains("Listener 'tcp' (tcp): running -> paused, 1 open connections")
			.contains("Listener 'tcp' (tcp): paused -> running, 1 open connections");
	}

	@Test
	void everyEventLoopStopsAndStartsListeningOnThePortBound() throws IOException {
		int port = this.registry.listener("loops").port();
		changeState("loops", "paused", 200);
		for (int i = 0; i < 12; i++) {
			assertThatExceptionOfType(ConnectException.class).as("connection %d", i).isThrownBy(() -> tcp(port).close());
		}
		changeState("loops", "running", 200);
		// The kernel spreads new connections over the loops' sockets; a loop not listening again would refuse some.
		List<Socket> clients = new ArrayList<>();
		try {
			for (int i = 0; i < 12; i++) {
				Socket client = tcp(port);
				clients.add(client);
				assertThat(exchange(client, "client " + i)).isEqualTo("CLIENT " + i);
			}
		}
		finally {
			for (Socket client : clients) {
				client.close();
			}
		}
	}

	@Test
	void drainingAnswersEachClientThenSaysGoodbyeAndClosesThemOneAfterAnother(CapturedOutput output)
			throws Exception {
		int port = this.registry.listener("lines").port();
		List<Socket> clients = new ArrayList<>();
		ExecutorService readers = Executors.newFixedThreadPool(3);
		try {
			for (int i = 0; i < 3; i++) {
				Socket client = tcp(port);
				clients.add(client);
				assertThat(exchange(client, "hello " + i + "\n")).isEqualTo("HELLO " + i + "\n"); // accepted in order
			}
			for (int i = 0; i < 3; i++) {
				send(clients.get(i), ("one " + i + "\ntwo " + i + "\nthree " + i + "\n").getBytes(UTF_8));
			}
			long drainStarted = System.nanoTime();
			List<Future<Closed>> reads = new ArrayList<>();
			for (Socket client : clients) {
				reads.add(readers.submit(() -> {
					byte[] everything = readToEnd(client, 1024);
					return new Closed(new String(everything, UTF_8), System.nanoTime());
				}));
			}
			JsonNode draining = changeState("lines", "draining", 200);
			assertThat(draining.path("state").asString()).isEqualTo("draining");

			List<Closed> closed = new ArrayList<>();
			for (Future<Closed> read : reads) {
				closed.add(read.get(TIMEOUT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS));
			}
			for (int i = 0; i < 3; i++) {
				assertThat(closed.get(i).text()).as("client %d: every reply, the drain message, then the end", i)
					.isEqualTo("ONE " + i + "\nTWO " + i + "\nTHREE " + i + "\nserver restarting, please reconnect\n");
			}
			assertThat(closed.get(0).at()).as("oldest first").isLessThan(closed.get(1).at());
			assertThat(closed.get(1).at()).isLessThan(closed.get(2).at());
			// The third of three connections is due two thirds into the window, never earlier.
			assertThat(Duration.ofNanos(closed.get(2).at() - drainStarted))
				.isGreaterThanOrEqualTo(Duration.ofMillis(DRAIN_WINDOW_MILLIS * 2 / 3));

			await().atMost(TIMEOUT).untilAsserted(() -> {
				JsonNode lines = this.actuator.json("/actuator/listeners/lines");
				assertThat(lines.path("state").asString()).isEqualTo("draining");
				assertThat(lines.path("openConnections").asInt()).isZero();
			});
			assertThat(health("lines")).isEqualTo("OUT_OF_SERVICE");
			assertThatExceptionOfType(ConnectException.class).isThrownBy(() -> tcp(port).close());
			assertThat(output.getOut()).contains("Listener 'lines' (tcp): running -> draining, 3 open connections");
		}
		finally {
			readers.shutdownNow();
			for (Socket client : clients) {
				client.close();
			}
		}
		changeState("lines", "running", 200);
		try (Socket client = tcp(port)) {
			assertThat(exchange(client, "back\n")).isEqualTo("BACK\n");
		}
	}

	@Test
	void pausedUdpListenerDropsAndCountsDatagramsUntilResumed() throws IOException {
		int port = this.registry.listener("udp").port();
		try (DatagramSocket client = udp(port)) {
			assertThat(exchange(client, "before".getBytes(UTF_8))).asString(UTF_8).isEqualTo("BEFORE");
			for (String state : List.of("paused", "draining")) {
				assertThat(changeState("udp", state, 200).path("state").asString()).isEqualTo(state);
				assertThat(health("udp")).isEqualTo("OUT_OF_SERVICE");
				double dropped = this.actuator.metric("gateway.connections.rejected", "listener:udp", "reason:paused");
				send(client, ("while " + state).getBytes(UTF_8));
				await().atMost(TIMEOUT)
					.untilAsserted(() -> assertThat(this.actuator.metric("gateway.connections.rejected",
							"listener:udp", "reason:paused"))
						.isEqualTo(dropped + 1));
				// Counted as dropped, so no reply was sent: a short wait shows nothing arrives.
				client.setSoTimeout(200);
				assertThatExceptionOfType(SocketTimeoutException.class).isThrownBy(() -> readDatagram(client));
				client.setSoTimeout((int) TIMEOUT.toMillis());
			}
			changeState("udp", "running", 200);
			assertThat(exchange(client, "after".getBytes(UTF_8))).asString(UTF_8).isEqualTo("AFTER");
			assertThat(health("udp")).isEqualTo("UP");
		}
	}

	@Test
	void resumingOnAPortTakenMeanwhileIsAConflictAndTheListenerStaysPaused(CapturedOutput output) throws IOException {
		for (String name : List.of("one-loop", "loops")) {
			int port = this.registry.listener(name).port();
			changeState(name, "paused", 200);
			try (ServerSocket squatter = new ServerSocket(port)) {
				HttpResponse<String> refused = post(name, "{\"state\": \"running\"}");
				assertThat(refused.statusCode()).as("%s: %s", name, refused.body()).isEqualTo(409);
				JsonNode body = parse(refused.body());
				assertThat(body.path("error").asString()).as(name).contains("port " + port);
				assertThat(body.path("state").asString()).as(name).isEqualTo("paused");
				assertThat(this.registry.listener(name).state()).as(name).isEqualTo(ListenerState.PAUSED);
				assertThat(health(name)).as(name).isEqualTo("OUT_OF_SERVICE");
				assertThat(output.getOut()).contains("Listener '" + name + "' (tcp): paused -> running failed, it stays "
						+ "paused: Listener '" + name + "' (tcp) cannot listen on port " + port + " again");
			}
			changeState(name, "running", 200);
			try (Socket client = tcp(port)) {
				assertThat(exchange(client, "back on " + port)).as(name).isEqualTo("BACK ON " + port);
			}
		}
	}

	@Test
	void anUnknownListenerIsNotFoundAndAnUnknownStateIsABadRequestNamingTheAllowedOnes() {
		assertThat(post("no-such-listener", "{\"state\": \"paused\"}").statusCode()).isEqualTo(404);
		for (String body : List.of("{\"state\": \"sleeping\"}", "{\"state\": \"stopped\"}", "{}")) {
			HttpResponse<String> refused = post("tcp", body);
			assertThat(refused.statusCode()).as(body).isEqualTo(400);
			JsonNode answer = parse(refused.body());
			assertThat(answer.path("allowedStates").valueStream().map(JsonNode::asString))
				.as(body)
				.containsExactly("running", "paused", "draining");
			assertThat(answer.path("error").asString()).as(body).contains("running, paused, draining");
		}
		assertThat(this.registry.listener("tcp").state()).isEqualTo(ListenerState.RUNNING);
	}

	private JsonNode changeState(String listener, String state, int status) {
		HttpResponse<String> response = post(listener, "{\"state\": \"" + state + "\"}");
		assertThat(response.statusCode()).as("POST %s %s: %s", listener, state, response.body()).isEqualTo(status);
		return parse(response.body());
	}

	private HttpResponse<String> post(String listener, String body) {
		return this.actuator.post("/actuator/listeners/" + listener, body);
	}

	private String health(String listener) {
		HttpResponse<String> response = this.actuator.get("/actuator/health/gateway/" + listener);
		return parse(response.body()).path("status").asString();
	}

	private static byte[] readDatagram(DatagramSocket client) throws IOException {
		return dev.socketgateway.GatewayClients.receive(client);
	}

	/** What a client read until the server closed, and when it saw the end. */
	private record Closed(String text, long at) {
	}

}
