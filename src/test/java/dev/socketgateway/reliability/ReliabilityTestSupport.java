package dev.socketgateway.reliability;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

import dev.socketgateway.LoopbackGatewayTest;
import dev.socketgateway.listener.ListenerRegistry;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.search.Search;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.BeforeEach;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

import static dev.socketgateway.GatewayClients.ascii;
import static dev.socketgateway.GatewayClients.exchange;
import static dev.socketgateway.GatewayClients.tcp;
import static dev.socketgateway.GatewayClients.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * One gateway shared by every reliability test (Spring caches the context, as all classes declare the same
 * listeners), and the checks each test ends with: the listener still answers a fresh client, no connection is
 * left open, and no thread was left behind. Each listener serves one test, so that a test's counter deltas
 * are its own.
 */
@LoopbackGatewayTest
@TestPropertySource(properties = {
		// half frames then resets, and the load test's line clients
		"gateway.listeners.line.protocol=tcp",
		"gateway.listeners.line.port=0",
		"gateway.listeners.line.bind-address=127.0.0.1",
		"gateway.listeners.line.framing=line",
		// half-closing clients
		"gateway.listeners.halfclose.protocol=tcp",
		"gateway.listeners.halfclose.port=0",
		"gateway.listeners.halfclose.bind-address=127.0.0.1",
		// slowloris
		"gateway.listeners.slow.protocol=tcp",
		"gateway.listeners.slow.port=0",
		"gateway.listeners.slow.bind-address=127.0.0.1",
		"gateway.listeners.slow.framing=line",
		"gateway.listeners.slow.idle-timeout=1s",
		// connection flood
		"gateway.listeners.capped.protocol=tcp",
		"gateway.listeners.capped.port=0",
		"gateway.listeners.capped.bind-address=127.0.0.1",
		"gateway.listeners.capped.max-connections=50",
		// a client that does not read
		"gateway.listeners.hoard.protocol=tcp",
		"gateway.listeners.hoard.port=0",
		"gateway.listeners.hoard.bind-address=127.0.0.1",
		"gateway.listeners.hoard.max-pending-write-bytes=1048576",
		// connection churn
		"gateway.listeners.churn.protocol=tcp",
		"gateway.listeners.churn.port=0",
		"gateway.listeners.churn.bind-address=127.0.0.1" })
abstract class ReliabilityTestSupport {

	/** Live threads that may come and go on their own (JIT, GC, attach, timers) without being a leak. */
	static final int THREAD_TOLERANCE = 3;

	static final Duration SETTLE = Duration.ofSeconds(20);

	@Autowired
	ListenerRegistry listeners;

	@Autowired
	MeterRegistry registry;

	int threadsBefore;

	@BeforeEach
	void recordLiveThreads() {
		this.threadsBefore = liveThreads();
	}

	int port(String listener) {
		return this.listeners.listener(listener).port();
	}

	/**
	 * A counter of the listener, 0 if it has not been registered. Some are function counters, read from elsewhere
	 * when asked, such as gateway.errors{reason=receive-buffer-full} from the kernel's table.
	 */
	double count(String name, String listener, String... tagPairs) {
		Search search = this.registry.find(name).tag("listener", listener);
		for (int i = 0; i < tagPairs.length; i += 2) {
			search = search.tag(tagPairs[i], tagPairs[i + 1]);
		}
		Counter counter = search.counter();
		if (counter != null) {
			return counter.count();
		}
		FunctionCounter function = search.functionCounter();
		return (function != null) ? function.count() : 0;
	}

	double errors(String listener, String reason) {
		return count("gateway.errors", listener, "reason", reason);
	}

	double active(String listener) {
		Gauge gauge = this.registry.find("gateway.connections.active").tag("listener", listener).gauge();
		assertThat(gauge).as("gateway.connections.active of %s", listener).isNotNull();
		return gauge.value();
	}

	static ConditionFactory awaiting(Duration atMost) {
		return await().atMost(atMost).pollInSameThread().pollInterval(Duration.ofMillis(50));
	}

	static int liveThreads() {
		return ManagementFactory.getThreadMXBean().getThreadCount();
	}

	static long usedHeap() {
		return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
	}

	/** Used heap after a full collection: the smallest of a few readings, each after System.gc(). */
	static long usedHeapAfterGc() {
		long least = Long.MAX_VALUE;
		for (int i = 0; i < 3; i++) {
			System.gc();
			least = Math.min(least, usedHeap());
		}
		return least;
	}

	/** Waits until the used heap after a collection is below {@code limit}. */
	static void awaitHeapBelow(long limit) {
		awaiting(SETTLE).pollInterval(Duration.ofMillis(200))
			.untilAsserted(() -> assertThat(usedHeapAfterGc()).as("used heap after GC").isLessThan(limit));
	}

	/**
	 * What every test ends with: the listener answers a fresh client, its connections all closed, and no
	 * thread is left over from the test.
	 */
	void assertHealthy(String listener, boolean lineFraming) throws IOException {
		assertThat(this.listeners.listener(listener).isListening()).as("%s is listening", listener).isTrue();
		assertThat(this.listeners.listener(listener).downReason()).isNull();
		String request = "fresh client " + ThreadLocalRandom.current().nextInt(1000);
		try (Socket fresh = tcp(port(listener))) {
			if (lineFraming) {
				assertThat(text(exchange(fresh, ascii(request + "\n"), request.length() + 1)))
					.isEqualTo(request.toUpperCase() + "\n");
			}
			else {
				assertThat(exchange(fresh, request)).isEqualTo(request.toUpperCase());
			}
		}
		awaitNoConnections(listener);
		awaitThreadsBack();
	}

	void awaitNoConnections(String listener) {
		awaiting(SETTLE).untilAsserted(() -> assertThat(active(listener)).as("active connections of %s", listener)
			.isZero());
	}

	void awaitThreadsBack() {
		awaiting(SETTLE).untilAsserted(() -> assertThat(liveThreads()).as("live threads (%s before)", this.threadsBefore)
			.isLessThanOrEqualTo(this.threadsBefore + THREAD_TOLERANCE));
	}

	/** ASCII letters, digits, spaces and punctuation, no line feed: upper-cased byte for byte in any charset. */
	static byte[] randomText(ThreadLocalRandom random, int length) {
		byte[] bytes = new byte[length];
		for (int i = 0; i < length; i++) {
			bytes[i] = (byte) (' ' + random.nextInt(95)); // ' ' .. '~'
		}
		return bytes;
	}

	/** The gateway's reply to ASCII text: a-z upper-cased, every other byte as it was. */
	static byte[] upperCasedAscii(byte[] request) {
		byte[] reply = request.clone();
		for (int i = 0; i < reply.length; i++) {
			if (reply[i] >= 'a' && reply[i] <= 'z') {
				reply[i] -= 32;
			}
		}
		return reply;
	}

}
