package dev.socketgateway.config;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * Every listener the gateway runs, keyed by listener name, so that one environment variable such as
 * {@code GATEWAY_LISTENERS_TCP_PORT=9000} overrides one field of one listener. The packaged
 * {@code application.yml} declares the default {@code tcp} and {@code udp} listeners.
 */
@Validated
@ConfigurationProperties(prefix = "gateway", ignoreUnknownFields = false)
public class GatewayProperties {

	/**
	 * Listeners by name. Each one is a TCP or UDP socket that answers in upper case.
	 */
	private Map<String, @Valid ListenerProperties> listeners = new LinkedHashMap<>();

	/**
	 * How long startup waits for every listener to be bound before it fails.
	 */
	private Duration startupTimeout = Duration.ofSeconds(30);

	/**
	 * On SIGTERM, how long readiness answers 503 while the listeners still accept, so that load balancers take
	 * the instance out before it refuses anyone; then the listeners drain. Shorter than
	 * spring.lifecycle.timeout-per-shutdown-phase.
	 */
	@NotNull
	private Duration shutdownDelay = Duration.ZERO;

	public Map<String, ListenerProperties> getListeners() {
		return this.listeners;
	}

	public void setListeners(Map<String, ListenerProperties> listeners) {
		this.listeners = listeners;
	}

	public Duration getStartupTimeout() {
		return this.startupTimeout;
	}

	public void setStartupTimeout(Duration startupTimeout) {
		this.startupTimeout = startupTimeout;
	}

	public Duration getShutdownDelay() {
		return this.shutdownDelay;
	}

	public void setShutdownDelay(Duration shutdownDelay) {
		this.shutdownDelay = shutdownDelay;
	}

	/** The listeners that are switched on, in declaration order. */
	public Map<String, ListenerProperties> enabledListeners() {
		Map<String, ListenerProperties> enabled = new LinkedHashMap<>();
		this.listeners.forEach((name, listener) -> {
			if (listener.isEnabled()) {
				enabled.put(name, listener);
			}
		});
		return enabled;
	}

}
