package dev.socketgateway.udp;

import java.time.Duration;
import java.util.List;

import dev.socketgateway.config.ListenerProperties;
import dev.socketgateway.config.Protocol;
import dev.socketgateway.listener.GatewayListener;
import dev.socketgateway.listener.ListenerMetrics;
import dev.socketgateway.listener.ListenerState;
import dev.socketgateway.listener.ListenerStateMachine;
import dev.socketgateway.listener.PeerInfo;

/**
 * A running UDP listener: its bound sockets, one receive thread and flow each, all on one port. Paused or draining,
 * it keeps its sockets and drops what arrives; with no connections, draining is pausing.
 */
final class UdpGatewayListener implements GatewayListener {

	private final String name;

	private final ListenerProperties settings;

	private final List<ReceiveThread> threads;

	private final RecentPeers peers;

	private final ListenerMetrics metrics;

	private final KernelDrops drops;

	private final ListenerStateMachine state;

	private volatile boolean stopped;

	UdpGatewayListener(String name, ListenerProperties settings, List<ReceiveThread> threads, RecentPeers peers,
			ListenerMetrics metrics, KernelDrops drops) {
		this.name = name;
		this.settings = settings;
		this.threads = List.copyOf(threads);
		this.peers = peers;
		this.metrics = metrics;
		this.drops = drops;
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

	/** The sockets were bound before the flows started, so this only reports the port. */
	@Override
	public int awaitBound(Duration timeout) {
		return port();
	}

	@Override
	public int port() {
		return this.threads.get(0).receiver().getPort();
	}

	@Override
	public boolean isListening() {
		return this.threads.stream().allMatch((thread) -> thread.receiver().isListening());
	}

	@Override
	public String downReason() {
		long down = this.threads.stream().filter((thread) -> !thread.receiver().isListening()).count();
		if (down == 0) {
			return null;
		}
		if (this.stopped) {
			return "stopped";
		}
		return (this.threads.size() == 1) ? "not receiving"
				: "not receiving on " + down + " of its " + this.threads.size() + " sockets";
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
		this.state.change(ListenerState.PAUSED, () -> paused(true));
	}

	@Override
	public void drain() {
		this.state.change(ListenerState.DRAINING, () -> paused(true));
	}

	@Override
	public void resume() {
		this.state.change(ListenerState.RUNNING, () -> paused(false));
	}

	private void paused(boolean paused) {
		this.threads.forEach((thread) -> thread.receiver().paused(paused));
	}

	@Override
	public void stop(Duration timeout) {
		this.state.stop();
		this.stopped = true;
		// Read while the sockets are open: a closed socket leaves the kernel's table with its count.
		this.drops.retire();
		this.threads.forEach((thread) -> thread.receiver().stopTimeout(timeout));
		this.threads.forEach(ReceiveThread::stop);
		this.metrics.close();
	}

}
