package dev.socketgateway.tcp;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;

import dev.socketgateway.config.GatewayListener;
import dev.socketgateway.config.GatewayProperties;
import dev.socketgateway.config.GatewayProperties.Protocol;
import dev.socketgateway.config.ListenerRegistrar;
import dev.socketgateway.transform.UppercaseTransformer;

import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.context.event.EventListener;
import org.springframework.integration.dsl.IntegrationFlow;
import org.springframework.integration.dsl.context.IntegrationFlowContext;
import org.springframework.integration.dsl.context.IntegrationFlowContext.IntegrationFlowRegistration;
import org.springframework.integration.ip.dsl.Tcp;
import org.springframework.integration.ip.tcp.connection.TcpConnectionServerExceptionEvent;
import org.springframework.integration.ip.tcp.connection.TcpConnectionServerListeningEvent;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.stereotype.Component;

/**
 * Builds one flow per TCP listener: inbound channel adapter, uppercase transformer, outbound channel
 * adapter writing back to the same connection. The adapters collaborate through one NIO server
 * connection factory, which runs on two threads: its event loop and a write flusher.
 */
@Component
class TcpListenerRegistrar implements ListenerRegistrar {

	private final IntegrationFlowContext flows;

	private final UppercaseTransformer uppercase;

	private final TaskScheduler scheduler;

	private final MeterRegistry meters;

	/** Binding outcome per factory; the NIO server binds on its own thread and reports through events. */
	private final Map<Object, CompletableFuture<Integer>> binding = new ConcurrentHashMap<>();

	TcpListenerRegistrar(IntegrationFlowContext flows, UppercaseTransformer uppercase, TaskScheduler scheduler,
			MeterRegistry meters) {
		this.flows = flows;
		this.uppercase = uppercase;
		this.scheduler = scheduler;
		this.meters = meters;
	}

	@Override
	public Protocol protocol() {
		return Protocol.TCP;
	}

	@Override
	public GatewayListener start(String name, GatewayProperties.Listener settings) {
		WriteFlusher flusher = new WriteFlusher(name);
		TcpListenerContext context = new TcpListenerContext(name, settings,
				this.uppercase.forCharset(settings.getCharset()), flusher, this.meters);
		GatewayServerConnectionFactory factory = connectionFactory(settings, context, new EventLoop(name + "-tcp-loop"));
		CompletableFuture<Integer> bound = new CompletableFuture<>();
		this.binding.put(factory, bound);

		IntegrationFlow flow = IntegrationFlow.from(Tcp.inboundAdapter(factory))
				.transform(byte[].class, context.metrics().timed(context.converter()::uppercase))
				.handle(Tcp.outboundAdapter(factory))
				.get();
		flusher.start();
		IntegrationFlowRegistration registration = this.flows.registration(flow)
				.id("gateway." + name)
				.addBean("gateway." + name + ".connectionFactory", factory)
				.register();
		ScheduledFuture<?> reaper = IdleReaper.schedule(this.scheduler, context);
		return new TcpGatewayListener(name, settings, factory, context, bound, registration, () -> {
			reaper.cancel(false);
			this.binding.remove(factory);
		});
	}

	private static GatewayServerConnectionFactory connectionFactory(GatewayProperties.Listener settings,
			TcpListenerContext context, EventLoop loop) {
		GatewayServerConnectionFactory factory = new GatewayServerConnectionFactory(settings.getPort(), context);
		factory.setBacklog(settings.getBacklog());
		factory.setSoTcpNoDelay(true);
		factory.setLookupHost(false);
		factory.setTaskExecutor(loop);
		factory.setTcpNioConnectionSupport(new GatewayConnectionSupport(context));
		if (settings.getBindAddress() != null) {
			factory.setLocalAddress(settings.getBindAddress());
		}
		return factory;
	}

	@EventListener
	void listening(TcpConnectionServerListeningEvent event) {
		CompletableFuture<Integer> bound = this.binding.get(event.getSource());
		if (bound != null) {
			bound.complete(event.getPort());
		}
	}

	@EventListener
	void failed(TcpConnectionServerExceptionEvent event) {
		CompletableFuture<Integer> bound = this.binding.get(event.getSource());
		if (bound != null) {
			bound.completeExceptionally(event.getCause());
		}
	}

}
