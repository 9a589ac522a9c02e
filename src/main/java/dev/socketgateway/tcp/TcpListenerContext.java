package dev.socketgateway.tcp;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import dev.socketgateway.actuate.ListenerMetrics;
import dev.socketgateway.actuate.ThrottledWarnings;
import dev.socketgateway.config.GatewayProperties;
import dev.socketgateway.security.AllowList;
import dev.socketgateway.transform.CaseConverter;

import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.LoggerFactory;

/**
 * What every connection of one TCP listener shares, built once when the listener starts so that nothing
 * is looked up per message.
 */
final class TcpListenerContext {

	/** Largest single read; a stream-framed message is at most this long. */
	static final int READ_BUFFER_BYTES = 64 * 1024;

	/** How long a client gets to read its last replies before a closing connection is dropped. */
	static final Duration WRITE_TIMEOUT = Duration.ofSeconds(10);

	/** One read buffer per event loop rather than per connection: 10,000 idle clients cost no buffers. */
	private static final ThreadLocal<ByteBuffer> READ_BUFFER =
			ThreadLocal.withInitial(() -> ByteBuffer.allocate(READ_BUFFER_BYTES));

	private final String name;

	private final GatewayProperties.Listener settings;

	private final CaseConverter converter;

	private final WriteFlusher flusher;

	/** Open connections of this listener; bounded by max-connections. */
	private final Set<GatewayConnection> connections = ConcurrentHashMap.newKeySet();

	private final AllowList allowList;

	private final byte[] banner;

	private final byte[] busyMessage;

	private final ListenerMetrics metrics;


	private final AtomicLong connectionIds = new AtomicLong();

	/** Connections admitted and not yet closed; exact across the listener's event loops. */
	private final AtomicInteger admitted = new AtomicInteger();

	private final ThrottledWarnings warnings =
			new ThrottledWarnings(LoggerFactory.getLogger(GatewayConnection.class), Duration.ofSeconds(1));

	TcpListenerContext(String name, GatewayProperties.Listener settings, CaseConverter converter,
			WriteFlusher flusher, MeterRegistry registry) {
		this.name = name;
		this.metrics = new ListenerMetrics(registry, name, "tcp", this.connections::size);
		this.settings = settings;
		this.converter = converter;
		this.flusher = flusher;
		this.allowList = AllowList.of(settings.getAllowedCidrs());
		this.banner = encode(settings.getBanner());
		this.busyMessage = encode(settings.getBusyMessage());
	}

	private byte[] encode(String text) {
		return (text != null) ? text.getBytes(this.settings.getCharset()) : null;
	}

	String name() {
		return this.name;
	}

	GatewayProperties.Listener settings() {
		return this.settings;
	}

	CaseConverter converter() {
		return this.converter;
	}

	WriteFlusher flusher() {
		return this.flusher;
	}

	ListenerMetrics metrics() {
		return this.metrics;
	}

	long nextConnectionId() {
		return this.connectionIds.incrementAndGet();
	}

	ThrottledWarnings warnings() {
		return this.warnings;
	}

	int maxPendingWriteBytes() {
		return this.settings.getMaxPendingWriteBytes();
	}

	AllowList allowList() {
		return this.allowList;
	}

	int maxConnections() {
		return this.settings.getMaxConnections();
	}

	/** @return false, admitting nothing, when max-connections are already open */
	boolean admit() {
		if (this.admitted.incrementAndGet() > this.settings.getMaxConnections()) {
			this.admitted.decrementAndGet();
			return false;
		}
		return true;
	}

	void release() {
		this.admitted.decrementAndGet();
	}

	/** @return the banner bytes in the listener's charset, or null when there is none */
	byte[] banner() {
		return this.banner;
	}

	/** @return the busy-message bytes in the listener's charset, or null when there is none */
	byte[] busyMessage() {
		return this.busyMessage;
	}

	String quitCommand() {
		return this.settings.getQuitCommand();
	}

	Duration writeTimeout() {
		return WRITE_TIMEOUT;
	}

	FrameDecoder newDecoder() {
		int max = this.settings.getMaxFrameBytes();
		return switch (this.settings.getFraming()) {
			case STREAM -> new StreamDecoder(this.converter);
			case LINE -> new LineDecoder(max, this.settings.getCharset());
			case STX_ETX -> new StxEtxDecoder(max);
			case LENGTH_HEADER_1 -> new LengthHeaderDecoder(1, max);
			case LENGTH_HEADER_2 -> new LengthHeaderDecoder(2, max);
			case LENGTH_HEADER_4 -> new LengthHeaderDecoder(4, max);
		};
	}

	Set<GatewayConnection> connections() {
		return this.connections;
	}

	/** The calling thread's read buffer, emptied. */
	ByteBuffer readBuffer() {
		return READ_BUFFER.get().clear();
	}

}
