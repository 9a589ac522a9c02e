package dev.socketgateway.listener;

import org.springframework.context.ApplicationContext;
import org.springframework.integration.support.management.IntegrationManagement;

/**
 * Takes Spring Integration's own per-channel and per-handler timers and debug logging off the gateway's flows.
 * The timers time every send of every message (four timers per request), which the profile of a loaded listener
 * showed as a cost of their own; the gateway's meters, which count every message and time a sample of the
 * transformations, say what operators need. A handler with logging enabled makes a log message supplier for every
 * message it handles, even with DEBUG off: 24 bytes of garbage per message for a line nobody reads. Other flows in
 * the context keep both.
 */
public final class FlowMetrics {

	private FlowMetrics() {
	}

	/** For every Spring Integration component whose bean name starts with the prefix. */
	public static void withoutPerMessageInstrumentation(ApplicationContext context, String beanNamePrefix) {
		context.getBeansOfType(IntegrationManagement.class, false, false).forEach((name, component) -> {
			if (name.startsWith(beanNamePrefix)) {
				component.registerMetricsCaptor(null);
				component.setLoggingEnabled(false);
			}
		});
	}

}
