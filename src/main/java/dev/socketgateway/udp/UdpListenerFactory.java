package dev.socketgateway.udp;

import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.ApplicationContext;
import org.springframework.integration.dsl.IntegrationFlow;
import org.springframework.integration.dsl.context.IntegrationFlowContext;
import org.springframework.integration.dsl.context.IntegrationFlowContext.IntegrationFlowRegistration;
import org.springframework.integration.transformer.Transformer;
import org.springframework.stereotype.Component;

/**
 * Builds each UDP listener: one flow per receive thread, reading inbound channel adapter → transformer service →
 * outbound channel adapter, around one socket of the listener's port. Each reply leaves from the socket its datagram
 * came in on, so from the listener's port, because a client such as {@code nc -u} connects its socket and ignores
 * datagrams from any other port.
 */
@Component
class UdpListenerFactory implements ListenerFactory {

	private static final Logger logger = LoggerFactory.getLogger(UdpListenerFactory.class);

	private final IntegrationFlowContext flows;

	private final GatewayTransformer transformer;

	private final MeterRegistry meters;

	private final ApplicationContext applicationContext;

	/** Per listener name, so bounded by the configuration; kept across restarts of a listener (see KernelDrops). */
	private final Map<String, KernelDrops> drops = new ConcurrentHashMap<>();

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
		List<DatagramSocket> sockets = ReceiveSockets.open(name, settings, receiveThreads(name, settings));
		RecentPeers peers = new RecentPeers(sockets.size());
		ListenerMetrics metrics = new ListenerMetrics(this.meters, name, "udp", peers::active);
		KernelDrops kernelDrops = this.drops.computeIfAbsent(name, (key) -> new KernelDrops());
		kernelDrops.track(ProcNetUdp.ownSockets((InetSocketAddress) sockets.get(0).getLocalSocketAddress()));
		metrics.errorsCountedBy(ListenerMetrics.RECEIVE_BUFFER_FULL, kernelDrops, KernelDrops::count);
		UdpListenerContext context = new UdpListenerContext(name, settings.getMaxDatagramBytes(),
				AllowList.of(settings.getAllowedCidrs()), DatagramRate.of(name, settings, metrics), metrics,
				DatagramReceiver.warnings());
		// Asked once per listener; every thread's flow applies the same function.
		Transformer transform = metrics.timed(this.transformer.forListener(name, settings.getCharset()));
		List<ReceiveThread> threads = new ArrayList<>(sockets.size());
		try {
			for (int i = 0; i < sockets.size(); i++) {
				threads.add(startThread(context, transform, i, sockets.get(i), peers.receiver(i)));
			}
		}
		catch (RuntimeException ex) {
			threads.forEach(ReceiveThread::stop);
			sockets.forEach(DatagramSocket::close);
			throw ex;
		}
		logger.info("Listener '{}' (udp): {} receive thread{} on port {}, a receive buffer of {} bytes each", name,
				sockets.size(), (sockets.size() == 1) ? "" : "s", sockets.get(0).getLocalPort(),
				ReceiveSockets.granted(sockets.get(0)));
		UdpGatewayListener listener = new UdpGatewayListener(name, settings, threads, peers, metrics, kernelDrops);
		metrics.track(listener);
		return listener;
	}

	private static int receiveThreads(String name, ListenerProperties settings) {
		int threads = settings.effectiveReceiveThreads();
		if (threads > 1 && !ReceiveSockets.reusePortSupported()) {
			logger.warn("Listener '{}': SO_REUSEPORT is not available on this platform; receiving on one socket and "
					+ "one thread instead of receive-threads {}", name, threads);
			return 1;
		}
		return threads;
	}

	private ReceiveThread startThread(UdpListenerContext context, Transformer transform, int index,
			DatagramSocket socket, RecentPeers.Receiver peers) {
		String name = context.name();
		DatagramReceiver receiver = new DatagramReceiver(context, socket, peers);
		String threadName = name + "-udp-" + index;
		ExecutorService thread = Executors.newSingleThreadExecutor((task) -> new Thread(task, threadName));
		receiver.setTaskExecutor(thread);
		IntegrationFlow flow = IntegrationFlow.from(receiver)
				.transformWith((endpoint) -> endpoint.transformer(transform))
				.handle(new DatagramReplier(receiver, context.metrics()))
				.get();
		String id = "gateway." + name + ".receiver-" + index;
		try {
			IntegrationFlowRegistration registration = this.flows.registration(flow).id(id).register();
			FlowMetrics.withoutPerMessageInstrumentation(this.applicationContext, id + ".");
			return new ReceiveThread(receiver, thread, registration);
		}
		catch (RuntimeException ex) {
			thread.shutdown();
			throw ex;
		}
	}

}
