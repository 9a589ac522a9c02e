package dev.socketgateway.bench;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/** The two servers under test, each started as its own JVM with the same fixed heap. */
enum Target {

	GATEWAY("gateway"),

	NETTY("netty");

	/** Fixed so that the peak RSS figures of both servers compare like with like. */
	static final List<String> HEAP = List.of("-Xms512m", "-Xmx512m");

	private final String id;

	Target(String id) {
		this.id = id;
	}

	String id() {
		return this.id;
	}

	/** @param gatewayArguments the scenario's own settings of the gateway, after the common ones */
	List<String> command(Path java, Path gatewayJar, int port, List<String> gatewayArguments) {
		List<String> command = new ArrayList<>();
		command.add(java.toString());
		command.addAll(HEAP);
		// For profiling, e.g. -Dbench.gateway.jvmArgs=-XX:StartFlightRecording=filename=gw.jfr; or to give Netty
		// other settings, e.g. -Dbench.netty.jvmArgs=-Dio.netty.eventLoopThreads=1.
		String extra = System.getProperty((this == GATEWAY) ? "bench.gateway.jvmArgs" : "bench.netty.jvmArgs", "").trim();
		if (!extra.isEmpty()) {
			command.addAll(Arrays.asList(extra.split("\\s+")));
		}
		command.addAll(arguments(gatewayJar, port));
		if (this == GATEWAY) {
			command.addAll(gatewayArguments);
		}
		return command;
	}

	/** What follows the heap options, for the report. */
	List<String> arguments(Path gatewayJar, Object port) {
		if (this == GATEWAY) {
			// Both listeners and the actuator on loopback only: the benchmark sends nothing anywhere else.
			return List.of("-jar", gatewayJar.toString(), "--server.port=0", "--server.address=127.0.0.1",
					"--logging.level.root=WARN", "--gateway.listeners.tcp.port=" + port,
					"--gateway.listeners.udp.port=" + port, "--gateway.listeners.tcp.bind-address=127.0.0.1",
					"--gateway.listeners.udp.bind-address=127.0.0.1", "--gateway.listeners.tcp.max-connections=20000");
		}
		// The bench classpath holds Netty; the server loads nothing else from it.
		return List.of("-cp", absoluteClasspath(), NettyUppercaseServer.class.getName(), String.valueOf(port),
				"127.0.0.1");
	}

	/** Servers run in their own working directory, where relative classpath entries would not resolve. */
	private static String absoluteClasspath() {
		return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
			.map((entry) -> Path.of(entry).toAbsolutePath().toString())
			.collect(Collectors.joining(File.pathSeparator));
	}

}
