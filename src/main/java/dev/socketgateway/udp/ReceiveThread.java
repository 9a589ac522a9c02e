package dev.socketgateway.udp;

import java.util.concurrent.ExecutorService;

import org.springframework.integration.dsl.context.IntegrationFlowContext.IntegrationFlowRegistration;

/**
 * One of a UDP listener's receive threads: its socket's adapter, the thread, and the flow that answers on it.
 * @param receiver the inbound adapter, holding the socket
 * @param thread the one thread the adapter receives and answers on
 * @param flow the registration of the thread's flow
 */
record ReceiveThread(DatagramReceiver receiver, ExecutorService thread, IntegrationFlowRegistration flow) {

	/** Stops receiving, closes the socket and ends the thread. */
	void stop() {
		// Destroyed, not just stopped, so that a restarted context registers a fresh flow under the same id.
		this.flow.destroy();
		this.thread.shutdown();
	}

}
