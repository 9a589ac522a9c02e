package dev.socketgateway.haproxy;

import java.io.EOFException;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.socketgateway.FreePorts;
import dev.socketgateway.GatewayProcess;
import dev.socketgateway.StartedGateway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

import static dev.socketgateway.GatewayClients.closeAll;
import static dev.socketgateway.GatewayClients.exchange;
import static dev.socketgateway.GatewayClients.tcp;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

/**
 * Two gateways behind HAProxy from the operating system's packages, as docs/deployment.md's "Behind HAProxy" runs
 * them: {@code mode tcp}, readiness checks on the actuator's port, all on loopback. Started once for the
 * class; the last test stops one gateway with SIGTERM, and its {@code gateway.shutdown-delay} lets HAProxy take it
 * out before it refuses a connection, with no {@code retries} or {@code redispatch} to hide one.
 *
 * <p>Without HAProxy the tests are skipped, saying so, unless {@code it.haproxy.required} is true (the
 * {@code it-haproxy} profile sets it): then they fail.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@EnabledIf(value = "haproxyInstalledOrRequired", disabledReason = HaproxyIntegrationTests.NOT_INSTALLED)
class HaproxyIntegrationTests {

	static final String NOT_INSTALLED = "haproxy is not installed: apt-get install haproxy, then ./mvnw -Pit-haproxy verify";

	private static final Logger logger = LoggerFactory.getLogger(HaproxyIntegrationTests.class);

	private static final Pattern DRAINED = Pattern
		.compile("Listener 'tcp' drained: (\\d+) messages received, (\\d+) replies sent");

	/** The state change a listener logs as it stops accepting, once its shutdown delay is over. */
	private static final String STOPPED_ACCEPTING = "Listener 'tcp' (tcp): running -> stopped";

	/**
	 * A connection in HAProxy's TCP log: client, date, frontend, backend/server, timers, bytes, termination state
	 * (group 1), connection counts and retries (group 2, "+" when redispatched), queues.
	 */
	private static final Pattern TCP_LOG = Pattern.compile("(?m)^\\S+ \\[[^]]+] socket-gateway \\S+ \\S+ \\d+ "
			+ "(\\S\\S) \\d+/\\d+/\\d+/\\d+/\\+?(\\d+) \\d+/\\d+$");

	/** Set by the it-haproxy profile: there, a missing HAProxy fails the build instead of skipping. */
	private static final boolean REQUIRED = Boolean.getBoolean("it.haproxy.required");

	private static final String BACKEND = "gateways";

	private static final Duration STARTUP = Duration.ofSeconds(90);

	private static final int CLIENTS = 20;

	private static final Duration SHUTDOWN_DELAY = Duration.ofSeconds(3);

	@TempDir
	static Path directory;

	private static final List<GatewayProcess> processes = new ArrayList<>();

	private static final List<StartedGateway> gateways = new ArrayList<>();

	private static Haproxy haproxy;

	private static int frontendPort;

	/** Disables the class, saying so on the console, when HAProxy is missing and not required. */
	static boolean haproxyInstalledOrRequired() {
		if (Haproxy.PROGRAM.binary().isPresent() || REQUIRED) {
			return true;
		}
		logger.warn("WARNING: HaproxyIntegrationTests SKIPPED: {} (looked in {})", NOT_INSTALLED, Haproxy.PROGRAM.searched());
		return false;
	}

	@BeforeAll
	static void startTwoGatewaysBehindHaproxy() throws Exception {
		Path binary = Haproxy.PROGRAM.binary()
			.orElseGet(() -> fail(NOT_INSTALLED + " (looked in " + Haproxy.PROGRAM.searched()
					+ "); it.haproxy.required=true makes that a failure"));
		for (int i = 0; i < 2; i++) {
			processes.add(GatewayProcess.start(Map.of(
					"GATEWAY_LISTENERS_TCP_PORT", "0",
					"GATEWAY_LISTENERS_TCP_BINDADDRESS", "127.0.0.1",
					// One message a line, so that counts of requests and replies compare exactly.
					"GATEWAY_LISTENERS_TCP_FRAMING", "line",
					"GATEWAY_LISTENERS_TCP_PROXYPROTOCOL", "required",
					"GATEWAY_LISTENERS_TCP_PROXYTRUSTEDCIDRS", "127.0.0.0/8",
					"GATEWAY_LISTENERS_UDP_ENABLED", "false",
					// Readiness 503 while still accepting: longer than HAProxy's inter + timeout check (1.2 s).
					"GATEWAY_SHUTDOWNDELAY", SHUTDOWN_DELAY.toSeconds() + "s",
					"SERVER_ADDRESS", "127.0.0.1")));
		}
		Map<String, String> addresses = new LinkedHashMap<>();
		for (GatewayProcess process : processes) {
			StartedGateway gateway = StartedGateway.await("gateway" + (gateways.size() + 1), process, STARTUP, "tcp");
			gateways.add(gateway);
			addresses.put(gateway.name(), gateway.address("tcp"));
			addresses.put(gateway.name() + "-http-port", String.valueOf(gateway.httpPort()));
		}
		frontendPort = FreePorts.tcp();
		addresses.put("frontend", "127.0.0.1:" + frontendPort);
		haproxy = Haproxy.start(binary, directory, addresses);
		await().atMost(Duration.ofSeconds(30))
			.until(() -> !haproxy.isAlive() || haproxy.isListening()
					&& haproxy.servers(BACKEND).stream().allMatch(Haproxy.Server::upAfterCheck));
		assertThat(haproxy.isAlive()).as(haproxy::output).isTrue();
		assertThat(haproxy.servers(BACKEND)).hasSize(2);
	}

	@AfterAll
	static void stopEverything() throws Exception {
		if (haproxy != null) {
			haproxy.close();
		}
		processes.forEach(GatewayProcess::close);
	}

	@Test
	@Order(1)
	void repliesArriveThroughHaproxyAndBothGatewaysServe() throws IOException {
		double[] before = received();
		List<Socket> clients = new ArrayList<>();
		try {
			for (int i = 0; i < CLIENTS; i++) {
				Socket client = tcp(frontendPort);
				clients.add(client);
				assertThat(exchange(client, "client " + i + "\n")).isEqualTo("CLIENT " + i + "\n");
			}
		}
		finally {
			closeAll(clients);
		}
		double[] after = received();
		assertThat(after[0] - before[0]).as("messages gateway1 received").isPositive();
		assertThat(after[1] - before[1]).as("messages gateway2 received").isPositive();
		assertThat(after[0] - before[0] + after[1] - before[1]).isEqualTo(CLIENTS);
	}

	@Test
	@Order(2)
	void eachGatewaysConnectionsEndpointShowsTheClientsOwnPorts() throws IOException {
		List<Socket> clients = new ArrayList<>();
		try {
			Set<Integer> clientPorts = new HashSet<>();
			for (int i = 0; i < CLIENTS; i++) {
				Socket client = tcp(frontendPort);
				clients.add(client);
				// A reply means the gateway has accepted the connection (and read the PROXY header).
				assertThat(exchange(client, "client " + i + "\n")).isEqualTo("CLIENT " + i + "\n");
				clientPorts.add(client.getLocalPort());
			}
			await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
				List<JsonNode> gateway1 = gateways.get(0).actuator().connections("tcp");
				List<JsonNode> gateway2 = gateways.get(1).actuator().connections("tcp");
				assertThat(gateway1).as("gateway1's connections").isNotEmpty();
				assertThat(gateway2).as("gateway2's connections").isNotEmpty();
				Set<Integer> seen = new HashSet<>();
				for (JsonNode connection : concat(gateway1, gateway2)) {
					assertThat(connection.path("remoteAddress").asString()).as("%s", connection).isEqualTo("127.0.0.1");
					assertThat(connection.path("proxiedBy").isNull()).as("proxiedBy of %s", connection).isFalse();
					assertThat(connection.path("proxiedBy").asString()).as("%s", connection).startsWith("127.0.0.1:");
					seen.add(connection.path("remotePort").asInt());
				}
				assertThat(seen).as("remotePort, both gateways together").isEqualTo(clientPorts);
			});
		}
		finally {
			closeAll(clients);
		}
	}

	@Test
	@Order(3)
	void sigtermTakesOneGatewayOutWithoutLosingAReplyAndNewConnectionsGoToTheOther() throws Exception {
		StartedGateway stopped = gateways.get(0);
		StartedGateway survivor = gateways.get(1);
		double stoppedSentBefore = stopped.metric("gateway.messages.sent", "tcp");
		double survivorSentBefore = survivor.metric("gateway.messages.sent", "tcp");
		double survivorReceivedBefore = survivor.metric("gateway.messages.received", "tcp");
		double stoppedReceivedBefore = stopped.metric("gateway.messages.received", "tcp");

		Load load = new Load(8, 2);
		try {
			await().atMost(Duration.ofSeconds(30))
				.until(() -> stopped.metric("gateway.messages.received", "tcp") - stoppedReceivedBefore >= 200
						&& survivor.metric("gateway.messages.received", "tcp") - survivorReceivedBefore >= 200);
			stopped.process().terminate();
			await().atMost(Duration.ofSeconds(30))
				.until(() -> "DOWN".equals(haproxy.server(BACKEND, stopped.name()).status()));
			assertThat(stopped.process().output()).as("HAProxy took %s out while it still accepted", stopped.name())
				.doesNotContain(STOPPED_ACCEPTING);
			assertThat(stopped.process().waitFor(Duration.ofSeconds(30))).as("%s exited", stopped.name()).isTrue();
			long answeredAfterExit = load.answered();
			// Requests keep flowing, now all through the survivor.
			await().atMost(Duration.ofSeconds(30)).until(() -> load.answered() >= answeredAfterExit + 500);
		}
		finally {
			load.stop();
		}
		assertThat(load.failures()).as(haproxy::output).isEmpty();
		assertThat(refusedConnects(haproxy.output())).as("connections HAProxy found refused or had to retry")
			.isEmpty();
		assertThat(load.closedByServer()).as("clients of the stopped gateway saw their connections closed").isPositive();

		assertThat(stopped.process().exitValue()).as(stopped.process()::output).isZero();
		Matcher drained = DRAINED.matcher(stopped.process().output());
		assertThat(drained.find()).as(stopped.process()::output).isTrue();
		long received = Long.parseLong(drained.group(1));
		long sent = Long.parseLong(drained.group(2));
		assertThat(received).as("messages %s received", stopped.name()).isPositive().isEqualTo(sent);
		assertThat(drained.find()).as("one drain line").isFalse();

		// Every reply the gateways sent during the load reached a client: none was lost on a closing connection.
		double survivorSent = survivor.metric("gateway.messages.sent", "tcp") - survivorSentBefore;
		assertThat(survivor.metric("gateway.messages.received", "tcp") - survivorReceivedBefore).isEqualTo(survivorSent);
		assertThat((double) load.answered()).isEqualTo(sent - stoppedSentBefore + survivorSent);

		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(haproxy.server(BACKEND, survivor.name()))
			.as(haproxy::output).matches(Haproxy.Server::upAfterCheck, "up after a passed check"));
		double survivorOpenedBefore = survivor.metric("gateway.connections.opened", "tcp");
		for (int i = 0; i < 50; i++) {
			try (Socket client = tcp(frontendPort)) {
				assertThat(exchange(client, "after sigterm " + i + "\n")).isEqualTo("AFTER SIGTERM " + i + "\n");
			}
		}
		assertThat(survivor.metric("gateway.connections.opened", "tcp") - survivorOpenedBefore).isEqualTo(50);
	}

	/**
	 * The lines of HAProxy's TCP log ({@code option tcplog}) for connections a gateway refused ("SC") or that were
	 * retried: none, when every gateway is taken out before it stops accepting.
	 */
	private static List<String> refusedConnects(String log) {
		List<String> refused = new ArrayList<>();
		Matcher line = TCP_LOG.matcher(log);
		int lines = 0;
		while (line.find()) {
			lines++;
			if (line.group(1).equals("SC") || Integer.parseInt(line.group(2)) > 0) {
				refused.add(line.group());
			}
		}
		assertThat(lines).as("connections in HAProxy's log").isPositive();
		return refused;
	}

	private static double[] received() {
		return new double[] { gateways.get(0).metric("gateway.messages.received", "tcp"),
				gateways.get(1).metric("gateway.messages.received", "tcp") };
	}

	private static List<JsonNode> concat(List<JsonNode> first, List<JsonNode> second) {
		List<JsonNode> all = new ArrayList<>(first);
		all.addAll(second);
		return all;
	}

	/**
	 * Clients in a closed loop through HAProxy, each sending a numbered line and waiting for its reply before
	 * the next. Some connect anew for every request, so that HAProxy keeps choosing a gateway for new connections.
	 * A client whose connection the server closes (a draining gateway) connects again; anything else is a
	 * failure. Bounded: each client stops after {@link #MAX_REQUESTS} requests or two minutes.
	 */
	private static final class Load {

		private static final int MAX_REQUESTS = 200_000;

		private static final Duration MAX_TIME = Duration.ofMinutes(2);

		private final ExecutorService executor;

		private final List<Client> clients = new ArrayList<>();

		private final AtomicBoolean stop = new AtomicBoolean();

		/** @param reconnecting how many of the clients connect anew for every request */
		Load(int count, int reconnecting) {
			this.executor = Executors.newFixedThreadPool(count);
			for (int i = 0; i < count; i++) {
				Client client = new Client(i, i < reconnecting);
				this.clients.add(client);
				this.executor.execute(client::run);
			}
		}

		long answered() {
			return this.clients.stream().mapToLong(Client::answered).sum();
		}

		long closedByServer() {
			return this.clients.stream().mapToLong(Client::closedByServer).sum();
		}

		List<String> failures() {
			return this.clients.stream().flatMap((client) -> client.failures().stream()).toList();
		}

		void stop() throws InterruptedException {
			this.stop.set(true);
			this.executor.shutdown();
			assertThat(this.executor.awaitTermination(30, TimeUnit.SECONDS)).as("clients stopped").isTrue();
		}

		private final class Client {

			private final int id;

			private final boolean reconnecting;

			private volatile long answered;

			private volatile long closedByServer;

			private final List<String> failures = new CopyOnWriteArrayList<>();

			Client(int id, boolean reconnecting) {
				this.id = id;
				this.reconnecting = reconnecting;
			}

			void run() {
				long deadline = System.nanoTime() + MAX_TIME.toNanos();
				Socket socket = null;
				try {
					for (int n = 0; n < MAX_REQUESTS && !Load.this.stop.get() && System.nanoTime() < deadline; n++) {
						if (socket == null) {
							socket = tcp(frontendPort);
						}
						String request = "client " + this.id + " request " + n + "\n";
						try {
							String reply = exchange(socket, request);
							if (!reply.equals(request.toUpperCase(Locale.ROOT))) {
								this.failures.add("client " + this.id + ": " + request.trim() + " answered " + reply);
								return;
							}
							this.answered++;
							if (this.reconnecting) {
								socket.close();
								socket = null;
							}
						}
						catch (EOFException | SocketException ex) {
							// Closed by the draining gateway. Had it read this request, the reply counts below would show it.
							this.closedByServer++;
							socket.close();
							socket = null;
						}
					}
				}
				catch (IOException | RuntimeException ex) {
					this.failures.add("client " + this.id + ": " + ex);
				}
				finally {
					if (socket != null) {
						try {
							socket.close();
						}
						catch (IOException ex) {
							// nothing more to read
						}
					}
				}
			}

			long answered() {
				return this.answered;
			}

			long closedByServer() {
				return this.closedByServer;
			}

			List<String> failures() {
				return this.failures;
			}

		}

	}

}
