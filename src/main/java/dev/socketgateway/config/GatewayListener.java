package dev.socketgateway.config;

import java.time.Duration;

import dev.socketgateway.config.GatewayProperties.Protocol;

/**
 * One running listener, whatever its transport: what startup waits on, what shutdown drains and what
 * operators are shown.
 */
public interface GatewayListener {

	String name();

	Protocol protocol();

	GatewayProperties.Listener settings();

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

	/** Stops accepting, answers what was already received (bounded by the timeout), then closes. */
	void stop(Duration timeout);

}
