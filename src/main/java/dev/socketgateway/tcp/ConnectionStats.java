package dev.socketgateway.tcp;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Instant;

import dev.socketgateway.listener.ConnectionInfo;

/**
 * Who one connection serves and what it has carried, as its log lines and the connections endpoint show
 * it: the client (the socket's peer, or the address a trusted PROXY header named), when the connection
 * opened and was last active, and its byte and message counts.
 *
 * <p>Each value has one writer at a time and is volatile so that the endpoint, on another thread, reads
 * current values. Counting is a field update on this per-connection object: nothing is locked, looked up
 * or allocated per message. The close reason and the close time are set once per connection, by whichever
 * thread gets there first.
 */
final class ConnectionStats {

	private static final VarHandle CLOSE_REASON;

	private static final VarHandle CLOSED_AT;

	static {
		try {
			MethodHandles.Lookup lookup = MethodHandles.lookup();
			CLOSE_REASON = lookup.findVarHandle(ConnectionStats.class, "closeReason", CloseReason.class);
			CLOSED_AT = lookup.findVarHandle(ConnectionStats.class, "closedAt", long.class);
		}
		catch (ReflectiveOperationException ex) {
			throw new ExceptionInInitializerError(ex);
		}
	}

	private final long id;

	private final long openedAt = System.currentTimeMillis();

	/**
	 * When bytes last arrived (or the connection opened). Every write answers a read or the accept and
	 * happens on its thread right after it, so this also covers the replies without a second clock read
	 * per message.
	 */
	private volatile long lastActivity = this.openedAt;

	/** Written by the connection's one reader at a time. */
	private volatile long bytesReceived;

	private volatile long messagesReceived;

	/** Written under the connection's write lock. */
	private volatile long bytesSent;

	/** Written by the thread answering the connection's current read. */
	private volatile long messagesSent;

	/** The client: the socket's peer, or the address a trusted PROXY header gave. */
	private volatile InetAddress clientAddress;

	private volatile int clientPort;

	/** The balancer's address and port when a PROXY header named the client; null otherwise. */
	private volatile String proxiedBy;

	/** Why the connection is closing; null while it is not. */
	private volatile CloseReason closeReason;

	/** When the connection closed, for its session line; 0 while it is open. */
	private volatile long closedAt;

	ConnectionStats(long id, InetAddress peerAddress, int peerPort) {
		this.id = id;
		this.clientAddress = peerAddress;
		this.clientPort = peerPort;
	}

	/** @param bytes what one read returned: a count, or negative at the end of input (which is activity too) */
	void read(int bytes) {
		this.lastActivity = System.currentTimeMillis();
		if (bytes > 0) {
			this.bytesReceived += bytes;
		}
	}

	void messageReceived() {
		this.messagesReceived++;
	}

	void replied() {
		this.messagesSent++;
	}

	/** Bytes written or queued; the caller holds the connection's write lock. */
	void sent(int bytes) {
		this.bytesSent += bytes;
	}

	/** A trusted PROXY header named the client; the socket's peer is the balancer that sent it. */
	void proxied(InetSocketAddress client) {
		this.proxiedBy = peer();
		this.clientAddress = client.getAddress();
		this.clientPort = client.getPort();
	}

	/** Records why the connection is closing; a reason recorded earlier wins. */
	void closing(CloseReason reason) {
		CLOSE_REASON.compareAndSet(this, null, reason);
	}

	/**
	 * A reply could not be written, or was not read in time: write-failed, unless a fault was recorded first
	 * (a clean close that loses its last replies is write-failed).
	 */
	void writeFailed() {
		CloseReason current;
		do {
			current = this.closeReason;
			if (current != null && !current.isOrderly()) {
				return;
			}
		}
		while (!CLOSE_REASON.compareAndSet(this, current, CloseReason.WRITE_FAILED));
	}

	/**
	 * Why the connection closed. Only Spring Integration's own factory closes without a reason, when the listener
	 * stops.
	 */
	CloseReason closeReason() {
		CloseReason reason = this.closeReason;
		return (reason != null) ? reason : CloseReason.SHUTDOWN;
	}

	/**
	 * Notes the close time.
	 * @return true for the first call only, so that a connection closed twice ends once
	 */
	boolean end() {
		return CLOSED_AT.compareAndSet(this, 0L, System.currentTimeMillis());
	}

	/** Milliseconds from open to close, once {@link #end()} was called. */
	long durationMillis() {
		return this.closedAt - this.openedAt;
	}

	/** The client as logs show it: the PROXY header's address once one was read. */
	String peer() {
		return this.clientAddress.getHostAddress() + ":" + this.clientPort;
	}

	InetAddress clientAddress() {
		return this.clientAddress;
	}

	int clientPort() {
		return this.clientPort;
	}

	String proxiedBy() {
		return this.proxiedBy;
	}

	long id() {
		return this.id;
	}

	long openedAt() {
		return this.openedAt;
	}

	long lastActivity() {
		return this.lastActivity;
	}

	long bytesReceived() {
		return this.bytesReceived;
	}

	long bytesSent() {
		return this.bytesSent;
	}

	long messagesReceived() {
		return this.messagesReceived;
	}

	long messagesSent() {
		return this.messagesSent;
	}

	ConnectionInfo info() {
		return new ConnectionInfo(this.id, this.clientAddress.getHostAddress(), this.clientPort, this.proxiedBy,
				Instant.ofEpochMilli(this.openedAt), Instant.ofEpochMilli(this.lastActivity), this.bytesReceived,
				this.bytesSent, this.messagesReceived, this.messagesSent);
	}

}
