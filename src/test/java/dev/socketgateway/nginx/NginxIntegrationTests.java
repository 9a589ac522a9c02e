package dev.socketgateway.nginx;

import java.io.EOFException;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
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

import static dev.socketgateway.GatewayClients.ascii;
import static dev.socketgateway.GatewayClients.closeAll;
import static dev.socketgateway.GatewayClients.exchange;
import static dev.socketgateway.GatewayClients.receive;
import static dev.socketgateway.GatewayClients.send;
import static dev.socketgateway.GatewayClients.tcp;
import static dev.socketgateway.GatewayClients.text;
import static dev.socketgateway.GatewayClients.udp;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

/**
 * Two gateways behind nginx's stream module from the operating system's packages, as docs/deployment.md's "Behind
 * nginx" runs them: TCP with PROXY protocol and UDP with one reply a datagram, passive checks only, all on
 * loopback. Started once for the class; the third test stops one gateway with SIGTERM, and the last two check
 * how nginx then takes it out of each upstream.
 *
 * <p>Without nginx or its stream module the tests are skipped, saying so, unless {@code it.nginx.required} is true
 * (the {@code it-nginx} profile sets it): then they fail.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@EnabledIf(value = "nginxInstalledOrRequired", disabledReason = NginxIntegrationTests.NOT_INSTALLED)
class NginxIntegrationTests {

	static final String NOT_INSTALLED = "nginx or its stream module is not installed: "
			+ "apt-get install nginx libnginx-mod-stream, then ./mvnw -Pit-nginx verify";

	private static final Logger logger = LoggerFactory.getLogger(NginxIntegrationTests.class);

	/** Set by the it-nginx profile: there, a missing nginx fails the build instead of skipping. */
	private static final boolean REQUIRED = Boolean.getBoolean("it.nginx.required");

	private static final Duration STARTUP = Duration.ofSeconds(90);

	private static final int CLIENTS = 20;

	private static final int DATAGRAMS = 1_000;

	/** Longer than the configuration's UDP proxy_timeout (2 s): a probe unanswered by then went to a dead gateway. */
	private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(3);

	private static final Pattern DRAINED = Pattern
		.compile("Listener 'tcp' drained: (\\d+) messages received, (\\d+) replies sent");

	/** Datagrams sent one at a time after the SIGTERM, at most, until nginx has taken the stopped gateway out. */
	private static final int MAX_PROBES = 20;

	/** What nginx logs (at warn) as a passive check takes a server out: its fails reached max_fails (1). */
	private static final String DISABLED = "upstream server temporarily disabled";

	@TempDir
	static Path directory;

	private static final List<GatewayProcess> processes = new ArrayList<>();

	private static final List<StartedGateway> gateways = new ArrayList<>();

	private static Nginx nginx;

	private static int tcpPort;

	private static int udpPort;

	/** Disables the class, saying so on the console, when nginx or its stream module is missing and not required. */
	static boolean nginxInstalledOrRequired() {
		if (Nginx.PROGRAM.binary().isPresent() && Nginx.hasStreamModule() || REQUIRED) {
			return true;
		}
		logger.warn("WARNING: NginxIntegrationTests SKIPPED: {} (nginx: {}; stream module: {}{})", NOT_INSTALLED,
				Nginx.PROGRAM.binary().map(Path::toString).orElse("none in " + Nginx.PROGRAM.searched()),
				Nginx.streamModule(), Nginx.hasStreamModule() ? "" : ", missing");
		return false;
	}

	@BeforeAll
	static void startTwoGatewaysBehindNginx() throws Exception {
		Path binary = Nginx.PROGRAM.binary()
			.orElseGet(() -> fail(NOT_INSTALLED + " (looked in " + Nginx.PROGRAM.searched()
					+ "); it.nginx.required=true makes that a failure"));
		assertThat(Nginx.hasStreamModule()).as("%s (no stream module at %s); it.nginx.required=true makes that a failure",
				NOT_INSTALLED, Nginx.streamModule()).isTrue();
		for (int i = 0; i < 2; i++) {
			processes.add(GatewayProcess.start(Map.of(
					"GATEWAY_LISTENERS_TCP_PORT", "0",
					"GATEWAY_LISTENERS_TCP_BINDADDRESS", "127.0.0.1",
					// One message a line, so that counts of requests and replies compare exactly.
					"GATEWAY_LISTENERS_TCP_FRAMING", "line",
					"GATEWAY_LISTENERS_TCP_PROXYPROTOCOL", "required",
					"GATEWAY_LISTENERS_TCP_PROXYTRUSTEDCIDRS", "127.0.0.1/32",
					"GATEWAY_LISTENERS_UDP_PORT", "0",
					"GATEWAY_LISTENERS_UDP_BINDADDRESS", "127.0.0.1",
					"SERVER_ADDRESS", "127.0.0.1")));
		}
		Map<String, String> addresses = new LinkedHashMap<>();
		for (GatewayProcess process : processes) {
			StartedGateway gateway = StartedGateway.await("gateway" + (gateways.size() + 1), process, STARTUP, "tcp",
					"udp");
			gateways.add(gateway);
			addresses.put(gateway.name() + "-tcp", gateway.address("tcp"));
			addresses.put(gateway.name() + "-udp", gateway.address("udp"));
		}
		tcpPort = FreePorts.tcp();
		udpPort = FreePorts.udp();
		addresses.put("tcp", "127.0.0.1:" + tcpPort);
		addresses.put("udp", "127.0.0.1:" + udpPort);
		nginx = Nginx.start(binary, directory, addresses);
		await().atMost(Duration.ofSeconds(30)).until(() -> !nginx.isAlive() || nginx.isListening());
		assertThat(nginx.isAlive()).as(nginx::output).isTrue();
	}

	@AfterAll
	static void stopEverything() throws Exception {
		if (nginx != null) {
			nginx.close();
		}
		processes.forEach(GatewayProcess::close);
	}

	@Test
	@Order(1)
	void tcpRepliesComeThroughNginxFromBothGatewaysWhichSeeTheClientsOwnPorts() throws IOException {
		double[] before = received("tcp");
		List<Socket> clients = new ArrayList<>();
		try {
			Set<Integer> clientPorts = new HashSet<>();
			for (int i = 0; i < CLIENTS; i++) {
				Socket client = tcp(tcpPort);
				clients.add(client);
				assertThat(exchange(client, "client " + i + "\n")).as(nginx::output).isEqualTo("CLIENT " + i + "\n");
				clientPorts.add(client.getLocalPort());
			}
			// Which gateway answered a client is the one whose /actuator/connections lists the client's port.
			await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
				Map<Integer, String> answeredBy = new HashMap<>();
				for (StartedGateway gateway : gateways) {
					for (JsonNode connection : gateway.actuator().connections("tcp")) {
						assertThat(connection.path("remoteAddress").asString()).as("%s", connection).isEqualTo("127.0.0.1");
						// nginx's own end of its connection to the gateway, not the client.
						assertThat(connection.path("proxiedBy").asString()).as("proxiedBy of %s", connection)
							.startsWith("127.0.0.1:")
							.isNotEqualTo("127.0.0.1:" + connection.path("remotePort").asInt());
						answeredBy.put(connection.path("remotePort").asInt(), gateway.name());
					}
				}
				assertThat(answeredBy.keySet()).as("remotePort, both gateways together").isEqualTo(clientPorts);
				assertThat(Set.copyOf(answeredBy.values())).as("gateways that answered").containsExactlyInAnyOrder("gateway1",
						"gateway2");
			});
		}
		finally {
			closeAll(clients);
		}
		double[] after = received("tcp");
		assertThat(after[0] - before[0] + after[1] - before[1]).as("messages the gateways received").isEqualTo(CLIENTS);
	}

	@Test
	@Order(2)
	void everyDatagramIsAnsweredThroughNginxAndTheTwoGatewaysCountedExactlyWhatWasSent() throws IOException {
		double[] before = received("udp");
		List<DatagramSocket> clients = new ArrayList<>();
		try {
			for (int i = 0; i < CLIENTS; i++) {
				clients.add(udp(udpPort));
			}
			for (int i = 0; i < DATAGRAMS; i++) {
				String request = "datagram " + i + " from client " + i % CLIENTS;
				byte[] reply = exchange(clients.get(i % CLIENTS), ascii(request));
				assertThat(text(reply)).as("reply to %s", request).isEqualTo(request.toUpperCase(Locale.ROOT));
			}
		}
		finally {
			closeAll(clients);
		}
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
			double[] after = received("udp");
			assertThat(after[0] - before[0]).as("datagrams gateway1 received").isPositive();
			assertThat(after[1] - before[1]).as("datagrams gateway2 received").isPositive();
			assertThat(after[0] - before[0] + after[1] - before[1]).isEqualTo(DATAGRAMS);
		});
	}

	@Test
	@Order(3)
	void sigtermDrainsOneGatewayAndNginxClosesItsClientsWhileTheOthersGoOn() throws Exception {
		List<Socket> connected = new ArrayList<>();
		try {
			for (int i = 0; i < 4; i++) {
				connected.add(tcp(tcpPort));
				assertThat(exchange(connected.get(i), "before sigterm " + i + "\n")).isEqualTo("BEFORE SIGTERM " + i + "\n");
			}
			int onStopped = stopped().actuator().connections("tcp").size();
			stopped().process().terminate();
			assertThat(stopped().process().waitFor(Duration.ofSeconds(30))).as("%s exited", stopped().name()).isTrue();
			assertThat(stopped().process().exitValue()).as(stopped().process()::output).isZero();
			Matcher drained = DRAINED.matcher(stopped().process().output());
			assertThat(drained.find()).as(stopped().process()::output).isTrue();
			assertThat(drained.group(1)).as("messages received, replies sent").isEqualTo(drained.group(2));
			// Closed by the drain, the stopped gateway's connections end nginx's connections to their clients.
			int closed = 0;
			for (Socket client : connected) {
				try {
					assertThat(exchange(client, "still there\n")).isEqualTo("STILL THERE\n");
				}
				catch (EOFException | SocketException ex) {
					closed++;
				}
			}
			assertThat(closed).as("clients closed, of %s", connected.size()).isEqualTo(onStopped).isBetween(1, 3);
		}
		finally {
			closeAll(connected);
		}
	}

	@Test
	@Order(4)
	void oneRefusedConnectTakesTheStoppedGatewayOutAndTheOtherServesEveryNewTcpClient() throws IOException {
		assertThat(stopped().process().isAlive()).as("%s stopped by the test before", stopped().name()).isFalse();
		// The first connection nginx sends to the stopped gateway is refused, which marks it failed, and goes on
		// to the survivor; until fail_timeout (30 s) nginx tries the stopped one no more.
		double opened = survivor().metric("gateway.connections.opened", "tcp");
		for (int i = 0; i < 50; i++) {
			try (Socket client = tcp(tcpPort)) {
				assertThat(exchange(client, "after sigterm " + i + "\n")).as(nginx::output)
					.isEqualTo("AFTER SIGTERM " + i + "\n");
			}
		}
		assertThat(survivor().metric("gateway.connections.opened", "tcp") - opened).isEqualTo(50);
		assertThat(nginx.logLines("connect() failed (111: Connection refused)", "tcp", stopped().address("tcp")))
			.as(nginx::output)
			.hasSize(1);
		assertThat(nginx.logLines(DISABLED, "tcp", stopped().address("tcp"))).as(nginx::output).hasSize(1);
	}

	@Test
	@Order(5)
	void oneLostDatagramTakesTheStoppedGatewayOutAndTheOtherAnswersEveryDatagramAfterIt() throws IOException {
		assertThat(stopped().process().isAlive()).as("%s stopped by the test before", stopped().name()).isFalse();
		// nginx has no retry for a datagram. The first one it sends to the stopped gateway is lost (the ICMP port
		// unreachable comes back as a failed recv(), which nginx 1.22 answers with an empty datagram) and marks the
		// gateway failed: probes, one at a time, until nginx says so.
		List<String> probes = new ArrayList<>();
		for (int i = 0; i < MAX_PROBES && nginx.logLines(DISABLED, "udp", stopped().address("udp")).isEmpty(); i++) {
			probes.add(probe("probe " + i));
		}
		assertThat(nginx.logLines(DISABLED, "udp", stopped().address("udp")))
			.as("nginx's log after the probes %s:%n%s", probes, nginx.output())
			.isNotEmpty();
		assertThat(probes).as("probes").anyMatch((probe) -> !probe.equals("answered"));
		int stoppedLines = nginx.logLines("", "udp", stopped().address("udp")).size();
		double received = survivor().metric("gateway.messages.received", "udp");
		List<DatagramSocket> clients = new ArrayList<>();
		try {
			for (int i = 0; i < CLIENTS; i++) {
				clients.add(udp(udpPort));
			}
			for (int i = 0; i < 200; i++) {
				String request = "after sigterm " + i;
				assertThat(text(exchange(clients.get(i % CLIENTS), ascii(request)))).as(nginx::output)
					.isEqualTo(request.toUpperCase(Locale.ROOT));
			}
		}
		finally {
			closeAll(clients);
		}
		assertThat(survivor().metric("gateway.messages.received", "udp") - received).isEqualTo(200);
		assertThat(nginx.logLines("", "udp", stopped().address("udp"))).as("nginx's lines about the stopped gateway")
			.hasSize(stoppedLines);
	}

	/** The gateway the tests stop with SIGTERM. */
	private static StartedGateway stopped() {
		return gateways.get(0);
	}

	private static StartedGateway survivor() {
		return gateways.get(1);
	}

	/**
	 * Sends one datagram from a new socket and waits {@link #PROBE_TIMEOUT} for its reply.
	 * @return "answered", "empty reply" (what nginx 1.22 sends when the gateway's port is closed) or "no reply"
	 */
	private static String probe(String request) throws IOException {
		try (DatagramSocket client = udp(udpPort)) {
			client.setSoTimeout((int) PROBE_TIMEOUT.toMillis());
			send(client, ascii(request));
			String reply = text(receive(client));
			return reply.equals(request.toUpperCase(Locale.ROOT)) ? "answered" : reply.isEmpty() ? "empty reply" : reply;
		}
		catch (SocketTimeoutException ex) {
			return "no reply";
		}
	}

	/** {@code gateway.messages.received} on the listener, gateway1's then gateway2's. */
	private static double[] received(String listener) {
		return new double[] { gateways.get(0).metric("gateway.messages.received", listener),
				gateways.get(1).metric("gateway.messages.received", listener) };
	}

}
