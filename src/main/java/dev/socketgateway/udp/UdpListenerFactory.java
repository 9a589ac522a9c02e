package dev.socketgateway.udp;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import dev.socketgateway.config.ListenerProperties;
import dev.socketgateway.config.Protocol;
import dev.socketgateway.listener.FlowMetrics;
import dev.socketgateway.listener.GatewayListener;
import dev.socketgateway.listener.ListenerFactory;
import dev.socketgateway.listener.ListenerMetrics;
import dev.socketgateway.security.AllowList;
import dev.socketgateway.transform.GatewayTransformer;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.context.ApplicationContext;
import org.springframework.integration.dsl.IntegrationFlow;
import org.springframework.integration.dsl.context.IntegrationFlowContext;
import org.springframework.integration.dsl.context.IntegrationFlowContext.IntegrationFlowRegistration;
import org.springframework.integration.transformer.Transformer;
import org.springframework.messaging.MessagingException;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;
import org.springframework.stereotype.Component;

/**
 * Builds one flow per UDP listener: inbound channel adapter, transformer service, outbound channel
 * adapter. Replies leave from the listener's own socket, because a client such as {@code nc -u} connects
 * its socket and ignores datagrams from any other port.
 */
@Component
class UdpListenerFactory implements ListenerFactory {

	private final IntegrationFlowContext flows;

	private final GatewayTransformer transformer;

	private final MeterRegistry meters;

	private final ApplicationContext applicationContext;

	UdpListenerFactory(IntegrationFlowContext flows, GatewayTransformer transformer, MeterRegistry meters,
			ApplicationContext context) {
		this.flows = flows;
		this.transformer = transformer;
		this.meters = meters;
		this.applicationContext = context;
	}

	@Override
	public Protocol protocol() {
		return Protocol.UDP;
	}

	@Override
	public GatewayListener start(String name, ListenerProperties settings) {
		RecentPeers peers = new RecentPeers();
		ListenerMetrics metrics = new ListenerMetrics(this.meters, name, "udp", peers::active);
		DatagramReceiver receiver = new DatagramReceiver(name, settings.getPort(), settings.getMaxDatagramBytes(),
				AllowList.of(settings.getAllowedCidrs()), DatagramRate.of(name, settings, metrics), metrics, peers);
		if (settings.getBindAddress() != null) {
			receiver.setLocalAddress(settings.getBindAddress());
		}
		ExecutorService receiveThread = Executors.newSingleThreadExecutor(new CustomizableThreadFactory(name + "-udp-"));
		receiver.setTaskExecutor(receiveThread);
		bindNow(name, settings, receiver);

		Transformer transform = metrics.timed(this.transformer.forListener(name, settings.getCharset()));
		IntegrationFlow flow = IntegrationFlow.from(receiver)
				.transformWith((endpoint) -> endpoint.transformer(transform))
				.handle(new DatagramReplier(receiver, metrics))
				.get();
		IntegrationFlowRegistration registration = this.flows.registration(flow).id("gateway." + name).register();
		FlowMetrics.withoutPerMessageInstrumentation(this.applicationContext, "gateway." + name + ".");
		return new UdpGatewayListener(name, settings, receiver, receiveThread, registration, peers, metrics);
	}

	/** Binds on the caller's thread, so that a busy port fails startup instead of a background thread. */
	private static void bindNow(String name, ListenerProperties settings, DatagramReceiver receiver) {
		try {
			receiver.getSocket();
		}
		catch (MessagingException ex) {
			Throwable cause = (ex.getCause() != null) ? ex.getCause() : ex;
			throw new IllegalStateException(settings.describe(name) + " cannot listen: " + cause.getMessage(), cause);
		}
	}

}
