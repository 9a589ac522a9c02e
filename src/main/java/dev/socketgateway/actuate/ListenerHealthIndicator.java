package dev.socketgateway.actuate;

import dev.socketgateway.config.ListenerProperties;
import dev.socketgateway.config.Protocol;
import dev.socketgateway.listener.GatewayListener;
import dev.socketgateway.listener.ListenerState;
import dev.socketgateway.listener.ListenerRegistry;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * One listener's health: UP while its socket listens, OUT_OF_SERVICE while an operator has it paused or draining
 * (so that readiness turns 503 and balancers send no new clients, while liveness stays UP), DOWN with the reason
 * once it has stopped or failed. Spring Integration has no health indicator for its TCP and UDP endpoints.
 */
final class ListenerHealthIndicator extends AbstractHealthIndicator {

	private final String name;

	private final ListenerProperties settings;

	private final ListenerRegistry registry;

	ListenerHealthIndicator(String name, ListenerProperties settings, ListenerRegistry registry) {
		super("Listener '" + name + "' health check failed");
		this.name = name;
		this.settings = settings;
		this.registry = registry;
	}

	@Override
	protected void doHealthCheck(Health.Builder builder) {
		builder.withDetail("protocol", this.settings.getProtocol().toString())
			.withDetail("bindAddress", this.settings.bindAddressOrAny())
			.withDetail("charset", this.settings.getCharset().name());
		if (this.settings.getProtocol() == Protocol.TCP) {
			builder.withDetail("framing", this.settings.getFraming().toString());
		}
		GatewayListener listener = this.registry.find(this.name).orElse(null);
		if (listener == null) {
			builder.down().withDetail("reason", "not started");
			return;
		}
		ListenerState state = listener.state();
		builder.withDetail("port", listener.port())
			.withDetail("openConnections", listener.activeConnections())
			.withDetail("state", state.toString());
		String down = listener.downReason();
		if (down != null) {
			builder.down().withDetail("reason", down);
		}
		else if (state.refusesNewClients()) {
			builder.outOfService();
		}
		else {
			builder.up();
		}
	}

}
