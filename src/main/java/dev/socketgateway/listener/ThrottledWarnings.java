package dev.socketgateway.listener;

import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;

/**
 * At most one WARN line per interval for one kind of bad input on one listener, so that a flood of
 * rejected connections or garbage datagrams cannot fill the disk. The next line that gets through says
 * how many were left out; the metrics count every one.
 */
public final class ThrottledWarnings {

	private final Logger logger;

	private final long intervalNanos;

	private final AtomicLong nextAllowed = new AtomicLong(Long.MIN_VALUE);

	private final AtomicLong suppressed = new AtomicLong();

	public ThrottledWarnings(Logger logger, java.time.Duration interval) {
		this.logger = logger;
		this.intervalNanos = interval.toNanos();
	}

	/** Logs at WARN unless a line went out within the interval; the format is SLF4J's. */
	public void warn(String format, Object... arguments) {
		long now = System.nanoTime();
		long allowed = this.nextAllowed.get();
		if ((allowed != Long.MIN_VALUE && now - allowed < 0) || !this.nextAllowed.compareAndSet(allowed, now + this.intervalNanos)) {
			this.suppressed.incrementAndGet();
			return;
		}
		long skipped = this.suppressed.getAndSet(0);
		if (skipped > 0) {
			this.logger.warn(format + " ({} similar warnings suppressed)", append(arguments, skipped));
		}
		else {
			this.logger.warn(format, arguments);
		}
	}

	private static Object[] append(Object[] arguments, long value) {
		Object[] all = java.util.Arrays.copyOf(arguments, arguments.length + 1);
		all[arguments.length] = value;
		return all;
	}

}
