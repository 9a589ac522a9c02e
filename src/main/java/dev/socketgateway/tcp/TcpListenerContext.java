package dev.socketgateway.tcp;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;

import dev.socketgateway.config.ClientAuth;
import dev.socketgateway.config.GatewayProperties;
import dev.socketgateway.config.ProxyProtocol;
import dev.socketgateway.listener.ListenerMetrics;
import dev.socketgateway.listener.ThrottledWarnings;
import dev.socketgateway.security.AllowList;
import dev.socketgateway.tcp.framing.FrameCodec;
import dev.socketgateway.tcp.framing.FrameCodecs;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.LoggerFactory;

import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslOptions;

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

	private final FrameCodecs codecs;

	private final WriteFlusher flusher;

	/** Open connections of this listener; bounded by max-connections. */
	private final Set<GatewayConnection> connections = ConcurrentHashMap.newKeySet();

	private final AllowList allowList;

	/** Peers that may send a PROXY header. */
	private final AllowList proxyTrusted;

	private final byte[] banner;

	private final byte[] busyMessage;

	private final ListenerMetrics metrics;

	/** Built once from the listener's SSL bundle; null on a plain listener. */
	private final SSLContext sslContext;

	private final SslOptions sslOptions;

	private final ClientAuth clientAuth;

	private final AtomicLong connectionIds = new AtomicLong();

	/** Messages and replies of connections already closed, added once per connection, never per message. */
	private final LongAdder closedMessagesReceived = new LongAdder();

	private final LongAdder closedMessagesSent = new LongAdder();

	/** Connections admitted and not yet closed; exact across the listener's event loops. */
	private final AtomicInteger admitted = new AtomicInteger();

	private final ThrottledWarnings warnings =
			new ThrottledWarnings(LoggerFactory.getLogger(GatewayConnection.class), Duration.ofSeconds(1));

	/**
	 * @param ssl the listener's SSL bundle, or null for plain TCP
	 * @throws IllegalStateException naming the bundle key if the bundle's key material cannot be used
	 */
	TcpListenerContext(String name, GatewayProperties.Listener settings, SslBundle ssl, WriteFlusher flusher,
			MeterRegistry registry) {
		this.name = name;
		this.metrics = new ListenerMetrics(registry, name, "tcp", this.connections::size);
		this.settings = settings;
		this.codecs = FrameCodecs.forListener(settings);
		this.flusher = flusher;
		this.allowList = AllowList.of(settings.getAllowedCidrs());
		this.proxyTrusted = AllowList.of(settings.getProxyTrustedCidrs());
		if (settings.getProxyProtocol() != ProxyProtocol.OFF && this.proxyTrusted.allowsEveryone()) {
			LoggerFactory.getLogger(TcpGatewayListener.class)
				.warn("Listener '{}': proxy-protocol is {} and proxy-trusted-cidrs is empty, so any client may claim "
						+ "any address; set it to your load balancers' addresses", name, settings.getProxyProtocol());
		}
		this.banner = encode(settings.getBanner());
		this.busyMessage = encode(settings.getBusyMessage());
		this.sslContext = (ssl != null) ? sslContext(name, settings, ssl) : null;
		this.sslOptions = (ssl != null) ? ssl.getOptions() : SslOptions.NONE;
		this.clientAuth = (ssl != null) ? settings.getSsl().getClientAuth() : ClientAuth.NONE;
		if (ssl != null) {
			newSslEngine(); // fails startup on ciphers or protocols the JVM does not know
		}
	}

	private static SSLContext sslContext(String name, GatewayProperties.Listener settings, SslBundle ssl) {
		try {
			return ssl.createSslContext();
		}
		catch (RuntimeException ex) {
			throw new IllegalStateException("gateway.listeners." + name + ".ssl.bundle '" + settings.getSsl().getBundle()
					+ "' cannot be used: " + ex.getMessage(), ex);
		}
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

	ProxyProtocol proxyProtocol() {
		return this.settings.getProxyProtocol();
	}

	/** Whether this peer may send a PROXY header. */
	boolean proxyTrusted(InetAddress peer) {
		return this.proxyTrusted.allows(peer);
	}

	Duration proxyHeaderTimeout() {
		return this.settings.getProxyHeaderTimeout();
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

	FrameCodec newDecoder() {
		return this.codecs.newCodec();
	}

	void closed(long messagesReceived, long messagesSent) {
		this.closedMessagesReceived.add(messagesReceived);
		this.closedMessagesSent.add(messagesSent);
	}

	/** Messages received and replies sent since the listener started, open connections included. */
	long[] messageTotals() {
		long received = this.closedMessagesReceived.sum();
		long sent = this.closedMessagesSent.sum();
		for (GatewayConnection connection : this.connections) {
			received += connection.messagesReceived();
			sent += connection.messagesSent();
		}
		return new long[] { received, sent };
	}

	Set<GatewayConnection> connections() {
		return this.connections;
	}

	/** Whether this listener speaks TLS. */
	boolean tls() {
		return this.sslContext != null;
	}

	/** A server-mode engine for one TLS connection, with the bundle's ciphers and protocols and client-auth. */
	SSLEngine newSslEngine() {
		SSLEngine engine = this.sslContext.createSSLEngine();
		engine.setUseClientMode(false);
		try {
			if (this.sslOptions.getCiphers() != null) {
				engine.setEnabledCipherSuites(this.sslOptions.getCiphers());
			}
			if (this.sslOptions.getEnabledProtocols() != null) {
				engine.setEnabledProtocols(this.sslOptions.getEnabledProtocols());
			}
		}
		catch (IllegalArgumentException ex) {
			throw new IllegalStateException("gateway.listeners." + this.name + ".ssl.bundle '"
					+ this.settings.getSsl().getBundle() + "': " + ex.getMessage(), ex);
		}
		switch (this.clientAuth) {
			case NEED -> engine.setNeedClientAuth(true);
			case WANT -> engine.setWantClientAuth(true);
			case NONE -> engine.setWantClientAuth(false);
		}
		return engine;
	}

	/** The calling thread's read buffer, emptied. */
	ByteBuffer readBuffer() {
		return READ_BUFFER.get().clear();
	}

}
