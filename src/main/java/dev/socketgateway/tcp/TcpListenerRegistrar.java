package dev.socketgateway.tcp;

import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

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
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;
import org.springframework.stereotype.Component;

/**
 * Builds one flow per TCP listener: inbound channel adapter, uppercase transformer, outbound channel
 * adapter writing back to the same connection. The adapters collaborate through one NIO server
 * connection factory whose threads are bounded.
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
		ThreadPoolExecutor executor = workers(name, settings);
		GatewayServerConnectionFactory factory = connectionFactory(settings, context, executor);
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
		return new TcpGatewayListener(name, settings, factory, executor, context, bound, registration, () -> {
			if (reaper != null) {
				reaper.cancel(false);
			}
			this.binding.remove(factory);
		});
	}

	private static GatewayServerConnectionFactory connectionFactory(GatewayProperties.Listener settings,
			TcpListenerContext context, ThreadPoolExecutor executor) {
		GatewayServerConnectionFactory factory = new GatewayServerConnectionFactory(settings.getPort());
		factory.setBacklog(settings.getBacklog());
		factory.setSoTcpNoDelay(true);
		factory.setLookupHost(false);
		factory.setTaskExecutor(executor);
		factory.setTcpNioConnectionSupport(new GatewayConnectionSupport(context));
		if (settings.getBindAddress() != null) {
			factory.setLocalAddress(settings.getBindAddress());
		}
		return factory;
	}

	/**
	 * Spring Integration's default is an unbounded cached pool, one thread per busy connection. Here a
	 * fixed pool reads, transforms and writes; one extra thread runs the accept and select loop. The queue
	 * holds at most one read task per connection, because a connection is not selected again until its
	 * read returns; when it is full the factory retries the read shortly instead of dropping it.
	 */
	private static ThreadPoolExecutor workers(String name, GatewayProperties.Listener settings) {
		int threads = settings.effectiveWorkerThreads() + 1;
		ThreadPoolExecutor executor = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS,
				new ArrayBlockingQueue<>(settings.getWorkerQueueCapacity()),
				new CustomizableThreadFactory(name + "-tcp-"));
		return executor;
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
