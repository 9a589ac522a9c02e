package dev.socketgateway.bench;

import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

import org.HdrHistogram.Histogram;

/**
 * What one target did in one scenario. Only the load generator's selector thread touches it, so plain fields do.
 * Errors and lost replies count over the whole run (warm-up included: a wrong byte is wrong at any time); throughput
 * and latency count only replies completed inside the measured window.
 */
final class Recorder {

	// A reply later than a minute is clamped, not dropped, so it still weighs on the percentiles.
	private static final long HIGHEST_MICROS = TimeUnit.MINUTES.toMicros(1);

	final Histogram latencyMicros = new Histogram(HIGHEST_MICROS, 3);

	private long windowStart = Long.MAX_VALUE;

	private long windowEnd = Long.MIN_VALUE;

	long sent;

	long completed;

	long completedInWindow;

	long wrongBytes;

	long connectFailures;

	long resets;

	/** Requests whose verified reply never came (wrong-byte replies count as errors instead). */
	long lost;

	/** UDP replies that came after their 1 s timeout, already counted as lost. */
	long late;

	/** Paced sends left out because the connection already had its maximum of replies outstanding. */
	long skipped;

	int connections;

	/** Told the measured window when the load sets it, such as an {@link AllocationProbe}; null if none. */
	BiConsumer<Long, Long> windowListener;

	/**
	 * Runs once the window has ended and the last replies are in, while every connection is still open, such as a
	 * measure of the heap they hold; null if none. TCP loads only.
	 */
	Runnable loadedListener;

	void loaded() {
		if (this.loadedListener != null) {
			this.loadedListener.run();
		}
	}

	void window(long start, long end) {
		this.windowStart = start;
		this.windowEnd = end;
		if (this.windowListener != null) {
			this.windowListener.accept(start, end);
		}
	}

	void completed(long sentAt, long now) {
		this.completed++;
		if (now >= this.windowStart && now < this.windowEnd) {
			this.completedInWindow++;
			this.latencyMicros.recordValue(Math.min(HIGHEST_MICROS, Math.max(0, (now - sentAt) / 1_000)));
		}
	}

	long errors() {
		return this.wrongBytes + this.connectFailures + this.resets;
	}

}
