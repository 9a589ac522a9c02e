package dev.socketgateway;

import java.time.Duration;
import java.util.Map;

import dev.socketgateway.actuate.ObservabilityClients;

/**
 * A {@link GatewayProcess} that has started, named as a proxy's configuration names it, with the ports it logged: what
 * the tests that put real proxies (HAProxy, nginx) in front of two gateways address and read.
 * @param name the name the proxy's configuration and the tests' messages use
 * @param process the process
 * @param ports the port each listener listens on, by listener name
 * @param httpPort the port of /actuator
 */
public record StartedGateway(String name, GatewayProcess process, Map<String, Integer> ports, int httpPort) {

	/** Waits until the process and each of {@code listeners} have logged their ports; fails with its output if not. */
	public static StartedGateway await(String name, GatewayProcess process, Duration timeout, String... listeners) {
		process.awaitStarted(timeout, listeners);
		return new StartedGateway(name, process, Map.copyOf(process.listening()), process.httpPort().getAsInt());
	}

	public int port(String listener) {
		return this.ports.get(listener);
	}

	/** The listener's address on loopback, as {@code 127.0.0.1:port}, the form the proxies' configurations and logs use. */
	public String address(String listener) {
		return "127.0.0.1:" + port(listener);
	}

	public ObservabilityClients actuator() {
		return new ObservabilityClients(this.httpPort);
	}

	/** The meter's count on one listener, from /actuator/metrics. */
	public double metric(String meter, String listener) {
		return actuator().metric(meter, "listener:" + listener);
	}

}
