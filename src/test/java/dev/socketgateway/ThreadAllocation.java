package dev.socketgateway;

import java.lang.management.ManagementFactory;

import com.sun.management.ThreadMXBean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * The bytes the JVM counts as allocated by the gateway's own threads, exactly and per thread, for the tests that hold
 * a message's garbage to a bound (docs/performance.md, "Allocation per message").
 */
public final class ThreadAllocation {

	private static final ThreadMXBean THREADS = (ThreadMXBean) ManagementFactory.getThreadMXBean();

	private ThreadAllocation() {
	}

	/** Skips the test where the JVM has no per-thread allocation counters, and turns them on where it has. */
	public static void assumeCounted() {
		assumeThat(THREADS.isThreadAllocatedMemorySupported()).as("per-thread allocation counters").isTrue();
		THREADS.setThreadAllocatedMemoryEnabled(true);
	}

	/** The bytes allocated so far by the live threads whose names start with {@code prefix}; there must be some. */
	public static long ofThreadsNamed(String prefix) {
		long total = 0;
		for (Thread thread : Thread.getAllStackTraces().keySet()) {
			if (thread.getName().startsWith(prefix)) {
				total += THREADS.getThreadAllocatedBytes(thread.getId());
			}
		}
		assertThat(total).as("allocated bytes of threads named %s*", prefix).isPositive();
		return total;
	}

}
