package dev.socketgateway.listener;

import java.time.Duration;
import java.util.List;

import dev.socketgateway.config.ListenerProperties;
import dev.socketgateway.config.Protocol;

/**
 * One running listener, whatever its transport: what startup waits on, what shutdown drains and what
 * operators are shown.
 */
public interface GatewayListener {

	String name();

	Protocol protocol();

	ListenerProperties settings();

	/**
	 * Blocks until the socket is bound.
	 * @param timeout how long to wait
	 * @return the port actually bound
	 * @throws IllegalStateException naming the listener, protocol and port when it cannot bind
	 */
	int awaitBound(Duration timeout);

	boolean isListening();

	/** The port actually bound, which differs from the configured one when that is 0; -1 before binding. */
	int port();

	/** Why the listener is not listening (stopped, or the failure that stopped it); null while it listens. */
	String downReason();

	/** Open connections (TCP) or recently seen peers (UDP). */
	int activeConnections();

	/** The open TCP connections; empty for UDP. */
	default List<ConnectionInfo> connections() {
		return List.of();
	}

	/**
	 * Closes one TCP connection.
	 * @param id the connection's number, from {@link #connections()}
	 * @return false if no open connection has that number
	 */
	default boolean closeConnection(long id) {
		return false;
	}

	/** The UDP peers seen recently, newest first; empty for TCP. */
	default List<PeerInfo> peers() {
		return List.of();
	}

	/** Running, paused or draining as an operator left it; stopped once shut down. */
	ListenerState state();

	/**
	 * Stops taking new clients, as {@link ListenerState#PAUSED}: a TCP listener closes its listening sockets, so
	 * new clients are refused while its open connections are served as before; a UDP listener drops datagrams,
	 * counting them. A draining listener stops closing its connections.
	 * @throws IllegalStateException if the listener has stopped
	 */
	void pause();

	/**
	 * Pauses, and closes every open TCP connection once the replies to what it has sent are written, after the
	 * {@code drain-message} if one is set, spreading the closes over {@code drain-window}. A UDP listener drains
	 * as it pauses.
	 * @throws IllegalStateException if the listener has stopped
	 */
	void drain();

	/**
	 * Takes new clients again, on the same port.
	 * @throws IllegalStateException if the port cannot be bound again (the listener then stays as it was), or
	 * the listener has stopped
	 */
	void resume();

	/**
	 * Moves the listener to the state an operator asked for: {@link #resume()}, {@link #pause()} or
	 * {@link #drain()}.
	 * @throws IllegalStateException as those do
	 */
	default void changeState(ListenerState target) {
		switch (target) {
			case RUNNING -> resume();
			case PAUSED -> pause();
			case DRAINING -> drain();
			case STOPPED -> throw new IllegalArgumentException("A listener is stopped by shutting down");
		}
	}

	/** Stops accepting, answers what was already received (bounded by the timeout), then closes. */
	void stop(Duration timeout);

}
