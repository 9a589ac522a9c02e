package dev.socketgateway.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The console table and the CSV and JSON files, all from the same outcomes. */
final class Report {

	private static final String STARTUP_ROW = "%-36s %14s %8s %8s %8s %8s";

	private static final String ROW = "%-19s %12s %12s %8s  %-22s %-22s %8s  %11s %11s %9s %9s %9s %9s";

	private Report() {
	}

	static List<String> table(List<ScenarioOutcome> outcomes) {
		List<String> lines = new ArrayList<>();
		lines.add(String.format(Locale.ROOT, ROW, "scenario", "gw msgs/s", "netty msgs/s", "gw/netty",
				"gw p50/p99/p99.9 us", "netty p50/p99/p99.9 us", "p99 gw/n", "errors gw/n", "lost gw/n", "gw RSS MB",
				"netty RSS", "gw B/msg", "netty B/m"));
		lines.add("-".repeat(lines.get(0).length()));
		for (ScenarioOutcome outcome : outcomes) {
			RunResult gateway = outcome.gateway();
			RunResult netty = outcome.netty();
			lines.add(String.format(Locale.ROOT, ROW, outcome.scenario().name(), throughput(gateway),
					throughput(netty), ratio(outcome.throughputRatio()), latencies(gateway), latencies(netty),
					ratio(outcome.p99Ratio()), gateway.errors() + "/" + netty.errors(),
					gateway.lost() + "/" + netty.lost(), megabytes(gateway.peakRssMb()), megabytes(netty.peakRssMb()),
					bytes(gateway.bytesPerMessage()), bytes(netty.bytesPerMessage())));
		}
		lines.add("");
		lines.add("gw/netty < 1: the gateway completes fewer messages per second; p99 gw/n > 1: its p99 is longer.");
		lines.add("Errors: wrong reply bytes + connect failures + resets. Lost: requests never answered. "
				+ "RSS: the server's peak resident set (VmHWM).");
		lines.add("B/msg: bytes the server allocated per message answered in the measured window (all its threads).");
		for (ScenarioOutcome outcome : outcomes) {
			double gatewayHeap = outcome.gateway().heapBytesPerConnection();
			double nettyHeap = outcome.netty().heapBytesPerConnection();
			if (!Double.isNaN(gatewayHeap) || !Double.isNaN(nettyHeap)) {
				lines.add(String.format(Locale.ROOT, "Heap per open connection (%s, after a full collection): "
						+ "gateway %s B, netty %s B.", outcome.scenario().name(), bytes(gatewayHeap), bytes(nettyHeap)));
			}
		}
		for (ScenarioOutcome outcome : outcomes) {
			for (RunResult result : List.of(outcome.gateway(), outcome.netty())) {
				if (!result.ok()) {
					lines.add("FAILED " + outcome.scenario().name() + " / " + result.target().id() + ": "
							+ result.failure());
				}
			}
		}
		return lines;
	}

	static void writeCsv(Path file, List<ScenarioOutcome> outcomes) throws IOException {
		List<String> lines = new ArrayList<>();
		lines.add("scenario,connections,warmup_s,measured_s,gateway_status,netty_status,gateway_msgs_per_s,"
				+ "netty_msgs_per_s,throughput_ratio,gateway_p50_us,gateway_p99_us,gateway_p999_us,netty_p50_us,"
				+ "netty_p99_us,netty_p999_us,p99_ratio,gateway_errors,netty_errors,gateway_lost,netty_lost,"
				+ "gateway_peak_rss_mb,netty_peak_rss_mb,gateway_bytes_per_msg,netty_bytes_per_msg,"
				+ "gateway_heap_bytes_per_connection,netty_heap_bytes_per_connection");
		for (ScenarioOutcome outcome : outcomes) {
			RunResult gateway = outcome.gateway();
			RunResult netty = outcome.netty();
			lines.add(String.join(",", outcome.scenario().name(), String.valueOf(outcome.scenario().connections()),
					String.valueOf(outcome.warmupSeconds()), String.valueOf(outcome.measuredSeconds()),
					status(gateway), status(netty), number(gateway.ok() ? gateway.msgsPerSecond() : Double.NaN, 1),
					number(netty.ok() ? netty.msgsPerSecond() : Double.NaN, 1), number(outcome.throughputRatio(), 3),
					micros(gateway.p50Micros()), micros(gateway.p99Micros()), micros(gateway.p999Micros()),
					micros(netty.p50Micros()), micros(netty.p99Micros()), micros(netty.p999Micros()),
					number(outcome.p99Ratio(), 3), String.valueOf(gateway.errors()), String.valueOf(netty.errors()),
					String.valueOf(gateway.lost()), String.valueOf(netty.lost()), number(gateway.peakRssMb(), 1),
					number(netty.peakRssMb(), 1), number(gateway.bytesPerMessage(), 1),
					number(netty.bytesPerMessage(), 1), number(gateway.heapBytesPerConnection(), 0),
					number(netty.heapBytesPerConnection(), 0)));
		}
		Files.write(file, lines, StandardCharsets.UTF_8);
	}

	/** The start-up scenario's own table: its figures are times, not rates. */
	static List<String> startupTable(Map<StartupServer, StartupResult> startup) {
		List<String> lines = new ArrayList<>();
		lines.add(String.format(Locale.ROOT, STARTUP_ROW, "startup", "first reply ms", "min ms", "max ms", "x netty",
				"CPU ms"));
		lines.add("-".repeat(lines.get(0).length()));
		StartupResult netty = startup.get(StartupServer.NETTY);
		for (StartupResult result : startup.values()) {
			boolean comparable = result.ok() && netty.ok() && netty.medianMillis() > 0;
			lines.add(String.format(Locale.ROOT, STARTUP_ROW, result.server().label(),
					result.ok() ? String.format(Locale.ROOT, "%,d", result.medianMillis()) : "FAILED",
					result.ok() ? String.valueOf(result.minMillis()) : "-",
					result.ok() ? String.valueOf(result.maxMillis()) : "-",
					comparable ? ratio((double) result.medianMillis() / netty.medianMillis()) : "-",
					result.ok() ? String.valueOf(result.medianCpuMillis()) : "-"));
		}
		lines.add("");
		lines.add("From starting the process to the first correct TCP reply, median of " + StartupBench.LAUNCHES
				+ " interleaved launches; CPU ms: the server process's CPU time by then, median.");
		startup.values().stream().filter((result) -> !result.ok()).forEach((result) -> lines.add("FAILED startup / "
				+ result.server().id() + ": " + result.failure()));
		return lines;
	}

	static void writeStartupCsv(Path file, Map<StartupServer, StartupResult> startup) throws IOException {
		List<String> lines = new ArrayList<>();
		lines.add("server,status,launches,median_ms,min_ms,max_ms,median_cpu_ms");
		for (StartupResult result : startup.values()) {
			lines.add(String.join(",", result.server().id(), result.ok() ? "ok" : "failed",
					String.valueOf(result.millis().size()), result.ok() ? String.valueOf(result.medianMillis()) : "",
					result.ok() ? String.valueOf(result.minMillis()) : "",
					result.ok() ? String.valueOf(result.maxMillis()) : "",
					result.ok() ? String.valueOf(result.medianCpuMillis()) : ""));
		}
		Files.write(file, lines, StandardCharsets.UTF_8);
	}

	static void writeJson(Path file, MachineInfo machine, BenchSettings settings, Path gatewayJar,
			List<ScenarioOutcome> outcomes, Map<StartupServer, StartupResult> startup) throws IOException {
		Map<String, Object> json = new LinkedHashMap<>();
		json.put("generatedAt", Instant.now().toString());
		json.put("machine", machine.toJson());
		Map<String, Object> settingsJson = new LinkedHashMap<>();
		settingsJson.put("warmupSeconds", settings.warmupSeconds());
		settingsJson.put("measuredSeconds", settings.seconds());
		settingsJson.put("rounds", settings.rounds());
		settingsJson.put("pacedMeasuredSeconds", settings.pacedSeconds());
		settingsJson.put("scenarios", settings.scenarios().stream().map(Scenario::name).toList());
		settingsJson.put("loadGeneratorThreads", 1);
		settingsJson.put("messageBytes", Messages.SIZE);
		json.put("settings", settingsJson);
		Map<String, Object> servers = new LinkedHashMap<>();
		for (Target target : Target.values()) {
			List<String> command = new ArrayList<>(Target.HEAP);
			command.addAll(target.arguments(gatewayJar, "<port>"));
			if (target == Target.NETTY) {
				command.set(Target.HEAP.size() + 1, "<bench classpath>");
			}
			servers.put(target.id(), command);
		}
		json.put("servers", servers);
		Map<String, Object> definitions = new LinkedHashMap<>();
		definitions.put("msgsPerSecond", "verified replies completed in the measured window / its seconds");
		definitions.put("latencyMicros", "send of a request to the last byte of its verified reply, measured window");
		definitions.put("errors", "wrong reply bytes + connect failures + resets/closes, whole run");
		definitions.put("lost", "requests never answered: UDP after 1 s, TCP after a 5 s drain or on a broken "
				+ "connection");
		definitions.put("peakRssMb", "server's VmHWM from /proc/<pid>/status before it was stopped");
		definitions.put("allocatedBytesPerMessage", "bytes allocated by all the server's threads in the measured "
				+ "window (ThreadMXBean.getThreadAllocatedBytes, read over JMX) / verified replies in the window");
		json.put("definitions", definitions);
		List<Object> scenarios = new ArrayList<>();
		for (ScenarioOutcome outcome : outcomes) {
			Map<String, Object> scenario = new LinkedHashMap<>();
			scenario.put("name", outcome.scenario().name());
			scenario.put("description", outcome.scenario().description());
			scenario.put("kind", outcome.scenario().kind().name());
			scenario.put("connections", outcome.scenario().connections());
			scenario.put("outstandingPerConnection", outcome.scenario().outstanding());
			if (!outcome.scenario().gatewayArguments().isEmpty()) {
				scenario.put("gatewayArguments", outcome.scenario().gatewayArguments());
			}
			scenario.put("warmupSeconds", outcome.warmupSeconds());
			scenario.put("measuredSeconds", outcome.measuredSeconds());
			scenario.put("gateway", outcome.gateway().toJson());
			scenario.put("netty", outcome.netty().toJson());
			scenario.put("throughputRatio", outcome.throughputRatio());
			scenario.put("p99Ratio", outcome.p99Ratio());
			scenarios.add(scenario);
		}
		json.put("scenarios", scenarios);
		if (startup != null) {
			json.put("startup", startupJson(gatewayJar, startup));
		}
		json.put("failed", outcomes.stream().anyMatch((outcome) -> !outcome.ok())
				|| (startup != null && startup.values().stream().anyMatch((result) -> !result.ok())));
		Files.writeString(file, Json.write(json), StandardCharsets.UTF_8);
	}

	private static Map<String, Object> startupJson(Path gatewayJar, Map<StartupServer, StartupResult> startup) {
		Map<String, Object> json = new LinkedHashMap<>();
		json.put("definition", "process start to the first correct reply of a TCP client retrying its connect on "
				+ "loopback; cpuMillis: the server process's CPU time (user + system) by then");
		json.put("launches", StartupBench.LAUNCHES);
		Path launcher = StartupBench.launcher(gatewayJar);
		for (StartupResult result : startup.values()) {
			Map<String, Object> server = new LinkedHashMap<>();
			server.put("command", result.server().describe(gatewayJar, launcher));
			server.putAll(result.toJson());
			json.put(result.server().id(), server);
		}
		return json;
	}

	private static String throughput(RunResult result) {
		return result.ok() ? String.format(Locale.ROOT, "%,.0f", result.msgsPerSecond()) : "FAILED";
	}

	private static String latencies(RunResult result) {
		return (result.p50Micros() < 0) ? "-"
				: result.p50Micros() + "/" + result.p99Micros() + "/" + result.p999Micros();
	}

	private static String ratio(double ratio) {
		return Double.isNaN(ratio) ? "-" : String.format(Locale.ROOT, "%.2f", ratio);
	}

	private static String megabytes(double megabytes) {
		return Double.isNaN(megabytes) ? "-" : String.format(Locale.ROOT, "%.0f", megabytes);
	}

	private static String bytes(double bytes) {
		return Double.isNaN(bytes) ? "-" : String.format(Locale.ROOT, "%.0f", bytes);
	}

	private static String status(RunResult result) {
		return result.ok() ? "ok" : "failed";
	}

	private static String number(double value, int decimals) {
		return Double.isNaN(value) ? "" : String.format(Locale.ROOT, "%." + decimals + "f", value);
	}

	private static String micros(long micros) {
		return (micros < 0) ? "" : String.valueOf(micros);
	}

}
