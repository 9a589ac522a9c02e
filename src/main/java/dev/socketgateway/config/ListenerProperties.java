package dev.socketgateway.config;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationPropertiesSource;
import org.springframework.boot.context.properties.NestedConfigurationProperty;

/**
 * One TCP or UDP listener, its {@code ssl.*} keys in {@link ListenerSslProperties}. As a map value it gets no entries
 * in the main configuration metadata, so the processor writes its keys, described by the field Javadoc, to
 * {@code META-INF/spring/configuration-metadata/}: the {@code gateway.listeners.*} entries of
 * {@code additional-spring-configuration-metadata.json} are tested against it.
 */
@ConfigurationPropertiesSource
public class ListenerProperties {

	/** The most receive-threads a UDP listener may have. */
	public static final int MAX_RECEIVE_THREADS = 64;

	/** receive-buffer-bytes unless set: 4 MiB, some 5,000 small datagrams on Linux. */
	public static final int DEFAULT_RECEIVE_BUFFER_BYTES = 4 * 1024 * 1024;

	/**
	 * Transport: tcp or udp.
	 */
	@NotNull
	private Protocol protocol;

	/**
	 * Port to listen on; 0 picks a free ephemeral port.
	 */
	@NotNull
	@Min(0)
	@Max(65535)
	private Integer port;

	/**
	 * Whether this listener runs. Set false to switch off a packaged default listener.
	 */
	private boolean enabled = true;

	/**
	 * Address to bind. Unset binds every interface, IPv4 and IPv6 together (dual stack); set it to
	 * one address such as 127.0.0.1 or ::1 to listen there only.
	 */
	private String bindAddress;

	/**
	 * Charset of the text clients send; any Java charset name, for example UTF-8 or GBK.
	 */
	@NotNull
	private Charset charset = StandardCharsets.UTF_8;

	/**
	 * How TCP messages are delimited. stream answers every chunk as soon as it is read.
	 */
	@NotNull
	private Framing framing = Framing.STREAM;

	/**
	 * TCP accept queue length. Spring Integration's default of 5 drops bursts of new connections;
	 * the kernel caps it at net.core.somaxconn.
	 */
	@Min(1)
	@Max(65535)
	private int backlog = 1024;

	/**
	 * TCP event loops, each a thread that accepts, reads, transforms and writes for its share of the
	 * connections (the kernel spreads connections over them with SO_REUSEPORT); 0 means one per two CPU
	 * cores (at least one).
	 */
	@Min(0)
	@Max(256)
	private int eventLoops = 0;

	/**
	 * Reply bytes a TCP connection may have waiting for a client that does not read; past it
	 * the connection is closed.
	 */
	@Min(1024)
	private int maxPendingWriteBytes = 1024 * 1024;

	/**
	 * Largest message payload, without its terminator or header. A larger line, STX/ETX or
	 * length-prefixed frame (or a header announcing one) closes that connection. Stream framing
	 * answers reads of at most 64 KiB and ignores it.
	 */
	@Min(1)
	@Max(16 * 1024 * 1024)
	private int maxFrameBytes = 65_536;

	/**
	 * TCP connections with no traffic for this long are closed; 0 switches it off.
	 */
	@NotNull
	private Duration idleTimeout = Duration.ofMinutes(10);

	/**
	 * Open TCP connections at most; one more is sent the busy-message, if set, and closed at once.
	 */
	@Min(1)
	private int maxConnections = 10_000;

	/**
	 * Text sent, in the listener's framing, to a connection refused by max-connections.
	 */
	private String busyMessage;

	/**
	 * Open TCP connections from one client address (IPv6: one /64) at most; one more is sent the
	 * busy-message, if set, and closed. 0 means no limit.
	 */
	@Min(0)
	private int maxConnectionsPerClient = 0;

	/**
	 * Messages per second from one client address (IPv6: one /64), a token bucket. Over it a TCP
	 * client's connections are not read until tokens return (nothing is lost); UDP datagrams over it
	 * are dropped. 0 means no limit.
	 */
	@Min(0)
	private int clientMessageRate = 0;

	/**
	 * Size of a client's token bucket: messages it may send at once before client-message-rate holds it
	 * back. Unset means the rate.
	 */
	@Min(1)
	private Integer clientMessageBurst;

	/**
	 * Count and log what max-connections-per-client and client-message-rate would do, without
	 * enforcing them.
	 */
	private boolean clientLimitsDryRun = false;

	/**
	 * Text sent, in the listener's framing, to every new TCP connection before anything else.
	 */
	private String banner;

	/**
	 * Text sent, in the listener's framing, to each open TCP connection when the listener drains, after the
	 * replies to what it sent and before it is closed.
	 */
	private String drainMessage;

	/**
	 * When a TCP listener drains, its open connections are closed one after another over this long, so that
	 * their clients do not all reconnect at once.
	 */
	@NotNull
	private Duration drainWindow = Duration.ofSeconds(10);

	/**
	 * A message equal to this word (ignoring case and a trailing line end) is answered, then the
	 * TCP connection is closed.
	 */
	private String quitCommand;

	/**
	 * Client addresses served, as IPv4 or IPv6 CIDR blocks (10.0.0.0/8, 2001:db8::/32, 127.0.0.1).
	 * Empty allows every address. A TCP connection from elsewhere is closed before it is read; a
	 * UDP datagram from elsewhere is dropped.
	 */
	@NotNull
	private List<String> allowedCidrs = new ArrayList<>();

	/**
	 * Largest UDP datagram answered; a larger one is dropped and counted.
	 */
	@Min(0)
	@Max(65_527)
	private int maxDatagramBytes = 65_507;

	/**
	 * UDP sockets on the listener's port (SO_REUSEPORT, the kernel spreading clients over them), each
	 * with its own thread that receives, transforms and answers; 0 means one per two CPU cores (at least one,
	 * at most 64).
	 */
	@Min(value = 0, message = "must not be negative (0 means one per two CPU cores)")
	@Max(value = MAX_RECEIVE_THREADS, message = "must be at most " + MAX_RECEIVE_THREADS
			+ ": one per core is the most that helps")
	private int receiveThreads = 0;

	/**
	 * Receive buffer (SO_RCVBUF) of each UDP socket: the datagrams a burst may queue while the thread is
	 * busy. The kernel caps it at net.core.rmem_max (a WARN at startup says so); what does not fit is
	 * dropped and counted as gateway.errors with reason receive-buffer-full.
	 */
	@Min(1024)
	private int receiveBufferBytes = DEFAULT_RECEIVE_BUFFER_BYTES;

	/**
	 * TLS for a TCP listener; unset serves plain TCP.
	 */
	@Valid
	@NestedConfigurationProperty
	private ListenerSslProperties ssl;

	/**
	 * PROXY protocol (v1 text or v2 binary, as HAProxy, nginx, Envoy and cloud load balancers send it)
	 * on a TCP listener: off, optional (a connection without a header is served as plain) or
	 * required. The client address in the header then replaces the balancer's in logs, the
	 * connections endpoint and the allowed-cidrs check.
	 */
	@NotNull
	private ProxyProtocol proxyProtocol = ProxyProtocol.OFF;

	/**
	 * Peers that may send a PROXY header, as CIDR blocks: the load balancers. Empty trusts every peer
	 * (a WARN at startup says so). A header from any other peer closes the connection.
	 */
	@NotNull
	private List<String> proxyTrustedCidrs = new ArrayList<>();

	/**
	 * How long a new connection has to deliver its whole PROXY header. Under optional, a connection
	 * that sends nothing for this long is served as plain (and gets the banner).
	 */
	@NotNull
	private Duration proxyHeaderTimeout = Duration.ofSeconds(5);

	/**
	 * TCP: one INFO line on the logger dev.socketgateway.session for every finished connection,
	 * refused ones included: the client, TLS details, duration, bytes and messages each way, and why
	 * it closed.
	 */
	private boolean sessionLog = false;

	public Protocol getProtocol() {
		return this.protocol;
	}

	public void setProtocol(Protocol protocol) {
		this.protocol = protocol;
	}

	public Integer getPort() {
		return this.port;
	}

	public void setPort(Integer port) {
		this.port = port;
	}

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public String getBindAddress() {
		return this.bindAddress;
	}

	/** The bind address as operators read it: {@code *} for every interface. */
	public String bindAddressOrAny() {
		return (this.bindAddress != null) ? this.bindAddress : "*";
	}

	/** How log lines and startup failures name this listener: name, protocol, port and address. */
	public String describe(String name) {
		return "Listener '" + name + "' (" + this.protocol + ", port " + this.port + ", bind address "
				+ bindAddressOrAny() + ")";
	}

	public void setBindAddress(String bindAddress) {
		this.bindAddress = (bindAddress == null || bindAddress.isBlank()) ? null : bindAddress.trim();
	}

	public Charset getCharset() {
		return this.charset;
	}

	public void setCharset(Charset charset) {
		this.charset = charset;
	}

	public Framing getFraming() {
		return this.framing;
	}

	public void setFraming(Framing framing) {
		this.framing = framing;
	}

	public int getBacklog() {
		return this.backlog;
	}

	public void setBacklog(int backlog) {
		this.backlog = backlog;
	}

	public int getEventLoops() {
		return this.eventLoops;
	}

	public void setEventLoops(int eventLoops) {
		this.eventLoops = eventLoops;
	}

	/**
	 * The configured number of event loops, or one per two CPU cores (at least one) when unset. Not one per core:
	 * a loop that never waits on anything but its selector keeps a core busy under load, and with a loop on every
	 * core nothing is left for the rest of what answering takes (the kernel's TCP work, the JVM's collector and
	 * compiler, the write flusher, a sidecar or a load generator), so a loop is preempted with its connections'
	 * requests in hand. On two cores one loop answered 1.6 times as many pipelined messages as two, with a fifth of
	 * the p99 (docs/performance.md, "TCP event loops").
	 */
	public int effectiveEventLoops() {
		return (this.eventLoops > 0) ? this.eventLoops : onePerTwoCores(Runtime.getRuntime().availableProcessors());
	}

	/** Half the cores, rounded down, and at least one: the default number of TCP loops and of UDP receive threads. */
	static int onePerTwoCores(int cores) {
		return Math.max(1, cores / 2);
	}

	public int getMaxPendingWriteBytes() {
		return this.maxPendingWriteBytes;
	}

	public void setMaxPendingWriteBytes(int maxPendingWriteBytes) {
		this.maxPendingWriteBytes = maxPendingWriteBytes;
	}

	public int getMaxFrameBytes() {
		return this.maxFrameBytes;
	}

	public void setMaxFrameBytes(int maxFrameBytes) {
		this.maxFrameBytes = maxFrameBytes;
	}

	public Duration getIdleTimeout() {
		return this.idleTimeout;
	}

	public void setIdleTimeout(Duration idleTimeout) {
		this.idleTimeout = idleTimeout;
	}

	public int getMaxConnections() {
		return this.maxConnections;
	}

	public void setMaxConnections(int maxConnections) {
		this.maxConnections = maxConnections;
	}

	public String getBusyMessage() {
		return this.busyMessage;
	}

	public void setBusyMessage(String busyMessage) {
		this.busyMessage = busyMessage;
	}

	public int getMaxConnectionsPerClient() {
		return this.maxConnectionsPerClient;
	}

	public void setMaxConnectionsPerClient(int maxConnectionsPerClient) {
		this.maxConnectionsPerClient = maxConnectionsPerClient;
	}

	public int getClientMessageRate() {
		return this.clientMessageRate;
	}

	public void setClientMessageRate(int clientMessageRate) {
		this.clientMessageRate = clientMessageRate;
	}

	public Integer getClientMessageBurst() {
		return this.clientMessageBurst;
	}

	public void setClientMessageBurst(Integer clientMessageBurst) {
		this.clientMessageBurst = clientMessageBurst;
	}

	/** The bucket size: client-message-burst, or the rate when it is unset. */
	public int effectiveClientMessageBurst() {
		return (this.clientMessageBurst != null) ? this.clientMessageBurst : this.clientMessageRate;
	}

	public boolean isClientLimitsDryRun() {
		return this.clientLimitsDryRun;
	}

	public void setClientLimitsDryRun(boolean clientLimitsDryRun) {
		this.clientLimitsDryRun = clientLimitsDryRun;
	}

	/** Whether max-connections-per-client or client-message-rate is set. */
	public boolean hasClientLimits() {
		return this.maxConnectionsPerClient > 0 || this.clientMessageRate > 0;
	}

	public String getBanner() {
		return this.banner;
	}

	public void setBanner(String banner) {
		this.banner = banner;
	}

	public String getDrainMessage() {
		return this.drainMessage;
	}

	public void setDrainMessage(String drainMessage) {
		this.drainMessage = drainMessage;
	}

	public Duration getDrainWindow() {
		return this.drainWindow;
	}

	public void setDrainWindow(Duration drainWindow) {
		this.drainWindow = drainWindow;
	}

	public String getQuitCommand() {
		return this.quitCommand;
	}

	public void setQuitCommand(String quitCommand) {
		this.quitCommand = (quitCommand == null || quitCommand.isBlank()) ? null : quitCommand.strip();
	}

	public List<String> getAllowedCidrs() {
		return this.allowedCidrs;
	}

	public void setAllowedCidrs(List<String> allowedCidrs) {
		this.allowedCidrs = allowedCidrs;
	}

	public int getMaxDatagramBytes() {
		return this.maxDatagramBytes;
	}

	public void setMaxDatagramBytes(int maxDatagramBytes) {
		this.maxDatagramBytes = maxDatagramBytes;
	}

	public int getReceiveThreads() {
		return this.receiveThreads;
	}

	public void setReceiveThreads(int receiveThreads) {
		this.receiveThreads = receiveThreads;
	}

	/**
	 * The configured number of receive threads, or one per two CPU cores (at least one, at most
	 * {@value #MAX_RECEIVE_THREADS}) when unset, as TCP's event loops: a receive thread makes a system call per
	 * datagram and sleeps whenever its socket is empty, and on two cores two threads answered 0.68 of Netty's
	 * datagrams where one answered 0.92 (docs/performance.md, "UDP receive threads").
	 */
	public int effectiveReceiveThreads() {
		return (this.receiveThreads > 0) ? this.receiveThreads
				: Math.min(onePerTwoCores(Runtime.getRuntime().availableProcessors()), MAX_RECEIVE_THREADS);
	}

	public int getReceiveBufferBytes() {
		return this.receiveBufferBytes;
	}

	public void setReceiveBufferBytes(int receiveBufferBytes) {
		this.receiveBufferBytes = receiveBufferBytes;
	}

	public ListenerSslProperties getSsl() {
		return this.ssl;
	}

	public void setSsl(ListenerSslProperties ssl) {
		this.ssl = ssl;
	}

	public ProxyProtocol getProxyProtocol() {
		return this.proxyProtocol;
	}

	public void setProxyProtocol(ProxyProtocol proxyProtocol) {
		this.proxyProtocol = proxyProtocol;
	}

	public List<String> getProxyTrustedCidrs() {
		return this.proxyTrustedCidrs;
	}

	public void setProxyTrustedCidrs(List<String> proxyTrustedCidrs) {
		this.proxyTrustedCidrs = proxyTrustedCidrs;
	}

	public Duration getProxyHeaderTimeout() {
		return this.proxyHeaderTimeout;
	}

	public void setProxyHeaderTimeout(Duration proxyHeaderTimeout) {
		this.proxyHeaderTimeout = proxyHeaderTimeout;
	}

	public boolean isSessionLog() {
		return this.sessionLog;
	}

	public void setSessionLog(boolean sessionLog) {
		this.sessionLog = sessionLog;
	}

}
