package dev.socketgateway.listener;

import java.time.Duration;

import dev.socketgateway.config.GatewayProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.autoconfigure.context.LifecycleProperties;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * The lame duck on SIGTERM: for {@code gateway.shutdown-delay} readiness answers 503 while the listeners still
 * accept and answer, so that load balancers' next health checks take the instance out before it turns anyone away;
 * then the web server and the listeners stop as before.
 *
 * <p>Boot publishes {@code ReadinessState.REFUSING_TRAFFIC} as the context starts to close, before any lifecycle
 * phase stops. This waits in a phase of its own, which stops before Boot's graceful web server shutdown (phase
 * {@code DEFAULT_PHASE - 1024}: after it the probes get no answer at all) and long before the
 * {@link ListenerRegistry} drains the listeners. Each phase has {@code spring.lifecycle.timeout-per-shutdown-phase};
 * the delay must be shorter, and startup fails if it is not.
 */
@Component
class ShutdownDelay implements SmartLifecycle {

	/** Stops before Boot's graceful web server shutdown, {@code DEFAULT_PHASE - 1024}, so the probes still answer. */
	static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 512;

	private static final Logger logger = LoggerFactory.getLogger(ShutdownDelay.class);

	private final Duration delay;

	private volatile boolean running;

	/**
	 * @throws IllegalStateException naming both keys if the delay is negative or does not fit in a shutdown phase
	 */
	ShutdownDelay(GatewayProperties properties, LifecycleProperties lifecycle) {
		this.delay = properties.getShutdownDelay();
		Duration phase = lifecycle.getTimeoutPerShutdownPhase();
		if (this.delay.isNegative() || this.delay.compareTo(phase) >= 0) {
			throw new IllegalStateException("gateway.shutdown-delay (" + print(this.delay) + ") must be at least 0 "
					+ "and shorter than spring.lifecycle.timeout-per-shutdown-phase (" + print(phase) + "), the "
					+ "budget of the shutdown phase it waits in");
		}
	}

	/** As the keys are written: 5s, 1500ms. */
	private static String print(Duration duration) {
		return (duration.toMillis() % 1000 == 0) ? duration.toSeconds() + "s" : duration.toMillis() + "ms";
	}

	@Override
	public void start() {
		this.running = true;
	}

	/** Waits out the delay on the closing thread: nothing else stops until it is over. */
	@Override
	public void stop() {
		this.running = false;
		if (this.delay.isZero()) {
			return;
		}
		logger.info("Shutting down: readiness refuses traffic; the listeners keep accepting for {} "
				+ "(gateway.shutdown-delay) before they drain", print(this.delay));
		try {
			Thread.sleep(this.delay.toMillis());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	@Override
	public int getPhase() {
		return PHASE;
	}

}
