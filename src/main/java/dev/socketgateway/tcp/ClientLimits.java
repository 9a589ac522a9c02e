package dev.socketgateway.tcp;

import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;

import dev.socketgateway.config.Framing;
import dev.socketgateway.config.ListenerProperties;
import dev.socketgateway.listener.ListenerMetrics;
import dev.socketgateway.listener.ThrottledWarnings;
import dev.socketgateway.security.ClientKey;
import dev.socketgateway.security.ClientTable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.core.task.TaskRejectedException;
import org.springframework.scheduling.TaskScheduler;

/**
 * A TCP listener's per-client limits, made only when one is set, so that other listeners pay nothing for them:
 * max-connections-per-client, checked as a connection is admitted (once the PROXY header names the client, with
 * proxy-protocol on), and client-message-rate, which each connection's {@link ClientSlot} applies to its reads.
 * Under client-limits-dry-run both are counted and logged, and nothing is refused or paused.
 */
final class ClientLimits {

	private static final Logger logger = LoggerFactory.getLogger(ClientLimits.class);

	/** A paused connection waits for this share of a second's tokens, so a fast rate does not wake it per message. */
	private static final double RESUME_SECONDS = 0.01;

	private final String listener;

	private final int maxPerClient;

	private final int rate;

	private final boolean dryRun;

	/** Whether reads are sized to the tokens; a stream-framed read is one message, whatever its size. */
	private final boolean sizesReads;

	/** Tokens a paused connection waits for: one message, or 10 ms of the rate, within the bucket. */
	private final double resumeTokens;

	private final ClientTable clients;

	private final ListenerMetrics metrics;

	private final TaskScheduler scheduler;

	private final ThrottledWarnings connectionWarnings = new ThrottledWarnings(logger, Duration.ofSeconds(1));

	private final ThrottledWarnings rateWarnings = new ThrottledWarnings(logger, Duration.ofSeconds(1));

	/** Set when the listener stops: what clients sent is read and answered, whatever their rate. */
	private volatile boolean lifted;

	private ClientLimits(String listener, ListenerProperties settings, ListenerMetrics metrics,
			TaskScheduler scheduler) {
		this.listener = listener;
		this.maxPerClient = settings.getMaxConnectionsPerClient();
		this.rate = settings.getClientMessageRate();
		this.dryRun = settings.isClientLimitsDryRun();
		this.sizesReads = settings.getFraming() != Framing.STREAM;
		int burst = settings.effectiveClientMessageBurst();
		this.resumeTokens = Math.min(burst, Math.max(1, this.rate * RESUME_SECONDS));
		this.clients = new ClientTable(Math.max(ClientTable.MIN_CAPACITY, settings.getMaxConnections()), this.rate,
				burst);
		this.metrics = metrics;
		this.scheduler = scheduler;
	}

	/** @return the listener's limits, or null when it has none */
	static ClientLimits of(String listener, ListenerProperties settings, ListenerMetrics metrics,
			TaskScheduler scheduler) {
		return settings.hasClientLimits() ? new ClientLimits(listener, settings, metrics, scheduler) : null;
	}

	/** Whether connections pace their reads: client-message-rate is set (enforced or dry run). */
	boolean paced() {
		return this.rate > 0;
	}

	/**
	 * Counts a new connection against max-connections-per-client. Refusing it is counted as
	 * {@code rejected{reason=per-client-limit}} and logged here; under a dry run, so is the connection that would
	 * have been refused ({@code per-client-limit-dry-run}), which is admitted.
	 * @param peer the client's address and port, for the log line
	 * @return the connection's place, to be released when it closes; null if it is refused
	 */
	ClientSlot admit(InetAddress address, String peer) {
		long now = System.nanoTime();
		ClientKey key = ClientKey.of(address);
		ClientTable.Client client = this.clients.open(key, this.maxPerClient, now);
		if (client != null) {
			return new ClientSlot(this, client);
		}
		if (!this.dryRun) {
			this.metrics.rejected("per-client-limit");
			this.connectionWarnings.warn("Listener '{}' peer {}: client {} has max-connections-per-client ({}) open; "
					+ "connection refused", this.listener, peer, key, this.maxPerClient);
			return null;
		}
		this.metrics.rejected("per-client-limit-dry-run");
		this.connectionWarnings.warn("Listener '{}' peer {}: client {} has max-connections-per-client ({}) open; "
				+ "connection served (client-limits-dry-run)", this.listener, peer, key, this.maxPerClient);
		return new ClientSlot(this, this.clients.open(key, 0, now));
	}

	void release(ClientTable.Client client) {
		this.clients.close(client, System.nanoTime());
	}

	/** Drops the clients that hold nothing any more; the reaper calls it. */
	void sweep() {
		this.clients.sweep(System.nanoTime());
	}

	/** The listener is stopping: connections are read and answered whatever their clients' rate. */
	void lift() {
		this.lifted = true;
	}

	boolean lifted() {
		return this.lifted;
	}

	boolean dryRun() {
		return this.dryRun;
	}

	boolean sizesReads() {
		return this.sizesReads;
	}

	double resumeTokens() {
		return this.resumeTokens;
	}

	/** Messages that waited while their connection was paused. */
	void delayed(long messages) {
		this.metrics.rateLimited(messages, false);
	}

	void paused(String peer, ClientKey client) {
		this.rateWarnings.warn("Listener '{}' peer {}: client {} is over client-message-rate ({}/s); its connection "
				+ "is read again as tokens return", this.listener, peer, client, this.rate);
	}

	/** Under a dry run: messages read while the client's bucket was empty. */
	void overRate(String peer, ClientKey client, long messages) {
		this.metrics.rateLimited(messages, true);
		this.rateWarnings.warn("Listener '{}' peer {}: client {} is over client-message-rate ({}/s) by {} messages; "
				+ "served (client-limits-dry-run)", this.listener, peer, client, this.rate, messages);
	}

	/** @return false if the scheduler no longer takes tasks (the application is stopping) */
	boolean schedule(Runnable task, long delayNanos) {
		try {
			this.scheduler.schedule(task, Instant.now().plusNanos(delayNanos));
			return true;
		}
		catch (TaskRejectedException ex) {
			return false;
		}
	}

}
