package dev.socketgateway.tcp;

import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import dev.socketgateway.GatewayProcess;
import org.junit.jupiter.api.Test;

import static dev.socketgateway.GatewayClients.exchange;
import static dev.socketgateway.GatewayClients.tcp;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What the session log costs: the service in its own JVM, with two TCP listeners alike but for
 * session-log, both on loopback, and 100,000 connection cycles (connect, send one 32-byte message, read its reply,
 * close) against each in turn, alternating, from {@value #CLIENTS} client threads. The session lines go to the
 * console, which the harness sends to a file, as a container runtime does. The medians and the difference are
 * printed; docs/performance.md has the figures.
 *
 * <p>A measurement, not a test: its name keeps it out of {@code ./mvnw verify}. Run it on its own with
 * {@code ./mvnw test -Dtest=SessionLogCostBenchmark} (about two minutes on two cores; {@code -Dsessionlog.rounds=5}
 * for more rounds); the figures are in
 * {@code target/surefire-reports/dev.socketgateway.tcp.SessionLogCostBenchmark-output.txt}. It asserts only that
 * every reply was right and every session of the logged listener has its line.
 */
class SessionLogCostBenchmark {

	private static final int CYCLES = Integer.getInteger("sessionlog.cycles", 100_000);

	private static final int ROUNDS = Integer.getInteger("sessionlog.rounds", 3);

	private static final int CLIENTS = 4;

	private static final String MESSAGE = "connection cycle, 32 bytes, go!!";

	@Test
	void connectionCyclesWithTheSessionLogOnAndOff() throws Exception {
		ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
		try (GatewayProcess gateway = GatewayProcess.start(Map.of("GATEWAY_LISTENERS_TCP_ENABLED", "false",
				"GATEWAY_LISTENERS_UDP_ENABLED", "false",
				"GATEWAY_LISTENERS_ON_PROTOCOL", "tcp", "GATEWAY_LISTENERS_ON_PORT", "0",
				"GATEWAY_LISTENERS_ON_BINDADDRESS", "127.0.0.1", "GATEWAY_LISTENERS_ON_SESSIONLOG", "true",
				"GATEWAY_LISTENERS_OFF_PROTOCOL", "tcp", "GATEWAY_LISTENERS_OFF_PORT", "0",
				"GATEWAY_LISTENERS_OFF_BINDADDRESS", "127.0.0.1"))) {
			await().atMost(Duration.ofSeconds(60)).until(() -> gateway.listening().size() == 2 || !gateway.isAlive());
			int on = gateway.listening().get("on");
			int off = gateway.listening().get("off");
			run(clients, on, CYCLES / 5); // warm-up, both paths
			run(clients, off, CYCLES / 5);
			long[] withLog = new long[ROUNDS];
			long[] without = new long[ROUNDS];
			for (int round = 0; round < ROUNDS; round++) {
				// ABBA order, so that drift in the machine's load falls on both sides alike
				if (round % 2 == 0) {
					withLog[round] = run(clients, on, CYCLES);
					without[round] = run(clients, off, CYCLES);
				}
				else {
					without[round] = run(clients, off, CYCLES);
					withLog[round] = run(clients, on, CYCLES);
				}
				System.out.printf("round %d: session-log on %,d ms, off %,d ms%n", round + 1, withLog[round],
						without[round]);
			}
			long expectedLines = (long) CYCLES / 5 + (long) CYCLES * ROUNDS;
			await().atMost(Duration.ofSeconds(60)).until(() -> sessionLines(gateway) >= expectedLines);
			assertThat(sessionLines(gateway)).as("session lines of listener 'on'").isEqualTo(expectedLines);
			long medianOn = median(withLog);
			long medianOff = median(without);
			System.out.printf("%,d connection cycles from %d clients, median of %d rounds: session-log on %,d ms "
					+ "(%,.0f cycles/s), off %,d ms (%,.0f cycles/s): %+.1f%%%n", CYCLES, CLIENTS, ROUNDS, medianOn,
					CYCLES * 1000.0 / medianOn, medianOff, CYCLES * 1000.0 / medianOff,
					100.0 * (medianOn - medianOff) / medianOff);
		}
		finally {
			clients.shutdownNow();
			assertThat(clients.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
		}
	}

	/** Runs {@code cycles} connection cycles spread over the client threads; returns the wall time in ms. */
	private static long run(ExecutorService clients, int port, int cycles) throws Exception {
		long started = System.nanoTime();
		List<Future<?>> done = new ArrayList<>();
		for (int i = 0; i < CLIENTS; i++) {
			int share = cycles / CLIENTS + ((i < cycles % CLIENTS) ? 1 : 0);
			done.add(clients.submit(() -> {
				for (int n = 0; n < share; n++) {
					cycle(port);
				}
				return null;
			}));
		}
		for (Future<?> client : done) {
			client.get(10, TimeUnit.MINUTES);
		}
		return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
	}

	private static void cycle(int port) throws IOException {
		try (Socket client = tcp(port)) {
			String reply = exchange(client, MESSAGE);
			if (!reply.equals(MESSAGE.toUpperCase(Locale.ROOT))) {
				throw new IllegalStateException("wrong reply: " + reply);
			}
		}
	}

	private static long sessionLines(GatewayProcess gateway) {
		return gateway.output().lines().filter((line) -> line.contains(" : listener=on ")).count();
	}

	private static long median(long[] values) {
		long[] sorted = values.clone();
		Arrays.sort(sorted);
		return sorted[sorted.length / 2];
	}

}
