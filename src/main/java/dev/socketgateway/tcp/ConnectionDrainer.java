package dev.socketgateway.tcp;

import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.locks.ReentrantLock;

import org.springframework.scheduling.TaskScheduler;

/**
 * Closes the open connections of a draining TCP listener one after another over its {@code drain-window}, so that
 * their clients do not all reconnect at once: of the n connections open when the drain starts, the i-th (oldest
 * first) is drained at i/n of the window. One task on the scheduler walks the list, whatever its length; it ends
 * when the list is done, or when the listener resumes, pauses or stops. Draining a connection reads and answers
 * what its client has sent, sends the drain message after the replies, and closes it once they are written.
 */
final class ConnectionDrainer implements Runnable {

	/**
	 * Reads a drain makes before it closes a connection: what the client sent before the drain reached it, 1 MiB
	 * in 64 KiB reads, rather than chase a client that keeps sending.
	 */
	private static final int MAX_DRAIN_READS = 16;

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
			drain(this.connections.get(this.next++));
		}
		if (this.next >= count) {
			cancel();
		}
	}

	/**
	 * Closes one connection, with reason drained: what the client has sent so far is read and answered, the drain
	 * message follows the replies, and the connection closes once they are written. The connection's read lock
	 * keeps its event loop from reading meanwhile.
	 */
	private void drain(GatewayConnection connection) {
		ReentrantLock readLock = connection.readLock();
		readLock.lock();
		try {
			// Answers what has arrived, one read buffer at a time, whatever client-message-rate would allow.
			int reads = 0;
			while (reads++ < MAX_DRAIN_READS && connection.readUnpaced()) {
				continue;
			}
			if (!connection.endInput()) {
				return; // closing already, after its own replies
			}
			if (connection.proxyPhase() != null) {
				// still owes its PROXY header: nothing was answered, nothing to say
				connection.close(CloseReason.DRAINED);
				return;
			}
			byte[] message = this.context.drainMessage();
			TlsLayer tls = connection.tls();
			if (message != null && (tls == null || tls.handshakeDone())) {
				connection.sendUnsolicited(message);
			}
			connection.closeAfterReplies(CloseReason.DRAINED);
		}
		catch (WriteFailedException gone) {
			// the client stopped reading or went away; the connection is closed
		}
		finally {
			readLock.unlock();
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
