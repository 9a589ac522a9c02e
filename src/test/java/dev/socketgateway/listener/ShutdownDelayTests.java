package dev.socketgateway.listener;

import java.time.Duration;

import dev.socketgateway.config.GatewayProperties;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.context.LifecycleProperties;
import org.springframework.boot.web.server.context.WebServerGracefulShutdownLifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatNoException;

/**
 * Where the lame-duck delay waits among the shutdown phases, and the startup failure when it would not fit in one.
 */
class ShutdownDelayTests {

	@Test
	void waitsBeforeTheWebServerStopsAnsweringProbesAndBeforeTheListenersDrain() {
		assertThat(ShutdownDelay.PHASE).as("higher phases stop first")
			.isGreaterThan(WebServerGracefulShutdownLifecycle.SMART_LIFECYCLE_PHASE)
			.isGreaterThan(ListenerRegistry.PHASE);
	}

	@Test
	void aDelayThatDoesNotFitInAShutdownPhaseFailsStartupNamingBothKeys() {
		assertThatIllegalStateException().isThrownBy(() -> delay(Duration.ofSeconds(20), Duration.ofSeconds(20)))
			.withMessage("gateway.shutdown-delay (20s) must be at least 0 and shorter than "
					+ "spring.lifecycle.timeout-per-shutdown-phase (20s), the budget of the shutdown phase it waits in");
		assertThatIllegalStateException().isThrownBy(() -> delay(Duration.ofSeconds(-1), Duration.ofSeconds(20)))
			.withMessageContaining("gateway.shutdown-delay (-1s) must be at least 0");
		assertThatNoException().isThrownBy(() -> delay(Duration.ofMillis(19_999), Duration.ofSeconds(20)));
	}

	@Test
	void noDelayStopsAtOnce() {
		ShutdownDelay delay = delay(Duration.ZERO, Duration.ofSeconds(20));
		delay.start();
		long start = System.nanoTime();
		delay.stop();
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
		assertThat(delay.isRunning()).isFalse();
	}

	private static ShutdownDelay delay(Duration delay, Duration phase) {
		GatewayProperties properties = new GatewayProperties();
		properties.setShutdownDelay(delay);
		LifecycleProperties lifecycle = new LifecycleProperties();
		lifecycle.setTimeoutPerShutdownPhase(phase);
		return new ShutdownDelay(properties, lifecycle);
	}

}
