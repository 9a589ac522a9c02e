package dev.socketgateway.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The three ways of starting a server that the start-up scenario times: the gateway as {@code java -jar}, the
 * gateway through the launcher {@code ./mvnw package} writes ({@code target/cds/socket-gateway}, class-data
 * sharing), and the raw Netty server. All with the throughput rows' JVM options and arguments.
 */
enum StartupServer {

	GATEWAY_JAR("gateway-jar", "gateway, java -jar"),

	GATEWAY_LAUNCHER("gateway-launcher", "gateway, target/cds/socket-gateway"),

	NETTY("netty", "netty");

	private final String id;

	private final String label;

	StartupServer(String id, String label) {
		this.id = id;
		this.label = label;
	}

	String id() {
		return this.id;
	}

	String label() {
		return this.label;
	}

	/** The command line; the launcher gets its JVM options from {@link #environment}. */
	List<String> command(Path java, Path jar, Path launcher, int port) {
		if (this == GATEWAY_LAUNCHER) {
			return launcherCommand(jar, launcher, port);
		}
		return ((this == NETTY) ? Target.NETTY : Target.GATEWAY).command(java, jar, port, List.of());
	}

	/** For the report: the command with the port left open, as the throughput rows' servers are described. */
	List<String> describe(Path jar, Path launcher) {
		if (this == GATEWAY_LAUNCHER) {
			List<String> command = new ArrayList<>(List.of("JAVA_OPTS=" + environment().get("JAVA_OPTS")));
			command.addAll(launcherCommand(jar, launcher, "<port>"));
			return command;
		}
		List<String> command = new ArrayList<>(Target.HEAP);
		command.addAll(((this == NETTY) ? Target.NETTY : Target.GATEWAY).arguments(jar, "<port>"));
		return command;
	}

	private static List<String> launcherCommand(Path jar, Path launcher, Object port) {
		List<String> command = new ArrayList<>();
		command.add(launcher.toString());
		List<String> arguments = Target.GATEWAY.arguments(jar, port);
		// The launcher runs its own extracted jar: the same arguments without "-jar <jar>".
		command.addAll(arguments.subList(2, arguments.size()));
		return command;
	}

	/** The launcher takes the heap (and any bench.gateway.jvmArgs) as JAVA_OPTS, and the bench's JVM as JAVA_HOME. */
	Map<String, String> environment() {
		if (this != GATEWAY_LAUNCHER) {
			return Map.of();
		}
		List<String> options = new ArrayList<>(Target.HEAP);
		String extra = System.getProperty("bench.gateway.jvmArgs", "").trim();
		if (!extra.isEmpty()) {
			options.add(extra);
		}
		return Map.of("JAVA_OPTS", String.join(" ", options), "JAVA_HOME", System.getProperty("java.home"));
	}

}
