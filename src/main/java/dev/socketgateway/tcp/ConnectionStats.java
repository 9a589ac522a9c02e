package dev.socketgateway.tcp;

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
 * or allocated per message.
 */
final class ConnectionStats {

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

	/** The client as logs show it: the PROXY header's address once one was read. */
	String peer() {
		return this.clientAddress.getHostAddress() + ":" + this.clientPort;
	}

	InetAddress clientAddress() {
		return this.clientAddress;
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
