package dev.socketgateway.bench;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The start-up scenario: each {@link StartupServer} launched {@link #LAUNCHES} times, interleaved (jar, launcher,
 * netty, jar, ...) so that a busy spell on the machine falls on all three alike, each time from process start to the
 * first correct TCP reply of a client retrying its connect on loopback. The server is then stopped with SIGTERM.
 */
final class StartupBench {

	static final int LAUNCHES = 5;

	// A cold start that has not answered in a minute is not coming.
	private static final Duration REPLY_TIMEOUT = Duration.ofSeconds(60);

	// The connect retry: short beside the times measured, long enough not to steal a core from the starting JVM.
	private static final long RETRY_MILLIS = 5;

	private final Path java;

	private final Path jar;

	private final Path launcher;

	private final Path output;

	private final AtomicReference<ServerProcess> running;

	StartupBench(Path java, Path jar, Path launcher, Path output, AtomicReference<ServerProcess> running) {
		this.java = java;
		this.jar = jar;
		this.launcher = launcher;
		this.output = output;
		this.running = running;
	}

	Map<StartupServer, StartupResult> run() {
		Map<StartupServer, List<Long>> millis = new EnumMap<>(StartupServer.class);
		Map<StartupServer, List<Long>> cpuMillis = new EnumMap<>(StartupServer.class);
		Map<StartupServer, String> failures = new EnumMap<>(StartupServer.class);
		for (int launch = 1; launch <= LAUNCHES; launch++) {
			for (StartupServer server : StartupServer.values()) {
				if (failures.containsKey(server)) {
					continue;
				}
				System.out.printf(Locale.ROOT, "%-19s %-17s #%d ", "startup", server.id(), launch);
				System.out.flush();
				try {
					long[] measured = launch(server, launch);
					millis.computeIfAbsent(server, (key) -> new ArrayList<>()).add(measured[0]);
					cpuMillis.computeIfAbsent(server, (key) -> new ArrayList<>()).add(measured[1]);
					System.out.printf(Locale.ROOT, "first reply after %,6d ms  (process CPU %,6d ms)%n", measured[0],
							measured[1]);
				}
				catch (Exception ex) {
					if (ex instanceof InterruptedException) {
						Thread.currentThread().interrupt();
					}
					failures.put(server, ex.getClass().getSimpleName() + ": " + ex.getMessage());
					System.out.println("FAILED: " + failures.get(server));
				}
			}
		}
		Map<StartupServer, StartupResult> results = new EnumMap<>(StartupServer.class);
		for (StartupServer server : StartupServer.values()) {
			results.put(server, new StartupResult(server, millis.getOrDefault(server, List.of()),
					cpuMillis.getOrDefault(server, List.of()), failures.get(server)));
		}
		return results;
	}

	/** Milliseconds to the first reply and the process's CPU milliseconds by then. */
	private long[] launch(StartupServer server, int launch) throws Exception {
		if (server == StartupServer.GATEWAY_LAUNCHER && !Files.isExecutable(this.launcher)) {
			throw new IllegalStateException("no launcher at " + this.launcher + " (./mvnw package builds it)");
		}
		int port = Ports.freeTcpAndUdp();
		InetSocketAddress address = new InetSocketAddress(Ports.LOOPBACK, port);
		// An empty working directory: a developer's config/application.yml must not change what is measured.
		Path workingDirectory = Files.createDirectories(this.output.resolve("run"));
		Path log = this.output.resolve("logs").resolve("startup-" + server.id() + "-" + launch + ".log");
		long started = System.nanoTime();
		ServerProcess process = ServerProcess.start(server.command(this.java, this.jar, this.launcher, port),
				server.environment(), workingDirectory, log);
		this.running.set(process);
		try {
			long deadline = started + REPLY_TIMEOUT.toNanos();
			while (!ServerProcess.probeTcp(address)) {
				if (!process.isAlive()) {
					throw new IllegalStateException("exited with code " + process.stop() + " before it answered; see "
							+ log);
				}
				if (System.nanoTime() >= deadline) {
					throw new IllegalStateException("no reply within " + REPLY_TIMEOUT.toSeconds() + " s; see " + log);
				}
				process.awaitExit(RETRY_MILLIS, TimeUnit.MILLISECONDS);
			}
			long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
			return new long[] { millis, process.cpuMillis() };
		}
		finally {
			process.stop();
			this.running.set(null);
		}
	}

	/** Where the launcher is: {@code -Dbench.gateway.launcher} (the bench profile sets it), else cds/ beside the jar. */
	static Path launcher(Path jar) {
		String configured = System.getProperty("bench.gateway.launcher", "").trim();
		return configured.isEmpty() ? jar.resolveSibling("cds").resolve("socket-gateway")
				: Path.of(configured).toAbsolutePath();
	}

}
