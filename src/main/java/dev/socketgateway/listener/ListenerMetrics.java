package dev.socketgateway.listener;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

import dev.socketgateway.config.Protocol;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;

import org.springframework.integration.core.GenericTransformer;
import org.springframework.integration.transformer.Transformer;
import org.springframework.messaging.Message;
import org.springframework.messaging.support.GenericMessage;

/**
 * One listener's meters, created once when the listener starts so that counting a message is an
 * increment on a field, never a registry lookup. Every meter is tagged with listener and protocol.
 */
public final class ListenerMetrics {

	/** The reasons of {@code gateway.errors} on TCP listeners; see docs/monitoring.md. */
	static final String[] TCP_ERRORS = { "frame-too-large", "malformed", "idle-timeout", "write-failed", "reset",
			"tls-handshake", "tls-reload", "proxy-header", "accept-failed" };

	/**
	 * The reasons of {@code gateway.connections.rejected}. A connection over max-connections-per-client under
	 * client-limits-dry-run is served, and counted as {@code per-client-limit-dry-run}.
	 */
	static final String[] REJECTED = { "max-connections", "not-allowed", "per-client-limit",
			"per-client-limit-dry-run" };

	/** The reasons of {@code gateway.errors} on UDP listeners. */
	static final String[] UDP_ERRORS = { "datagram-too-large", "write-failed" };

	/**
	 * The reason of {@code gateway.errors} for the datagrams the kernel dropped on a UDP listener's full sockets,
	 * read from the kernel when the meter is read (see {@link #errorsCountedBy}); not in {@link #UDP_ERRORS}, since
	 * one name and tags can be one meter only.
	 */
	public static final String RECEIVE_BUFFER_FULL = "receive-buffer-full";

	private static final String ERRORS_DESCRIPTION = "Bad input, failed writes, timeouts and unusable certificate "
			+ "updates, by reason";

	/** The reason of {@code gateway.connections.rejected} for datagrams a paused or draining UDP listener drops. */
	public static final String PAUSED = "paused";

	/**
	 * One message in this many, drawn at random, is timed by {@code gateway.transform}. Timing every message
	 * took two clock reads and a timer update each, more than upper-casing a short message itself.
	 */
	static final int TRANSFORM_SAMPLING = 16;

	/**
	 * The bucket bounds of {@code gateway.transform}, a decade apart: enough for {@code histogram_quantile} to place
	 * a p99 against an alert threshold (upper-casing a short message takes about a microsecond; 10 ms is slow), at
	 * eight {@code _bucket} series per listener, where Micrometer's default percentile histogram publishes dozens.
	 */
	static final Duration[] TRANSFORM_BUCKETS = { Duration.ofNanos(1_000), Duration.ofNanos(10_000),
			Duration.ofNanos(100_000), Duration.ofMillis(1), Duration.ofMillis(10), Duration.ofMillis(100),
			Duration.ofSeconds(1) };

	static final String UP = "gateway.listener.up";

	private final MeterRegistry registry;

	private final Tags tags;

	private final Gauge active;

	private final Counter opened;

	private final Counter closed;

	private final Counter messagesReceived;

	private final Counter messagesSent;

	private final Counter bytesReceived;

	private final Counter bytesSent;

	private final Timer transform;

	private final Counter rateLimited;

	private final Counter rateLimitedDryRun;

	/** {@code gateway.connections.max}, once {@link #track} has registered it; TCP only. */
	private volatile Gauge maxConnections;

	/** A handful of fixed reasons per listener, so this stays small. */
	private final Map<String, Counter> errors = new ConcurrentHashMap<>();

	private final Map<String, Counter> rejected = new ConcurrentHashMap<>();

	public ListenerMetrics(MeterRegistry registry, String listener, String protocol, Supplier<Number> activeConnections) {
		this.registry = registry;
		this.tags = Tags.of("listener", listener, "protocol", protocol);
		this.active = Gauge.builder("gateway.connections.active", activeConnections)
			.tags(this.tags)
			.description("Open connections (TCP) or peers seen within the peer window (UDP)")
			.register(registry);
		this.opened = counter("gateway.connections.opened", "Connections accepted");
		this.closed = counter("gateway.connections.closed", "Connections closed, by either side");
		this.messagesReceived = counter("gateway.messages.received", "Messages (UDP: datagrams) received");
		this.messagesSent = counter("gateway.messages.sent", "Replies (UDP: datagrams) sent");
		this.bytesReceived = counter("gateway.bytes.received", "Bytes received on the wire, framing included");
		this.bytesSent = counter("gateway.bytes.sent", "Bytes sent on the wire, framing included");
		this.transform = Timer.builder("gateway.transform")
			.tags(this.tags)
			.description("Time to transform one message (upper-case it, by default), timed on a random 1 in " + TRANSFORM_SAMPLING + " messages")
			.serviceLevelObjectives(TRANSFORM_BUCKETS)
			.register(registry);
		this.rateLimited = rateLimitedCounter(false);
		this.rateLimitedDryRun = rateLimitedCounter(true);
		// Registered up front so that dashboards and alerts see a zero rather than no series at all.
		for (String reason : REJECTED) {
			rejectedCounter(reason);
		}
		if ("udp".equals(protocol)) {
			rejectedCounter(PAUSED); // a paused TCP listener's clients are refused by the kernel, unseen here
		}
		for (String reason : "udp".equals(protocol) ? UDP_ERRORS : TCP_ERRORS) {
			errorCounter(reason);
		}
	}

	private Counter counter(String name, String description) {
		return Counter.builder(name).tags(this.tags).description(description).register(this.registry);
	}

	private Counter rateLimitedCounter(boolean dryRun) {
		return Counter.builder("gateway.rate-limited")
			.tags(this.tags)
			.tag("dry-run", String.valueOf(dryRun))
			.description("Messages over client-message-rate: TCP messages delayed, UDP datagrams dropped; "
					+ "with dry-run=true only counted")
			.register(this.registry);
	}

	public void opened() {
		this.opened.increment();
	}

	public void closed() {
		this.closed.increment();
	}

	public void received(int bytes) {
		this.bytesReceived.increment(bytes);
	}

	public void message() {
		this.messagesReceived.increment();
	}

	public void sent(int bytes) {
		this.messagesSent.increment();
		this.bytesSent.increment(bytes);
	}

	/** Bytes sent that answer no message, such as a banner or an error line. */
	public void sentUnsolicited(int bytes) {
		this.bytesSent.increment(bytes);
	}

	/** Messages over client-message-rate: delayed (TCP) or dropped (UDP), or under a dry run only counted. */
	public void rateLimited(long messages, boolean dryRun) {
		(dryRun ? this.rateLimitedDryRun : this.rateLimited).increment(messages);
	}

	public void error(String reason) {
		errorCounter(reason).increment();
	}

	private Counter errorCounter(String reason) {
		return this.errors.computeIfAbsent(reason, (key) -> Counter.builder("gateway.errors")
			.tags(this.tags)
			.tag("reason", key)
			.description(ERRORS_DESCRIPTION)
			.register(this.registry));
	}

	/**
	 * Registers {@code gateway.errors{reason}} as a count that {@code count} reads from {@code state} whenever the
	 * meter is read, for errors counted outside the gateway, such as datagrams the kernel dropped. The meter holds
	 * {@code state} weakly, and a listener started again under the same name gets the meter registered first:
	 * pass a state that outlives the listener and stays the same for its name.
	 */
	public <T> void errorsCountedBy(String reason, T state, ToDoubleFunction<T> count) {
		FunctionCounter.builder("gateway.errors", state, count)
			.tags(this.tags)
			.tag("reason", reason)
			.description(ERRORS_DESCRIPTION)
			.register(this.registry);
	}

	public void rejected(String reason) {
		rejectedCounter(reason).increment();
	}

	private Counter rejectedCounter(String reason) {
		return this.rejected.computeIfAbsent(reason, (key) -> Counter.builder("gateway.connections.rejected")
			.tags(this.tags)
			.tag("reason", key)
			.description("Connections (UDP: datagrams) refused, by reason")
			.register(this.registry));
	}

	/**
	 * Registers the gauges that read the listener itself rather than count its traffic, once it exists:
	 * {@code gateway.listener.up}, 1 while it is running and listening, 0 when paused, draining, failed or stopped;
	 * and on TCP {@code gateway.connections.max}, its {@code max-connections}. UDP has no connections to limit, so
	 * it has no {@code max} series, and a saturation ratio matches TCP listeners only. Both are read when scraped.
	 */
	public void track(GatewayListener listener) {
		// A stopped listener's gauge stays, reading 0; one started again under the same name (a restarted
		// context) takes its place, where registering would hand back the gauge of the stopped one.
		Gauge stopped = this.registry.find(UP).tags(this.tags).gauge();
		if (stopped != null) {
			this.registry.remove(stopped);
		}
		Gauge.builder(UP, listener, (tracked) -> isUp(tracked) ? 1 : 0)
			.tags(this.tags)
			.description("1 while the listener accepts connections (TCP) or answers datagrams (UDP); "
					+ "0 when paused, draining, failed or stopped")
			.strongReference(true)
			.register(this.registry);
		if (listener.protocol() == Protocol.TCP) {
			this.maxConnections = Gauge.builder("gateway.connections.max", listener.settings()::getMaxConnections)
				.tags(this.tags)
				.description("The listener's max-connections: open TCP connections at most")
				.register(this.registry);
		}
	}

	private static boolean isUp(GatewayListener listener) {
		return listener.state() == ListenerState.RUNNING && listener.isListening();
	}

	/**
	 * Unregisters the gauges that read the stopped listener's connections. Counters stay: a listener started
	 * again under the same name goes on counting where it left off, as Prometheus expects; and so does
	 * {@code gateway.listener.up}, which reads 0 now.
	 */
	public void close() {
		this.registry.remove(this.active);
		Gauge max = this.maxConnections;
		if (max != null) {
			this.registry.remove(max);
		}
	}

	/**
	 * The payload transformer, timed on a sample of messages, as a message {@link Transformer}. Spring
	 * Integration calls one of those directly, where a plain function is called reflectively; and returning
	 * the reply with the request's headers object saves copying every header into a new map per message. A
	 * function that returns the payload it was given, changed in place, gets the request message back as the
	 * reply: messages are immutable, and that one has the very payload and headers the reply would have.
	 */
	public Transformer timed(GenericTransformer<byte[], byte[]> transformer) {
		return (message) -> {
			boolean timed = ThreadLocalRandom.current().nextInt(TRANSFORM_SAMPLING) == 0;
			long start = timed ? System.nanoTime() : 0;
			Object payload = message.getPayload();
			byte[] replyPayload = transformer.transform((byte[]) payload);
			Message<?> reply = (replyPayload == payload) ? message
					: new GenericMessage<>(replyPayload, message.getHeaders());
			if (timed) {
				this.transform.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
			}
			return reply;
		};
	}

}
