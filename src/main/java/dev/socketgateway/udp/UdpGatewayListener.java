package dev.socketgateway.udp;

import java.time.Duration;
import java.util.concurrent.ExecutorService;

import dev.socketgateway.config.GatewayListener;
import dev.socketgateway.config.GatewayProperties;
import dev.socketgateway.config.GatewayProperties.Protocol;

import org.springframework.integration.dsl.context.IntegrationFlowContext.IntegrationFlowRegistration;

/** A running UDP listener: its bound socket, its one receive thread and its flow. */
final class UdpGatewayListener implements GatewayListener {

	private final String name;

	private final GatewayProperties.Listener settings;

	private final DatagramReceiver receiver;

	private final ExecutorService receiveThread;

	private final IntegrationFlowRegistration registration;

	UdpGatewayListener(String name, GatewayProperties.Listener settings, DatagramReceiver receiver,
			ExecutorService receiveThread, IntegrationFlowRegistration registration) {
		this.name = name;
		this.settings = settings;
		this.receiver = receiver;
		this.receiveThread = receiveThread;
		this.registration = registration;
	}

	@Override
	public String name() {
		return this.name;
	}

	@Override
	public Protocol protocol() {
		return Protocol.UDP;
	}

	@Override
	public GatewayProperties.Listener settings() {
		return this.settings;
	}

	/** The socket was bound before the flow started, so this only reports the port. */
	@Override
	public int awaitBound(Duration timeout) {
		return this.receiver.getPort();
	}

	@Override
	public int port() {
		return this.receiver.getPort();
	}

	@Override
	public boolean isListening() {
		return this.receiver.isListening();
	}

	@Override
	public void stop(Duration timeout) {
		this.registration.stop();
		this.receiveThread.shutdown();
	}

}
