package dev.socketgateway.tcp;

import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ScheduledFuture;

import org.springframework.scheduling.TaskScheduler;

/**
 * Closes the open connections of a draining TCP listener one after another over its {@code drain-window}, so that
 * their clients do not all reconnect at once: of the n connections open when the drain starts, the i-th (oldest
 * first) is drained at i/n of the window. One task on the scheduler walks the list, whatever its length; it ends
 * when the list is done, or when the listener resumes, pauses or stops.
 */
final class ConnectionDrainer implements Runnable {

	/** The shortest and longest step between two passes over the list. */
	private static final Duration MIN_STEP = Duration.ofMillis(10);

	private static final Duration MAX_STEP = Duration.ofMillis(250);

	private final TcpListenerContext context;

	/** The connections open when the drain started, at most max-connections. */
	private final List<GatewayConnection> connections;

	private final long start = System.nanoTime();

	private final long windowNanos;

	/** The next connection to drain; only the one scheduled task touches it, never two passes at once. */
	private int next;

	private volatile ScheduledFuture<?> schedule;

	private volatile boolean cancelled;

	private ConnectionDrainer(TcpListenerContext context, List<GatewayConnection> connections, Duration window) {
		this.context = context;
		this.connections = connections;
		this.windowNanos = window.toNanos();
	}

	/** Starts draining the listener's open connections now. */
	static ConnectionDrainer start(TaskScheduler scheduler, TcpListenerContext context) {
		List<GatewayConnection> open = context.connections()
			.open()
			.stream()
			.sorted(Comparator.comparingLong((GatewayConnection connection) -> connection.stats().id()))
			.toList();
		Duration window = context.settings().getDrainWindow();
		ConnectionDrainer drainer = new ConnectionDrainer(context, open, window);
		Duration step = window.dividedBy(Math.max(1, open.size()));
		step = (step.compareTo(MIN_STEP) < 0) ? MIN_STEP : (step.compareTo(MAX_STEP) > 0) ? MAX_STEP : step;
		drainer.schedule = scheduler.scheduleAtFixedRate(drainer, step);
		if (drainer.cancelled) {
			drainer.schedule.cancel(false); // it finished before the schedule was known
		}
		return drainer;
	}

	@Override
	public void run() {
		long elapsed = System.nanoTime() - this.start;
		int count = this.connections.size();
		while (this.next < count && !this.cancelled && dueNanos(this.next, count) <= elapsed) {
			this.connections.get(this.next++).drain(this.context.drainMessage());
		}
		if (this.next >= count) {
			cancel();
		}
	}

	private long dueNanos(int index, int count) {
		return (long) (this.windowNanos * ((double) index / count));
	}

	/** Stops draining; connections not reached yet stay open, and are served as before. */
	void cancel() {
		this.cancelled = true;
		ScheduledFuture<?> current = this.schedule;
		if (current != null) {
			current.cancel(false);
		}
	}

}
