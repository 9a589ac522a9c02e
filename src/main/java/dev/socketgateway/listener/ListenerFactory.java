package dev.socketgateway.listener;

import dev.socketgateway.config.ListenerProperties;
import dev.socketgateway.config.Protocol;

/** Starts listeners of one protocol from their configuration. */
public interface ListenerFactory {

	Protocol protocol();

	/** Registers and starts the listener's flow; binding may finish later, see {@link GatewayListener#awaitBound}. */
	GatewayListener start(String name, ListenerProperties settings);

}
