package dev.socketgateway.security;

import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The clients of one listener that its per-client limits keep track of: per {@link ClientKey}, its open TCP
 * connections and its token bucket for client-message-rate. A client with no open connection and a full bucket
 * holds nothing: it leaves the table when its last connection closes, or at the next sweep once its bucket has
 * refilled.
 *
 * <p>Bounded by a capacity. When the table is full, a new client takes the place of the client idle (no open
 * connection) the longest. If every client in it has an open connection, the new client gets an entry of its own
 * outside the table: its connections are still limited per connection, but not counted together. A TCP listener's
 * capacity is at least its max-connections, so that this cannot happen there.
 *
 * <p>Threads: the table is touched under its lock once per connection (TCP) or datagram (UDP, one thread); a
 * client's bucket under the client's own lock, once per read. Neither lock is held while taking the other.
 */
public final class ClientTable {

	/** Clients a listener keeps track of at least; a TCP listener tracks up to max-connections if that is more. */
	public static final int MIN_CAPACITY = 10_000;

	/** How often, at most, idle clients whose bucket has refilled are dropped. */
	private static final long SWEEP_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);

	private final int capacity;

	/** Zero without a rate: the bucket is then always full. */
	private final double tokensPerNano;

	private final double burst;

	private final Map<ClientKey, Client> clients = new HashMap<>();

	/** Clients with no open connection, the one idle longest (UDP: heard from least recently) first. */
	private final LinkedHashMap<ClientKey, Client> idle = new LinkedHashMap<>(16, 0.75f, true);

	private long lastSweep;

	/**
	 * @param ratePerSecond tokens (messages) a bucket gains per second; 0 for no rate
	 * @param burst the bucket's size, which a new client starts with
	 */
	public ClientTable(int capacity, int ratePerSecond, int burst) {
		this.capacity = capacity;
		this.tokensPerNano = ratePerSecond / 1e9;
		this.burst = burst;
	}

	/**
	 * A TCP connection from this client opens.
	 * @param limit the client's open connections at most, or 0 for no limit
	 * @param now {@link System#nanoTime()}
	 * @return the client, with the connection counted until {@link #close}; null, counting nothing, if it already
	 * has {@code limit} open connections
	 */
	public synchronized Client open(ClientKey key, int limit, long now) {
		sweep(now);
		Client client = entry(key, now);
		if (limit > 0 && client.connections >= limit) {
			return null;
		}
		if (client.connections++ == 0) {
			this.idle.remove(key);
		}
		return client;
	}

	/** A connection counted by {@link #open} closed. */
	public synchronized void close(Client client, long now) {
		if (this.clients.get(client.key) != client || --client.connections > 0) {
			return; // an entry of its own, outside the full table; or the client still has connections
		}
		if (client.full(now)) {
			this.clients.remove(client.key);
		}
		else {
			this.idle.put(client.key, client);
		}
	}

	/**
	 * A datagram from this client (UDP).
	 * @return the client, now the one heard from most recently
	 */
	public synchronized Client touch(ClientKey key, long now) {
		sweep(now);
		Client client = entry(key, now);
		if (this.idle.get(key) == null && this.clients.get(key) == client) {
			this.idle.put(key, client);
		}
		return client;
	}

	/** Drops idle clients whose bucket has refilled, the longest idle first; at most once a second. */
	public synchronized void sweep(long now) {
		if (now - this.lastSweep < SWEEP_INTERVAL_NANOS) {
			return;
		}
		this.lastSweep = now;
		Iterator<Client> eldest = this.idle.values().iterator();
		while (eldest.hasNext()) {
			Client client = eldest.next();
			if (!client.full(now)) {
				return; // the ones idle for a shorter time are not likely to be full either
			}
			eldest.remove();
			this.clients.remove(client.key);
		}
	}

	public synchronized int size() {
		return this.clients.size();
	}

	private Client entry(ClientKey key, long now) {
		Client client = this.clients.get(key);
		if (client != null) {
			return client;
		}
		client = new Client(this, key, now);
		if (this.clients.size() >= this.capacity) {
			Iterator<Client> eldest = this.idle.values().iterator();
			if (!eldest.hasNext()) {
				return client; // every client has an open connection: this one is limited on its own
			}
			this.clients.remove(eldest.next().key);
			eldest.remove();
		}
		this.clients.put(key, client);
		return client;
	}

	/**
	 * One client: its open connections (guarded by the table's lock) and its token bucket (guarded by its own). The
	 * bucket refills lazily, from the clock reading its caller passes in.
	 */
	public static final class Client {

		private final ClientTable table;

		private final ClientKey key;

		private int connections;

		private double tokens;

		private long refilledAt;

		private Client(ClientTable table, ClientKey key, long now) {
			this.table = table;
			this.key = key;
			this.tokens = table.burst;
			this.refilledAt = now;
		}

		public ClientKey key() {
			return this.key;
		}

		/** @return the tokens in the bucket now; below zero while in debt */
		public synchronized double refill(long now) {
			this.tokens = Math.min(this.table.burst, this.tokens + (now - this.refilledAt) * this.table.tokensPerNano);
			this.refilledAt = now;
			return this.tokens;
		}

		/** Takes a token for one datagram if there is a whole one; a datagram refused takes nothing. */
		public synchronized boolean tryTake(long now) {
			if (refill(now) < 1) {
				return false;
			}
			this.tokens--;
			return true;
		}

		/**
		 * Takes the tokens of messages already read, which are answered whatever the bucket holds: it goes into debt,
		 * to be paid back before the connection is read again.
		 * @return the tokens left, below zero when in debt
		 */
		public synchronized double take(long messages) {
			this.tokens -= messages;
			return this.tokens;
		}

		/**
		 * Takes the tokens of messages read, for a dry run: the bucket does not go below zero.
		 * @return how many of the messages were over the rate
		 */
		public synchronized long takeCountingOver(long messages, long now) {
			long within = (long) Math.max(0, Math.floor(refill(now)));
			this.tokens = Math.max(0, this.tokens - messages);
			return Math.max(0, messages - within);
		}

		/** @return nanoseconds until the bucket holds {@code wanted} tokens, 0 if it already does */
		public synchronized long nanosUntil(double wanted, long now) {
			double missing = wanted - refill(now);
			return (missing <= 0) ? 0 : (long) Math.ceil(missing / this.table.tokensPerNano);
		}

		synchronized boolean full(long now) {
			return this.table.tokensPerNano == 0 || refill(now) >= this.table.burst;
		}

	}

}
