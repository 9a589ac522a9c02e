package dev.socketgateway.udp;

import java.net.DatagramPacket;
import java.time.Duration;

import dev.socketgateway.config.ListenerProperties;
import dev.socketgateway.listener.ListenerMetrics;
import dev.socketgateway.listener.ThrottledWarnings;
import dev.socketgateway.security.ClientKey;
import dev.socketgateway.security.ClientTable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * client-message-rate on a UDP listener, made only when it is set: each datagram takes a token from its client's
 * bucket, and one that finds none is dropped, unanswered, and counted as {@code gateway.rate-limited} (under
 * client-limits-dry-run it is counted and answered). One per listener, shared by its receive threads: a client's
 * datagrams may reach several of them (one per source port), and its bucket is one.
 */
final class DatagramRate {

	private static final Logger logger = LoggerFactory.getLogger(DatagramRate.class);

	private final String listener;

	private final int rate;

	private final boolean dryRun;

	private final ClientTable clients;

	private final ListenerMetrics metrics;

	private final ThrottledWarnings warnings = new ThrottledWarnings(logger, Duration.ofSeconds(1));

	private DatagramRate(String listener, ListenerProperties settings, ListenerMetrics metrics) {
		this.listener = listener;
		this.rate = settings.getClientMessageRate();
		this.dryRun = settings.isClientLimitsDryRun();
		this.clients = new ClientTable(ClientTable.MIN_CAPACITY, this.rate, settings.effectiveClientMessageBurst());
		this.metrics = metrics;
	}

	/** @return the listener's rate, or null when it has none */
	static DatagramRate of(String listener, ListenerProperties settings, ListenerMetrics metrics) {
		return (settings.getClientMessageRate() > 0) ? new DatagramRate(listener, settings, metrics) : null;
	}

	/** @return whether the datagram is to be answered */
	boolean admits(DatagramPacket datagram) {
		long now = System.nanoTime();
		ClientKey key = ClientKey.of(datagram.getAddress());
		if (this.clients.touch(key, now).tryTake(now)) {
			return true;
		}
		this.metrics.rateLimited(1, this.dryRun);
		this.warnings.warn("Listener '{}' peer {}: client {} is over client-message-rate ({}/s); datagram {}",
				this.listener, datagram.getAddress().getHostAddress() + ":" + datagram.getPort(), key, this.rate,
				this.dryRun ? "answered (client-limits-dry-run)" : "dropped");
		return this.dryRun;
	}

}
