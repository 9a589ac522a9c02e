package dev.socketgateway.tcp;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.scheduling.TaskScheduler;

/**
 * Closes a listener's connections that have been silent for longer than its idle-timeout. Spring
 * Integration's own timeout would rescan every connection on each selector wake-up; this scans at a
 * fraction of the timeout instead, at most once a second.
 */
final class IdleReaper implements Runnable {

	private static final Logger logger = LoggerFactory.getLogger(IdleReaper.class);

	private final TcpListenerContext context;

	private final long idleMillis;

	private IdleReaper(TcpListenerContext context, Duration idleTimeout) {
		this.context = context;
		this.idleMillis = idleTimeout.toMillis();
	}

	/** @return the schedule to cancel on stop, or null when the timeout is off */
	static ScheduledFuture<?> schedule(TaskScheduler scheduler, TcpListenerContext context) {
		Duration timeout = context.settings().getIdleTimeout();
		if (timeout.isZero()) {
			return null;
		}
		Duration period = Duration.ofMillis(Math.max(10, Math.min(1000, timeout.toMillis() / 4)));
		return scheduler.scheduleAtFixedRate(new IdleReaper(context, timeout), period);
	}

	@Override
	public void run() {
		long now = System.currentTimeMillis();
		for (GatewayConnection connection : this.context.connections()) {
			if (now - connection.lastActivity() > this.idleMillis) {
				logger.debug("Listener '{}' peer {}: idle for over {} ms, closing", this.context.name(), connection.peer(),
						this.idleMillis);
				this.context.metrics().error("idle-timeout");
				connection.close();
			}
		}
	}

}
