package dev.socketgateway.config;

/** Starts listeners of one protocol from their configuration. */
public interface ListenerRegistrar {

	GatewayProperties.Protocol protocol();

	/** Registers and starts the listener's flow; binding may finish later, see {@link GatewayListener#awaitBound}. */
	GatewayListener start(String name, GatewayProperties.Listener settings);

}
