package dev.socketgateway.udp;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;

import dev.socketgateway.config.ListenerProperties;
import dev.socketgateway.config.Protocol;
import dev.socketgateway.listener.GatewayListener;
import dev.socketgateway.listener.ListenerMetrics;
import dev.socketgateway.listener.ListenerState;
import dev.socketgateway.listener.ListenerStateMachine;
import dev.socketgateway.listener.PeerInfo;

import org.springframework.integration.dsl.context.IntegrationFlowContext.IntegrationFlowRegistration;

/**
 * A running UDP listener: its bound socket, its one receive thread and its flow. Paused or draining, it keeps its
 * socket and drops what arrives; with no connections, draining is pausing.
 */
final class UdpGatewayListener implements GatewayListener {

	private final String name;

	private final ListenerProperties settings;

	private final DatagramReceiver receiver;

	private final ExecutorService receiveThread;

	private final IntegrationFlowRegistration registration;

	private final RecentPeers peers;

	private final ListenerMetrics metrics;

	private final ListenerStateMachine state;

	private volatile boolean stopped;

	UdpGatewayListener(String name, ListenerProperties settings, DatagramReceiver receiver,
			ExecutorService receiveThread, IntegrationFlowRegistration registration, RecentPeers peers,
			ListenerMetrics metrics) {
		this.name = name;
		this.settings = settings;
		this.receiver = receiver;
		this.receiveThread = receiveThread;
		this.registration = registration;
		this.peers = peers;
		this.metrics = metrics;
		this.state = new ListenerStateMachine(name, "udp", peers::active);
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
	public ListenerProperties settings() {
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
	public String downReason() {
		if (this.receiver.isListening()) {
			return null;
		}
		return this.stopped ? "stopped" : "not receiving";
	}

	@Override
	public int activeConnections() {
		return this.peers.active();
	}

	@Override
	public List<PeerInfo> peers() {
		return this.peers.newestFirst();
	}

	@Override
	public ListenerState state() {
		return this.state.state();
	}

	@Override
	public void pause() {
		this.state.change(ListenerState.PAUSED, () -> this.receiver.paused(true));
	}

	@Override
	public void drain() {
		this.state.change(ListenerState.DRAINING, () -> this.receiver.paused(true));
	}

	@Override
	public void resume() {
		this.state.change(ListenerState.RUNNING, () -> this.receiver.paused(false));
	}

	@Override
	public void stop(Duration timeout) {
		this.state.stop();
		this.stopped = true;
		this.receiver.stopTimeout(timeout);
		// Destroyed, not just stopped, so that a restarted context registers a fresh flow under the same id.
		this.registration.destroy();
		this.receiveThread.shutdown();
		this.metrics.close();
	}

}
