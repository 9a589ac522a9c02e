package dev.socketgateway.tcp;

import java.util.Collection;
import java.util.Collections;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The open connections of one TCP listener, shared by its event loops: admission against
 * max-connections, connection ids, and the message totals of connections already closed, so that the
 * listener's totals survive its connections. Touched once per connection, never per message.
 */
final class ConnectionRegistry {

	private final int maxConnections;

	/** Open connections; bounded by max-connections, since only admitted connections are added. */
	private final Set<GatewayConnection> connections = ConcurrentHashMap.newKeySet();

	private final Collection<GatewayConnection> view = Collections.unmodifiableSet(this.connections);

	/** Connections admitted and not yet closed; exact across the listener's event loops. */
	private final AtomicInteger admitted = new AtomicInteger();

	private final AtomicLong ids = new AtomicLong();

	private final LongAdder closedMessagesReceived = new LongAdder();

	private final LongAdder closedMessagesSent = new LongAdder();

	ConnectionRegistry(int maxConnections) {
		this.maxConnections = maxConnections;
	}

	int maxConnections() {
		return this.maxConnections;
	}

	/**
	 * Takes a place for a new connection, to be given back by {@link #closed}.
	 * @return false, admitting nothing, when max-connections are already open
	 */
	boolean admit() {
		if (this.admitted.incrementAndGet() > this.maxConnections) {
			this.admitted.decrementAndGet();
			return false;
		}
		return true;
	}

	long nextId() {
		return this.ids.incrementAndGet();
	}

	/** An admitted connection opened. */
	void opened(GatewayConnection connection) {
		this.connections.add(connection);
	}

	/**
	 * A connection closed: if it was open here, its place is given back and its counts join the totals.
	 * @return true for the first call about an open connection; false for a refused one, or a second close
	 */
	boolean closed(GatewayConnection connection) {
		if (!this.connections.remove(connection)) {
			return false;
		}
		this.admitted.decrementAndGet();
		this.closedMessagesReceived.add(connection.stats().messagesReceived());
		this.closedMessagesSent.add(connection.stats().messagesSent());
		return true;
	}

	int size() {
		return this.connections.size();
	}

	/** The open connections, as they are while iterated. */
	Collection<GatewayConnection> open() {
		return this.view;
	}

	/** Messages received and replies sent since the listener started, open connections included. */
	long[] messageTotals() {
		long received = this.closedMessagesReceived.sum();
		long sent = this.closedMessagesSent.sum();
		for (GatewayConnection connection : this.connections) {
			received += connection.stats().messagesReceived();
			sent += connection.stats().messagesSent();
		}
		return new long[] { received, sent };
	}

}
