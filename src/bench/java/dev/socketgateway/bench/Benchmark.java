package dev.socketgateway.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs every chosen scenario against the packaged gateway and against {@link NettyUppercaseServer}, each a fresh JVM
 * with the same heap, with the same load generator, and writes the table, CSV, JSON and SVG chart. Exits non-zero
 * when any run failed, after writing the files. Usage: {@code Benchmark <gateway jar> <output dir>}; the knobs are
 * the {@code bench.*} system properties read by {@link BenchSettings}.
 */
public final class Benchmark {

	// A cold Spring Boot start takes a few seconds on two cores; a minute means it is not coming.
	private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

	/** The server running now, so that a benchmark stopped by Ctrl-C leaves no server behind. */
	private static final AtomicReference<ServerProcess> running = new AtomicReference<>();

	private Benchmark() {
	}

	public static void main(String[] args) throws IOException {
		if (args.length != 2) {
			System.err.println("Usage: Benchmark <gateway jar> <output dir>");
			System.exit(2);
		}
		Path jar = Path.of(args[0]).toAbsolutePath();
		Path output = Path.of(args[1]).toAbsolutePath();
		BenchSettings settings;
		try {
			settings = BenchSettings.fromSystemProperties();
		}
		catch (IllegalArgumentException ex) {
			System.err.println(ex.getMessage());
			System.exit(2);
			return;
		}
		Files.createDirectories(output);
		deleteOldLogs(output.resolve("logs"));
		Runtime.getRuntime().addShutdownHook(new Thread(() -> {
			ServerProcess server = running.get();
			if (server != null) {
				server.kill();
			}
		}, "bench-cleanup"));
		Path java = Path.of(System.getProperty("java.home"), "bin", "java");
		MachineInfo machine = MachineInfo.describe(java);
		String settingsLine = String.format(Locale.ROOT,
				"%d s warm-up + %d s measured per scenario, median of %d interleaved rounds (tcp-10000-paced: %d s, 1 round), servers %s, 1 load thread",
				settings.warmupSeconds(), settings.seconds(), settings.rounds(), settings.pacedSeconds(),
				String.join(" ", Target.HEAP));
		machine.lines().forEach(System.out::println);
		System.out.println("Bench:   " + settingsLine);
		System.out.println("Gateway: " + jar);
		System.out.println();
		if (!Files.isRegularFile(jar)) {
			System.out.println("No gateway jar at " + jar + ": the gateway runs will fail.");
		}

		List<ScenarioOutcome> outcomes = new ArrayList<>();
		Map<StartupServer, StartupResult> startup = null;
		for (Scenario scenario : settings.scenarios()) {
			if (scenario.kind() == Scenario.Kind.STARTUP) {
				startup = new StartupBench(java, jar, StartupBench.launcher(jar), output, running).run();
				continue;
			}
			// Two cores shared with the load generator make single runs noisy (a server's throughput moved by
			// 15% between identical runs): each server runs several rounds, alternating, and the round with the
			// median throughput is reported, not the best one.
			int rounds = (scenario.kind() == Scenario.Kind.TCP_PACED) ? 1 : settings.rounds();
			List<RunResult> gatewayRuns = new ArrayList<>();
			List<RunResult> nettyRuns = new ArrayList<>();
			for (int round = 0; round < rounds; round++) {
				gatewayRuns.add(run(scenario, Target.GATEWAY, settings, java, jar, output));
				nettyRuns.add(run(scenario, Target.NETTY, settings, java, jar, output));
			}
			RunResult gateway = median(gatewayRuns);
			RunResult netty = median(nettyRuns);
			outcomes.add(new ScenarioOutcome(scenario, settings.warmupSeconds(), scenario.measuredSeconds(settings),
					gateway, netty));
		}

		// A run of the start-up scenario alone leaves the load scenarios' files of an earlier run as they were.
		List<String> written = new ArrayList<>();
		if (!outcomes.isEmpty()) {
			System.out.println();
			Report.table(outcomes).forEach(System.out::println);
			Report.writeCsv(output.resolve("results.csv"), outcomes);
			Files.writeString(output.resolve("chart.svg"), SvgChart.render(outcomes, machine.summary(), settingsLine),
					StandardCharsets.UTF_8);
			written.addAll(List.of("results.csv", "chart.svg"));
		}
		Report.writeJson(output.resolve("results.json"), machine, settings, jar, outcomes, startup);
		written.add("results.json");
		if (startup != null) {
			System.out.println();
			Report.startupTable(startup).forEach(System.out::println);
			Report.writeStartupCsv(output.resolve("startup.csv"), startup);
			written.add("startup.csv");
		}
		System.out.println();
		System.out.println("Wrote " + String.join(", ", written) + " in " + output + "; server logs in "
				+ output.resolve("logs"));
		boolean failed = outcomes.stream().anyMatch((outcome) -> !outcome.ok())
				|| (startup != null && startup.values().stream().anyMatch((result) -> !result.ok()));
		System.out.flush();
		System.exit(failed ? 1 : 0);
	}

	/**
	 * The round with the median verified replies per second (the lower middle one of an even count); a failed
	 * round is reported as it is, since one failure fails the scenario.
	 */
	private static RunResult median(List<RunResult> runs) {
		return runs.stream().filter((run) -> !run.ok()).findFirst().orElseGet(() -> {
			List<RunResult> sorted = new ArrayList<>(runs);
			sorted.sort(Comparator.comparingDouble(RunResult::msgsPerSecond));
			return sorted.get((sorted.size() - 1) / 2);
		});
	}

	/** Server logs of an earlier run would read as this run's. */
	private static void deleteOldLogs(Path logs) throws IOException {
		if (Files.isDirectory(logs)) {
			try (DirectoryStream<Path> files = Files.newDirectoryStream(logs, "*.log")) {
				for (Path file : files) {
					Files.delete(file);
				}
			}
		}
	}

	private static RunResult run(Scenario scenario, Target target, BenchSettings settings, Path java, Path jar,
			Path output) {
		System.out.printf(Locale.ROOT, "%-19s %-8s ", scenario.name(), target.id());
		System.out.flush();
		long started = System.nanoTime();
		int measuredSeconds = scenario.measuredSeconds(settings);
		Recorder recorder = new Recorder();
		Path log = output.resolve("logs").resolve(scenario.name() + "-" + target.id() + ".log");
		ServerProcess server = null;
		RunResult result;
		try {
			int port = Ports.freeTcpAndUdp();
			InetSocketAddress address = new InetSocketAddress(Ports.LOOPBACK, port);
			// An empty working directory: a developer's config/application.yml must not change what is measured.
			Path workingDirectory = Files.createDirectories(output.resolve("run"));
			server = ServerProcess.start(target.command(java, jar, port, scenario.gatewayArguments()), workingDirectory,
					log);
			running.set(server);
			server.awaitReady(address, READY_TIMEOUT);
			AllocationProbe allocation = attachProbe(server);
			HeapPerConnection heap = null;
			if (allocation != null) {
				recorder.windowListener = allocation::window;
				if (scenario.kind() == Scenario.Kind.TCP_PACED) {
					heap = new HeapPerConnection(allocation, recorder);
				}
			}
			Load load = (scenario.kind() == Scenario.Kind.UDP) ? new UdpLoad(scenario, address, recorder)
					: new TcpLoad(scenario, address, recorder);
			load.run(TimeUnit.SECONDS.toNanos(settings.warmupSeconds()), TimeUnit.SECONDS.toNanos(measuredSeconds));
			double bytesPerMessage = Double.NaN;
			if (allocation != null) {
				try (allocation) {
					bytesPerMessage = allocation.bytesPerMessage(recorder.completedInWindow);
				}
			}
			if (!server.isAlive()) {
				result = RunResult.of(target, recorder, measuredSeconds, -1, server.stop(),
						"server exited during the run; see " + log);
			}
			else {
				long peakRssKb = server.peakRssKb();
				result = RunResult.of(target, recorder, measuredSeconds, peakRssKb, server.stop(), null)
					.withBytesPerMessage(bytesPerMessage)
					.withHeapBytesPerConnection((heap != null) ? heap.bytes() : Double.NaN);
			}
		}
		catch (Exception ex) {
			if (ex instanceof InterruptedException) {
				Thread.currentThread().interrupt();
			}
			result = RunResult.of(target, recorder, measuredSeconds, -1, null, ex.getClass().getSimpleName() + ": "
					+ ex.getMessage());
		}
		finally {
			if (server != null) {
				server.stop();
				running.set(null);
			}
		}
		System.out.println(summary(result) + String.format(Locale.ROOT, "  (%d s)",
				TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started)));
		return result;
	}

	/** The allocation column is left empty, not the run failed, when the server's JVM cannot be attached to. */
	private static AllocationProbe attachProbe(ServerProcess server) {
		try {
			return AllocationProbe.attach(server.pid());
		}
		catch (IOException | RuntimeException ex) {
			System.out.print("(no allocation figure: " + ex.getMessage() + ") ");
			return null;
		}
	}

	private static String summary(RunResult result) {
		if (!result.ok()) {
			return "FAILED: " + result.failure();
		}
		return String.format(Locale.ROOT,
				"%,10.0f msgs/s  p50 %6d us  p99 %7d us  p99.9 %7d us  errors %d  lost %d  peak RSS %.0f MB  %.0f B/msg%s",
				result.msgsPerSecond(), result.p50Micros(), result.p99Micros(), result.p999Micros(), result.errors(),
				result.lost(), result.peakRssMb(), result.bytesPerMessage(),
				Double.isNaN(result.heapBytesPerConnection()) ? ""
						: String.format(Locale.ROOT, "  heap %.0f B/connection", result.heapBytesPerConnection()));
	}

}
