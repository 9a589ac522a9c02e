package dev.socketgateway.listener;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * At most one WARN line per interval, with the count of lines left out on the next one, read from a Logback
 * {@link ListAppender} on a logger of the test's own.
 */
class ThrottledWarningsTests {

	/** Long enough that nothing in one test reaches the next interval. */
	private static final Duration NEVER_AGAIN = Duration.ofHours(1);

	/** Short enough to wait for, long enough that a few calls in a row fall inside one interval. */
	private static final Duration SHORT = Duration.ofMillis(500);

	private final Logger logger = (Logger) LoggerFactory.getLogger(ThrottledWarningsTests.class);

	private final ListAppender<ILoggingEvent> lines = new ListAppender<>();

	@BeforeEach
	void captureLines() {
		this.lines.start();
		this.logger.addAppender(this.lines);
		this.logger.setLevel(Level.WARN);
		this.logger.setAdditive(false);
	}

	@AfterEach
	void releaseLogger() {
		this.logger.detachAppender(this.lines);
		this.logger.setLevel(null);
		this.logger.setAdditive(true);
		this.lines.stop();
	}

	@Test
	void theFirstWarningGoesOutAsItIsAndTheRestOfTheIntervalIsSuppressed() {
		ThrottledWarnings warnings = new ThrottledWarnings(this.logger, NEVER_AGAIN);
		for (int i = 0; i < 100; i++) {
			warnings.warn("Listener '{}' rejected {}", "tcp", "peer-" + i);
		}
		assertThat(this.lines.list).singleElement().satisfies((line) -> {
			assertThat(line.getLevel()).isEqualTo(Level.WARN);
			assertThat(line.getFormattedMessage()).isEqualTo("Listener 'tcp' rejected peer-0");
		});
	}

	@Test
	void theNextLineAfterTheIntervalSaysHowManyWereSuppressedAndTheCountStartsAgain() {
		ThrottledWarnings warnings = new ThrottledWarnings(this.logger, SHORT);
		AtomicInteger calls = new AtomicInteger();
		warnings.warn("bad input {}", calls.incrementAndGet());
		for (int i = 0; i < 3; i++) {
			warnings.warn("bad input {}", calls.incrementAndGet());
		}
		assertThat(this.lines.list).as("calls within the interval").hasSize(1);

		warnUntilLines(warnings, calls, 2);
		int second = calls.get();
		assertThat(this.lines.list.get(1).getFormattedMessage())
			.isEqualTo("bad input " + second + " (" + (second - 2) + " similar warnings suppressed)");

		warnUntilLines(warnings, calls, 3);
		int third = calls.get();
		int suppressedSinceSecond = third - second - 1;
		assertThat(suppressedSinceSecond).as("calls made while waiting for the third line").isPositive();
		assertThat(this.lines.list.get(2).getFormattedMessage())
			.isEqualTo("bad input " + third + " (" + suppressedSinceSecond + " similar warnings suppressed)");
	}

	@Test
	void concurrentCallersLogOneLinePerIntervalBetweenThem() throws Exception {
		int callers = 4;
		int rounds = 20_000;
		ExecutorService pool = Executors.newFixedThreadPool(callers);
		try {
			for (int round = 0; round < rounds; round++) {
				// A fresh instance each round, so that every round races for its first line; the race is
				// narrow, so it takes many rounds to lose it now and then if the check were not atomic.
				ThrottledWarnings warnings = new ThrottledWarnings(this.logger, NEVER_AGAIN);
				CountDownLatch start = new CountDownLatch(1);
				List<Future<?>> done = new ArrayList<>();
				int thisRound = round;
				for (int c = 0; c < callers; c++) {
					done.add(pool.submit(() -> {
						start.await();
						for (int i = 0; i < 10; i++) {
							warnings.warn("round {}", thisRound);
						}
						return null;
					}));
				}
				start.countDown();
				for (Future<?> caller : done) {
					caller.get(10, TimeUnit.SECONDS);
				}
			}
		}
		finally {
			pool.shutdownNow();
		}
		// Sizes, not the lists: a failure would otherwise print thousands of lines.
		Set<String> roundsLogged = this.lines.list.stream()
			.map(ILoggingEvent::getFormattedMessage)
			.collect(Collectors.toSet());
		assertThat(this.lines.list.size()).as("lines logged").isEqualTo(rounds);
		assertThat(roundsLogged.size()).as("rounds that logged a line").isEqualTo(rounds);
	}

	/** Keeps warning, as a flood of bad input would, until the given number of lines went out. */
	private void warnUntilLines(ThrottledWarnings warnings, AtomicInteger calls, int count) {
		await().atMost(Duration.ofSeconds(10)).pollInSameThread().pollInterval(Duration.ofMillis(10)).until(() -> {
			warnings.warn("bad input {}", calls.incrementAndGet());
			return this.lines.list.size() >= count;
		});
		assertThat(this.lines.list).hasSize(count);
	}

}
