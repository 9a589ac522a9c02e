package dev.socketgateway.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The machine the figures come from: they mean little without it. */
record MachineInfo(int cores, String cpu, long memoryMb, String os, String kernel, String arch, String javaVersion) {

	static MachineInfo describe(Path java) {
		return new MachineInfo(Runtime.getRuntime().availableProcessors(), procField("/proc/cpuinfo", "model name"),
				totalMemoryMb(), prettyOsName(), System.getProperty("os.name") + " " + System.getProperty("os.version"),
				System.getProperty("os.arch"), runJavaVersion(java));
	}

	/** Header lines for the console. */
	List<String> lines() {
		return List.of("Machine: " + this.cores + " cores (" + this.cpu + "), " + this.memoryMb + " MB RAM",
				"OS:      " + this.os + ", " + this.kernel + " " + this.arch,
				"Java:    " + this.javaVersion.replace("\n", "\n         "));
	}

	/** One line for the chart. */
	String summary() {
		String firstJavaLine = this.javaVersion.lines().findFirst().orElse("java ?");
		return this.cores + " cores, " + this.cpu + ", " + this.os + ", " + firstJavaLine;
	}

	Map<String, Object> toJson() {
		Map<String, Object> json = new LinkedHashMap<>();
		json.put("cores", this.cores);
		json.put("cpu", this.cpu);
		json.put("memoryMb", this.memoryMb);
		json.put("os", this.os);
		json.put("kernel", this.kernel);
		json.put("arch", this.arch);
		json.put("javaVersion", this.javaVersion);
		return json;
	}

	/** What {@code java -version} prints for the JVM that runs both servers. */
	private static String runJavaVersion(Path java) {
		try {
			Process process = new ProcessBuilder(java.toString(), "-version").redirectErrorStream(true).start();
			String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
			if (!process.waitFor(30, TimeUnit.SECONDS)) {
				process.destroyForcibly();
			}
			return output;
		}
		catch (IOException ex) {
			return "unknown (" + ex.getMessage() + ")";
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return "unknown (interrupted)";
		}
	}

	private static String prettyOsName() {
		String pretty = procField("/etc/os-release", "PRETTY_NAME");
		return pretty.replace("\"", "");
	}

	private static long totalMemoryMb() {
		String total = procField("/proc/meminfo", "MemTotal").replace("kB", "").trim();
		try {
			return Long.parseLong(total) / 1024;
		}
		catch (NumberFormatException ex) {
			return -1;
		}
	}

	/** The value of the first "key: value" or "key=value" line, or "unknown". */
	private static String procField(String file, String key) {
		try {
			for (String line : Files.readAllLines(Path.of(file))) {
				if (line.startsWith(key)) {
					String rest = line.substring(key.length()).trim();
					if (rest.startsWith(":") || rest.startsWith("=")) {
						return rest.substring(1).trim();
					}
				}
			}
		}
		catch (IOException ex) {
			// Not Linux, or not readable: reported as unknown.
		}
		return "unknown";
	}

}
