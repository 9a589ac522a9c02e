package dev.socketgateway.listener;

import org.springframework.context.ApplicationContext;
import org.springframework.integration.support.management.IntegrationManagement;

/**
 * Takes Spring Integration's own per-channel and per-handler timers off the gateway's flows. They time
 * every send of every message (four timers per request), which the profile of a loaded listener showed as
 * a cost of their own; the gateway's meters, which count every message and time a sample of the
 * transformations, say what operators need. Other flows in the context keep them.
 */
public final class FlowMetrics {

	private FlowMetrics() {
	}

	/** For every Spring Integration component whose bean name starts with the prefix. */
	public static void withoutIntegrationTimers(ApplicationContext context, String beanNamePrefix) {
		context.getBeansOfType(IntegrationManagement.class, false, false).forEach((name, component) -> {
			if (name.startsWith(beanNamePrefix)) {
				component.registerMetricsCaptor(null);
			}
		});
	}

}
