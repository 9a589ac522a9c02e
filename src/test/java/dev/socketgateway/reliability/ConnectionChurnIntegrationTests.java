package dev.socketgateway.reliability;

import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static dev.socketgateway.GatewayClients.exchange;
import static dev.socketgateway.GatewayClients.tcp;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Connect, one exchange, close, over and over from a few threads: every exchange is answered, every connection is
 * counted opened and closed, and neither threads nor heap grow with the number of connections served.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ConnectionChurnIntegrationTests extends ReliabilityTestSupport {

	/** {@code -Dreliability.cycles=...} */
	private static final int CYCLES = Integer.getInteger("reliability.cycles", 100_000);

	private static final int THREADS = 4;

	private static final long DEADLINE_NANOS = TimeUnit.SECONDS.toNanos(Long.getLong("reliability.cyclesSeconds", 90));

	private static final long HEAP_TOLERANCE = 64L * 1024 * 1024;

	@Test
	void connectionCyclesAreAllAnsweredAndLeaveNoConnectionThreadOrHeapBehind() throws Exception {
		double opened = count("gateway.connections.opened", "churn");
		double closed = count("gateway.connections.closed", "churn");
		long heapBefore = usedHeapAfterGc();
		AtomicInteger tickets = new AtomicInteger();
		AtomicInteger done = new AtomicInteger();
		ExecutorService pool = Executors.newFixedThreadPool(THREADS);
		long start = System.nanoTime();
		long deadline = start + DEADLINE_NANOS;
		try {
			List<Future<?>> workers = new ArrayList<>();
			for (int t = 0; t < THREADS; t++) {
				workers.add(pool.submit(() -> {
					int cycle;
					while ((cycle = tickets.getAndIncrement()) < CYCLES && System.nanoTime() < deadline) {
						String request = "cycle " + cycle;
						try (Socket client = tcp(port("churn"))) {
							assertThat(exchange(client, request)).isEqualTo("CYCLE " + cycle);
						}
						done.incrementAndGet();
					}
					return null;
				}));
			}
			for (Future<?> worker : workers) {
				worker.get(DEADLINE_NANOS + TimeUnit.SECONDS.toNanos(20), TimeUnit.NANOSECONDS);
			}
		}
		finally {
			pool.shutdownNow();
			assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
		}
		long elapsed = System.nanoTime() - start;
		System.out.printf("connection churn: %d of %d cycles in %d ms, %.0f cycles/s%n", done.get(), CYCLES,
				TimeUnit.NANOSECONDS.toMillis(elapsed), done.get() * 1e9 / elapsed);
		assertThat(done.get()).as("cycles completed within %d s", TimeUnit.NANOSECONDS.toSeconds(DEADLINE_NANOS))
			.isEqualTo(CYCLES);
		awaiting(SETTLE).untilAsserted(() -> {
			assertThat(count("gateway.connections.opened", "churn") - opened).as("opened").isEqualTo(CYCLES);
			assertThat(count("gateway.connections.closed", "churn") - closed).as("closed").isEqualTo(CYCLES);
		});
		awaitHeapBelow(heapBefore + HEAP_TOLERANCE);
		assertHealthy("churn", false);
	}

}
