package dev.socketgateway.bench;

import java.util.List;

/**
 * One load shape. {@code outstanding} is how many requests a connection keeps in flight (closed loop), or for the
 * paced scenario how many it may have in flight before a send is skipped. {@code gatewayArguments} configure the
 * gateway for this scenario only, such as a limit whose cost it measures; the Netty server has no such settings.
 */
record Scenario(String name, Kind kind, int connections, int outstanding, String description,
		List<String> gatewayArguments) {

	Scenario(String name, Kind kind, int connections, int outstanding, String description) {
		this(name, kind, connections, outstanding, description, List.of());
	}

	enum Kind {

		/** Closed loop: a connection sends its next request as soon as a reply is complete. */
		TCP,

		/** Each connection sends one request per second, the connections' phases spread over the second. */
		TCP_PACED,

		/** Closed loop over connected datagram channels; a reply later than 1 s is lost. */
		UDP,

		/** No load: launches to the first TCP reply ({@link StartupBench}), reported in a table of its own. */
		STARTUP

	}

	static final List<Scenario> ALL = List.of(
			new Scenario("startup", Kind.STARTUP, 1, 1, "launch to the first TCP reply: the gateway as java -jar and "
					+ "through target/cds/socket-gateway, and netty, " + StartupBench.LAUNCHES + " launches each"),
			new Scenario("tcp-1", Kind.TCP, 1, 1, "1 TCP connection, request/response"),
			new Scenario("tcp-50", Kind.TCP, 50, 1, "50 TCP connections, request/response"),
			// The 50 connections come from one address, so they share one token bucket. Its rate is far above what
			// they send, so that nothing waits: the row against tcp-50 is what the bucket costs per read.
			new Scenario("tcp-50-rate-limited", Kind.TCP, 50, 1,
					"tcp-50 with client-message-rate set, far above the load",
					List.of("--gateway.listeners.tcp.client-message-rate=1000000000")),
			new Scenario("tcp-1000", Kind.TCP, 1_000, 1, "1,000 TCP connections, request/response"),
			new Scenario("tcp-50-pipelined", Kind.TCP, 50, 8, "50 TCP connections, 8 requests in flight each"),
			new Scenario("udp-8", Kind.UDP, 8, 1, "8 UDP clients, request/response, 1 s loss timeout"),
			// Enough clients (source ports) that the kernel spreads them over every receive socket of the listener.
			new Scenario("udp-64", Kind.UDP, 64, 1, "64 UDP clients, request/response, 1 s loss timeout"),
			// Up to 16 s of backlog per connection before a send is skipped: far beyond any healthy reply time.
			new Scenario("tcp-10000-paced", Kind.TCP_PACED, 10_000, 16,
					"10,000 TCP connections, 1 request per second each"));

	int measuredSeconds(BenchSettings settings) {
		return (this.kind == Kind.TCP_PACED) ? settings.pacedSeconds() : settings.seconds();
	}

}
