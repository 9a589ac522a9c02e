package dev.socketgateway.tcp;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;

import dev.socketgateway.config.GatewayProperties;
import dev.socketgateway.config.ListenerProperties;
import dev.socketgateway.config.Protocol;
import dev.socketgateway.listener.FlowMetrics;
import dev.socketgateway.listener.GatewayListener;
import dev.socketgateway.listener.ListenerFactory;
import dev.socketgateway.transform.GatewayTransformer;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.ssl.NoSuchSslBundleException;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.context.ApplicationContext;
import org.springframework.integration.dsl.IntegrationFlow;
import org.springframework.integration.dsl.context.IntegrationFlowContext;
import org.springframework.integration.dsl.context.IntegrationFlowContext.IntegrationFlowRegistration;
import org.springframework.integration.ip.dsl.Tcp;
import org.springframework.integration.transformer.Transformer;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.stereotype.Component;
import org.springframework.util.StringUtils;

/**
 * Builds each TCP listener: one flow per event loop, reading inbound channel adapter → transformer
 * service → outbound channel adapter writing back to the same connection. The adapters of a flow
 * collaborate through the loop's connection factory; the loops share the port through SO_REUSEPORT.
 */
@Component
class TcpListenerFactory implements ListenerFactory {

	private static final Logger logger = LoggerFactory.getLogger(TcpListenerFactory.class);

	private final IntegrationFlowContext flows;

	private final GatewayTransformer transformer;

	private final TaskScheduler scheduler;

	private final MeterRegistry meters;

	private final GatewayProperties properties;

	private final ApplicationContext applicationContext;

	private final ObjectProvider<SslBundles> sslBundles;

	/**
	 * Whether session lines spell their fields out in the message: not when the console log is structured
	 * (logging.structured.format.console), whose JSON has them as fields already.
	 */
	private final boolean plainSessionLines;

	TcpListenerFactory(IntegrationFlowContext flows, GatewayTransformer transformer, TaskScheduler scheduler,
			MeterRegistry meters, GatewayProperties properties, ApplicationContext context,
			ObjectProvider<SslBundles> sslBundles) {
		this.flows = flows;
		this.transformer = transformer;
		this.scheduler = scheduler;
		this.meters = meters;
		this.properties = properties;
		this.applicationContext = context;
		this.sslBundles = sslBundles;
		this.plainSessionLines = !StringUtils.hasText(context.getEnvironment()
			.getProperty("logging.structured.format.console"));
	}

	@Override
	public Protocol protocol() {
		return Protocol.TCP;
	}

	@Override
	public GatewayListener start(String name, ListenerProperties settings) {
		String describe = settings.describe(name);
		int loops = eventLoops(name, settings);
		if (loops > 1) {
			probe(settings, describe);
		}
		SslBundle ssl = sslBundle(name, settings);
		WriteFlusher flusher = new WriteFlusher(name);
		TcpListenerContext context;
		try {
			SessionLog sessions = settings.isSessionLog() ? new SessionLog(name, this.plainSessionLines) : null;
			context = new TcpListenerContext(name, settings, ssl, flusher, this.meters, sessions, this.scheduler);
		}
		catch (RuntimeException ex) {
			flusher.stop();
			throw ex;
		}
		flusher.start();
		// Before the loops accept, so that no update of the bundle is missed.
		CertificateRotation rotation = (ssl != null) ? CertificateRotation.register(this.sslBundles.getObject(), context)
				: null;
		List<LoopServer> servers = new ArrayList<>(loops);
		try {
			// Asked once per listener; every loop's flow applies the same function.
			Transformer transform = context.metrics()
				.timed(this.transformer.forListener(name, settings.getCharset()));
			servers.add(startLoop(context, transform, 0, settings.getPort(), loops > 1));
			if (loops > 1) {
				// The first loop learns the port (it may be ephemeral); the others join it there.
				int port = servers.get(0).awaitBound(this.properties.getStartupTimeout(), describe);
				for (int i = 1; i < loops; i++) {
					servers.add(startLoop(context, transform, i, port, true));
				}
			}
		}
		catch (RuntimeException ex) {
			servers.forEach(LoopServer::stop);
			flusher.stop();
			stop(rotation);
			throw ex;
		}
		ScheduledFuture<?> reaper = IdleReaper.schedule(this.scheduler, context);
		TcpGatewayListener listener = new TcpGatewayListener(name, settings, describe, servers, context,
				this.scheduler, () -> {
					stop(rotation);
					reaper.cancel(false);
				});
		context.metrics().track(listener);
		return listener;
	}

	private static void stop(CertificateRotation rotation) {
		if (rotation != null) {
			rotation.stop();
		}
	}

	/**
	 * The listener's SSL bundle, or null for plain TCP.
	 * @throws IllegalStateException naming the key if there is no such bundle
	 */
	private SslBundle sslBundle(String name, ListenerProperties settings) {
		if (settings.getSsl() == null) {
			return null;
		}
		String bundle = settings.getSsl().getBundle();
		String problem = "gateway.listeners." + name + ".ssl.bundle: there is no SSL bundle named '" + bundle
				+ "'; declare it as spring.ssl.bundle.pem." + bundle + " or spring.ssl.bundle.jks." + bundle;
		SslBundles bundles = this.sslBundles.getIfAvailable();
		if (bundles == null) {
			throw new IllegalStateException(problem);
		}
		try {
			return bundles.getBundle(bundle);
		}
		catch (NoSuchSslBundleException ex) {
			throw new IllegalStateException(problem, ex);
		}
	}

	private static int eventLoops(String name, ListenerProperties settings) {
		int loops = settings.effectiveEventLoops();
		if (loops > 1 && !ReusePortSocketSupport.supported()) {
			logger.warn("Listener '{}': SO_REUSEPORT is not available on this platform; running one event loop", name);
			return 1;
		}
		return loops;
	}

	/** A busy port fails startup, although the loops' sockets would share it (see ReusePortSocketSupport.probe). */
	private static void probe(ListenerProperties settings, String describe) {
		if (settings.getPort() != 0) {
			ReusePortSocketSupport.probe(settings.getBindAddress(), settings.getPort(), describe);
		}
	}

	private LoopServer startLoop(TcpListenerContext context, Transformer transform, int index, int port,
			boolean reusePort) {
		String name = context.name();
		GatewayServerConnectionFactory factory = new GatewayServerConnectionFactory(port, context);
		ListenerProperties settings = context.settings();
		factory.setBacklog(settings.getBacklog());
		factory.setTaskExecutor(new EventLoop(name + "-tcp-loop-" + index));
		if (reusePort) {
			factory.setTcpSocketSupport(new ReusePortSocketSupport());
		}
		if (settings.getBindAddress() != null) {
			factory.setLocalAddress(settings.getBindAddress());
		}
		IntegrationFlow flow = IntegrationFlow.from(Tcp.inboundAdapter(factory))
				.transformWith((endpoint) -> endpoint.transformer(transform))
				.handle(Tcp.outboundAdapter(factory))
				.get();
		String id = "gateway." + name + ".loop-" + index;
		IntegrationFlowRegistration registration = this.flows.registration(flow)
				.id(id)
				.addBean(id + ".connectionFactory", factory)
				.register();
		FlowMetrics.withoutPerMessageInstrumentation(this.applicationContext, id + ".");
		return new LoopServer(factory, registration);
	}

}
