package dev.socketgateway;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

import dev.socketgateway.actuate.ObservabilityClients;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static dev.socketgateway.GatewayClients.exchange;
import static dev.socketgateway.GatewayClients.send;
import static dev.socketgateway.GatewayClients.tcp;
import static dev.socketgateway.GatewayClients.udp;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The service as an operator runs it: a separate JVM configured through environment variables, stopped
 * with SIGTERM (with and without a lame-duck {@code gateway.shutdown-delay}), and refusing to start on a busy port.
 */
class GatewayProcessIntegrationTests {

	private static final Duration SHUTDOWN_DELAY = Duration.ofSeconds(3);

	private GatewayProcess process;

	@AfterEach
	void killLeftover() {
		if (this.process != null) {
			this.process.close();
		}
	}

	@Test
	void environmentVariablesConfigureTheServiceAndSigtermDrainsAndExitsZero() throws Exception {
		int tcpPort = FreePorts.tcp();
		int udpPort = FreePorts.udp();
		this.process = GatewayProcess.start(Map.of("GATEWAY_LISTENERS_TCP_PORT", String.valueOf(tcpPort),
				"GATEWAY_LISTENERS_UDP_PORT", String.valueOf(udpPort)));
		await().atMost(Duration.ofSeconds(60))
			.until(() -> this.process.listening().size() == 2 || !this.process.isAlive());
		assertThat(this.process.listening()).as(this.process::output)
			.containsEntry("tcp", tcpPort)
			.containsEntry("udp", udpPort);

		try (DatagramSocket udp = udp(udpPort)) {
			byte[] reply = exchange(udp, "over udp".getBytes(StandardCharsets.UTF_8));
			assertThat(new String(reply, StandardCharsets.UTF_8)).isEqualTo("OVER UDP");
		}
		try (Socket client = tcp(tcpPort)) {
			assertThat(exchange(client, "before sigterm")).isEqualTo("BEFORE SIGTERM");
			send(client, "in flight".getBytes(StandardCharsets.UTF_8));
			long terminated = System.nanoTime();
			this.process.terminate();
			assertThat(new String(client.getInputStream().readNBytes(9), StandardCharsets.UTF_8)).isEqualTo("IN FLIGHT");
			assertThat(client.getInputStream().read()).as("closed after the drain").isEqualTo(-1);
			// Within spring.lifecycle.timeout-per-shutdown-phase (20 s, packaged default).
			assertThat(this.process.waitFor(Duration.ofSeconds(20))).as("exited within the shutdown phase").isTrue();
			assertThat(Duration.ofNanos(System.nanoTime() - terminated)).isLessThan(Duration.ofSeconds(20));
		}
		assertThat(this.process.exitValue()).as(this.process::output).isZero();
	}

	@Test
	void afterSigtermReadinessIs503WhileTheListenerStillAcceptsForTheDelayThenItDrainsAndExitsZero() throws Exception {
		this.process = GatewayProcess.start(Map.of("GATEWAY_SHUTDOWNDELAY", SHUTDOWN_DELAY.toSeconds() + "s",
				"GATEWAY_LISTENERS_TCP_PORT", "0", "GATEWAY_LISTENERS_TCP_BINDADDRESS", "127.0.0.1",
				"GATEWAY_LISTENERS_UDP_ENABLED", "false", "SERVER_ADDRESS", "127.0.0.1"));
		this.process.awaitStarted(Duration.ofSeconds(60), "tcp");
		int port = this.process.listening().get("tcp");
		ObservabilityClients actuator = new ObservabilityClients(this.process.httpPort().getAsInt());
		assertThat(readiness(actuator)).isEqualTo(200);

		try (Socket connected = tcp(port)) {
			assertThat(exchange(connected, "before sigterm")).isEqualTo("BEFORE SIGTERM");
			long terminated = System.nanoTime();
			this.process.terminate();
			await().atMost(SHUTDOWN_DELAY).pollInterval(Duration.ofMillis(50)).until(() -> readiness(actuator) == 503);
			try (Socket late = tcp(port)) {
				assertThat(exchange(late, "new client while readiness is 503"))
					.isEqualTo("NEW CLIENT WHILE READINESS IS 503");
			}
			assertThat(exchange(connected, "still served")).isEqualTo("STILL SERVED");
			assertThat(connected.getInputStream().read()).as("closed by the drain").isEqualTo(-1);
			assertThat(Duration.ofNanos(System.nanoTime() - terminated)).as("the drain waited for the delay")
				.isGreaterThanOrEqualTo(SHUTDOWN_DELAY);
		}
		assertThat(this.process.waitFor(Duration.ofSeconds(30))).as("exited").isTrue();
		assertThat(this.process.exitValue()).as(this.process::output).isZero();
		String output = this.process.output();
		int lameDuck = output.indexOf("Shutting down: readiness refuses traffic; the listeners keep accepting for 3s "
				+ "(gateway.shutdown-delay) before they drain");
		int drained = output.indexOf("Listener 'tcp' drained: 3 messages received, 3 replies sent");
		assertThat(lameDuck).as(output).isNotNegative();
		assertThat(drained).as(output).isGreaterThan(lameDuck);
	}

	@Test
	void busyPortMakesTheProcessExitNonZeroNamingListenerProtocolAndPort() throws Exception {
		try (ServerSocket squatter = new ServerSocket()) {
			squatter.bind(new InetSocketAddress(0));
			int port = squatter.getLocalPort();
			this.process = GatewayProcess.start(
					Map.of("GATEWAY_LISTENERS_TCP_PORT", String.valueOf(port), "GATEWAY_LISTENERS_UDP_PORT", "0"));
			assertThat(this.process.waitFor(Duration.ofSeconds(60))).isTrue();
			assertThat(this.process.exitValue()).isNotZero();
			assertThat(this.process.output()).contains("Listener 'tcp' (tcp, port " + port);
		}
	}

	/** The readiness probe's status, or -1 while the web server does not answer. */
	private static int readiness(ObservabilityClients actuator) {
		try {
			return actuator.get("/actuator/health/readiness").statusCode();
		}
		catch (IllegalStateException ex) {
			return -1;
		}
	}

}
