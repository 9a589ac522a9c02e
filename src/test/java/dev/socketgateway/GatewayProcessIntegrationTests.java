package dev.socketgateway;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
 * with SIGTERM, and refusing to start on a busy port.
 */
class GatewayProcessIntegrationTests {

	private static final Pattern LISTENING = Pattern.compile("Listener '(\\w+)' \\((tcp|udp)\\) listening on \\S+ port (\\d+)");

	private Process process;

	private final StringBuffer output = new StringBuffer();

	@AfterEach
	void killLeftover() {
		if (this.process != null && this.process.isAlive()) {
			this.process.destroyForcibly();
		}
	}

	@Test
	void environmentVariablesConfigureTheServiceAndSigtermDrainsAndExitsZero() throws Exception {
		int tcpPort = freeTcpPort();
		int udpPort = freeUdpPort();
		start(Map.of("GATEWAY_LISTENERS_TCP_PORT", String.valueOf(tcpPort), "GATEWAY_LISTENERS_UDP_PORT",
				String.valueOf(udpPort)));
		await().atMost(Duration.ofSeconds(60)).until(() -> listening().size() == 2 || !this.process.isAlive());
		assertThat(listening()).as(this.output::toString).containsEntry("tcp", tcpPort).containsEntry("udp", udpPort);

		try (DatagramSocket udp = udp(udpPort)) {
			byte[] reply = exchange(udp, "over udp".getBytes(StandardCharsets.UTF_8));
			assertThat(new String(reply, StandardCharsets.UTF_8)).isEqualTo("OVER UDP");
		}
		try (Socket client = tcp(tcpPort)) {
			assertThat(exchange(client, "before sigterm")).isEqualTo("BEFORE SIGTERM");
			send(client, "in flight".getBytes(StandardCharsets.UTF_8));
			long terminated = System.nanoTime();
			this.process.destroy(); // SIGTERM
			assertThat(new String(client.getInputStream().readNBytes(9), StandardCharsets.UTF_8)).isEqualTo("IN FLIGHT");
			assertThat(client.getInputStream().read()).as("closed after the drain").isEqualTo(-1);
			// Within spring.lifecycle.timeout-per-shutdown-phase (20 s, packaged default).
			assertThat(this.process.waitFor(20, TimeUnit.SECONDS)).as("exited within the shutdown phase").isTrue();
			assertThat(Duration.ofNanos(System.nanoTime() - terminated)).isLessThan(Duration.ofSeconds(20));
		}
		assertThat(this.process.exitValue()).as(this.output::toString).isZero();
	}

	@Test
	void busyPortMakesTheProcessExitNonZeroNamingListenerProtocolAndPort() throws Exception {
		try (ServerSocket squatter = new ServerSocket()) {
			squatter.bind(new InetSocketAddress(0));
			int port = squatter.getLocalPort();
			start(Map.of("GATEWAY_LISTENERS_TCP_PORT", String.valueOf(port), "GATEWAY_LISTENERS_UDP_PORT", "0"));
			assertThat(this.process.waitFor(60, TimeUnit.SECONDS)).isTrue();
			assertThat(this.process.exitValue()).isNotZero();
			assertThat(this.output.toString()).contains("Listener 'tcp' (tcp, port " + port);
		}
	}

	private void start(Map<String, String> environment) throws IOException {
		String java = ProcessHandle.current().info().command().orElse("java");
		ProcessBuilder builder = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
				SocketGatewayApplication.class.getName(), "--server.port=0")
			.redirectErrorStream(true);
		builder.environment().putAll(environment);
		this.process = builder.start();
		Thread reader = new Thread(() -> {
			try (BufferedReader lines = new BufferedReader(
					new InputStreamReader(this.process.getInputStream(), StandardCharsets.UTF_8))) {
				String line;
				while ((line = lines.readLine()) != null) {
					this.output.append(line).append('\n');
				}
			}
			catch (IOException ex) {
				// the process ended
			}
		}, "gateway-process-output");
		reader.setDaemon(true);
		reader.start();
	}

	private Map<String, Integer> listening() {
		Map<String, Integer> ports = new java.util.HashMap<>();
		Matcher matcher = LISTENING.matcher(this.output);
		while (matcher.find()) {
			ports.put(matcher.group(1), Integer.parseInt(matcher.group(3)));
		}
		return ports;
	}

	private static int freeTcpPort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

	private static int freeUdpPort() throws IOException {
		try (DatagramSocket socket = new DatagramSocket(0)) {
			return socket.getLocalPort();
		}
	}

}
