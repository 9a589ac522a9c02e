package dev.socketgateway.listener;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import dev.socketgateway.config.GatewayProperties;
import dev.socketgateway.config.Protocol;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.autoconfigure.context.LifecycleProperties;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import org.springframework.util.Assert;

/**
 * Starts every enabled listener and counts the service as started only when all of them are bound.
 * Spring Integration's NIO server binds on a background thread and only logs a failure, so without this
 * wait a busy port would leave a service that runs but does not listen. A failure here fails the context
 * refresh, and the process exits non-zero.
 */
@Component
public class ListenerRegistry implements SmartLifecycle {

	/** Before the HTTP server starts and after it stops, so probes see the listeners' real state. */
	static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 4096;

	private static final Logger logger = LoggerFactory.getLogger(ListenerRegistry.class);

	private final GatewayProperties properties;

	private final Map<Protocol, ListenerFactory> factories =
			new EnumMap<>(Protocol.class);

	private final List<GatewayListener> running = Collections.synchronizedList(new ArrayList<>());

	/** Every listener started, kept after it stops so that health can report it DOWN. */
	private final Map<String, GatewayListener> everStarted = new ConcurrentHashMap<>();

	private final Duration shutdownTimeout;

	private volatile boolean started;

	ListenerRegistry(GatewayProperties properties, List<ListenerFactory> factories, LifecycleProperties lifecycle) {
		this.properties = properties;
		factories.forEach((factory) -> this.factories.put(factory.protocol(), factory));
		// Leave a margin inside Boot's per-phase budget for closing sockets after the drain.
		this.shutdownTimeout = lifecycle.getTimeoutPerShutdownPhase().multipliedBy(3).dividedBy(4);
	}

	@Override
	public void start() {
		this.started = true;
		List<String> failures = new ArrayList<>();
		this.properties.enabledListeners().forEach((name, settings) -> {
			ListenerFactory factory = this.factories.get(settings.getProtocol());
			Assert.state(factory != null, () -> "No factory for protocol " + settings.getProtocol());
			try {
				GatewayListener listener = factory.start(name, settings);
				this.running.add(listener);
				this.everStarted.put(name, listener);
			}
			catch (IllegalStateException ex) {
				failures.add(ex.getMessage());
			}
		});
		for (GatewayListener listener : runningListeners()) {
			try {
				int port = listener.awaitBound(this.properties.getStartupTimeout());
				logger.info("Listener '{}' ({}) listening on {} port {}", listener.name(), listener.protocol(),
						listener.settings().bindAddressOrAny(),
						port);
			}
			catch (IllegalStateException ex) {
				failures.add(ex.getMessage());
			}
		}
		if (!failures.isEmpty()) {
			failures.forEach(logger::error);
			stop();
			throw new IllegalStateException(String.join("; ", failures));
		}
	}

	@Override
	public void stop() {
		List<GatewayListener> toStop;
		synchronized (this.running) {
			toStop = new ArrayList<>(this.running);
			this.running.clear();
		}
		toStop.parallelStream().forEach((listener) -> listener.stop(this.shutdownTimeout));
		this.started = false;
	}

	@Override
	public boolean isRunning() {
		return this.started;
	}

	@Override
	public int getPhase() {
		return PHASE;
	}

	/**
	 * The listener of that name, running or stopped.
	 * @throws IllegalArgumentException if no listener of that name was started
	 */
	public GatewayListener listener(String name) {
		return find(name).orElseThrow(() -> new IllegalArgumentException("No listener named '" + name + "'"));
	}

	/** The listener of that name, running or stopped, if one was started. */
	public Optional<GatewayListener> find(String name) {
		return Optional.ofNullable(this.everStarted.get(name));
	}

	/** Every listener started, running or stopped, in configuration order. */
	public List<GatewayListener> listeners() {
		return this.properties.enabledListeners().keySet().stream()
			.map(this.everStarted::get)
			.filter(java.util.Objects::nonNull)
			.toList();
	}

	private List<GatewayListener> runningListeners() {
		synchronized (this.running) {
			return List.copyOf(this.running);
		}
	}

}
