package dev.socketgateway.tcp;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import dev.socketgateway.GatewayProcess;
import dev.socketgateway.actuate.ObservabilityClients;
import org.junit.jupiter.api.Test;

import static dev.socketgateway.GatewayClients.ascii;
import static dev.socketgateway.GatewayClients.exchange;
import static dev.socketgateway.GatewayClients.send;
import static dev.socketgateway.GatewayClients.readExactly;
import static dev.socketgateway.GatewayClients.tcp;
import static dev.socketgateway.GatewayClients.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A gateway out of file descriptors, as a host with a low {@code ulimit -n} meets a burst of clients: it counts each
 * failed accept, warns once a second, keeps answering the connections it has, and accepts the clients left waiting
 * in the backlog once descriptors are free again, on its own. The service runs as its own JVM, whose descriptor
 * limit {@code prlimit} lowers while it runs.
 */
class FileDescriptorExhaustionIntegrationTests {

	private static final Path PRLIMIT = Path.of("/usr/bin/prlimit");

	/** Descriptors left free under the lowered limit: far fewer than the clients. */
	private static final int FREE = 8;

	private static final int CLIENTS = 20;

	/**
	 * Closed after the limit is hit, freeing descriptors for the rest: those were all waiting in the backlog, and
	 * are fewer than the descriptors free (the JVM may take one or two of those meanwhile, opening a jar).
	 */
	private static final int CLOSED = 16;

	@Test
	void clientsWaitingWhileTheGatewayIsOutOfDescriptorsAreAnsweredOnceSomeAreFree() throws Exception {
		if (!Files.isExecutable(PRLIMIT)) {
			System.err.println("WARNING: " + PRLIMIT + " is missing (Debian package util-linux): skipping "
					+ getClass().getSimpleName());
		}
		assumeTrue(Files.isExecutable(PRLIMIT), "prlimit is missing");
		try (GatewayProcess process = GatewayProcess.start(Map.of("GATEWAY_LISTENERS_TCP_PORT", "0",
				"GATEWAY_LISTENERS_TCP_BINDADDRESS", "127.0.0.1", "GATEWAY_LISTENERS_UDP_ENABLED", "false"))) {
			process.awaitStarted(Duration.ofSeconds(60), "tcp");
			int port = process.listening().get("tcp");
			String limit = softLimit(process.pid());
			List<Socket> clients = new ArrayList<>();
			try (Socket first = tcp(port)) {
				// The read and write path is loaded and running before descriptors run out.
				assertThat(exchange(first, "warm")).isEqualTo("WARM");
				long limited = System.nanoTime();
				limitOpenFiles(process.pid(), String.valueOf(openFiles(process.pid()) + FREE));
				for (int i = 0; i < CLIENTS; i++) {
					Socket client = tcp(port); // the kernel completes the handshake; the gateway accepts later
					send(client, ascii("client " + i));
					clients.add(client);
				}
				await().atMost(Duration.ofSeconds(20))
					.until(() -> process.output().contains("accepting a connection failed") || !process.isAlive());
				assertThat(process.isAlive()).as(process::output).isTrue();
				assertThat(process.output()).contains("Too many open files");
				assertThat(exchange(first, "still served")).as("a connection it had").isEqualTo("STILL SERVED");

				for (Socket client : clients.subList(0, CLOSED)) {
					client.close();
				}
				for (int i = CLOSED; i < CLIENTS; i++) {
					Socket client = clients.get(i);
					client.setSoTimeout((int) TimeUnit.SECONDS.toMillis(20));
					String expected = "CLIENT " + i;
					assertThat(reply(client, expected.length(), process)).as("client %d", i).isEqualTo(expected);
				}
				// Every failed accept is counted into one WARN line a second, with no stack trace: not a line per
				// attempt, which a loop retrying at once would print thousands of times a second.
				long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - limited) + 1;
				assertThat(process.output().lines().filter((line) -> line.contains("Too many open files")).count())
					.isBetween(1L, seconds + 1);
			}
			finally {
				for (Socket client : clients) {
					client.close();
				}
			}
			limitOpenFiles(process.pid(), limit); // as it was, so that /actuator can take the request
			double failedAccepts = new ObservabilityClients(process.httpPort().getAsInt()).metric("gateway.errors",
					"listener:tcp", "reason:accept-failed");
			long warned = process.output().lines().filter((line) -> line.contains("Too many open files")).count();
			assertThat(failedAccepts).as("every failed accept, the warned and the suppressed")
				.isGreaterThanOrEqualTo(warned);
		}
	}

	/** The reply's text; fails with what the gateway printed if it does not come. */
	private static String reply(Socket client, int length, GatewayProcess process) {
		try {
			return text(readExactly(client, length));
		}
		catch (IOException ex) {
			throw new AssertionError("no reply (" + ex + "); the gateway printed:\n" + process.output(), ex);
		}
	}

	private static long openFiles(long pid) throws IOException {
		try (Stream<Path> files = Files.list(Path.of("/proc", String.valueOf(pid), "fd"))) {
			return files.count();
		}
	}

	/** The soft limit of open files, from {@code /proc/<pid>/limits}: a number or "unlimited". */
	private static String softLimit(long pid) throws IOException {
		return Files.readAllLines(Path.of("/proc", String.valueOf(pid), "limits"))
			.stream()
			.filter((line) -> line.startsWith("Max open files"))
			.map((line) -> line.substring("Max open files".length()).trim().split("\\s+")[0])
			.findFirst()
			.orElseThrow();
	}

	/** Sets the soft limit, which is the one enforced; raising the hard limit again would take a privilege. */
	private static void limitOpenFiles(long pid, String limit) throws IOException, InterruptedException {
		Process prlimit = new ProcessBuilder(PRLIMIT.toString(), "--pid", String.valueOf(pid), "--nofile=" + limit + ":")
			.redirectErrorStream(true)
			.start();
		assertThat(prlimit.waitFor(10, TimeUnit.SECONDS)).isTrue();
		assertThat(prlimit.exitValue()).as(new String(prlimit.getInputStream().readAllBytes())).isZero();
	}

}
