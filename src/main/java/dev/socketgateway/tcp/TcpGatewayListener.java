package dev.socketgateway.tcp;

import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import dev.socketgateway.config.ListenerProperties;
import dev.socketgateway.config.Protocol;
import dev.socketgateway.listener.ConnectionInfo;
import dev.socketgateway.listener.GatewayListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A running TCP listener: its event loops, each a connection factory and flow, and their connections. */
final class TcpGatewayListener implements GatewayListener {

	private static final Logger logger = LoggerFactory.getLogger(TcpGatewayListener.class);

	private final String name;

	private final ListenerProperties settings;

	private final String describe;

	private final List<LoopServer> loops;

	private final TcpListenerContext context;

	private final Runnable onStop;

	TcpGatewayListener(String name, ListenerProperties settings, String describe, List<LoopServer> loops,
			TcpListenerContext context, Runnable onStop) {
		this.name = name;
		this.settings = settings;
		this.describe = describe;
		this.loops = List.copyOf(loops);
		this.context = context;
		this.onStop = onStop;
	}

	@Override
	public String name() {
		return this.name;
	}

	@Override
	public Protocol protocol() {
		return Protocol.TCP;
	}

	@Override
	public ListenerProperties settings() {
		return this.settings;
	}

	@Override
	public int awaitBound(Duration timeout) {
		int port = -1;
		for (LoopServer loop : this.loops) {
			port = loop.awaitBound(timeout, this.describe);
		}
		return port;
	}

	@Override
	public boolean isListening() {
		return this.loops.stream().allMatch((loop) -> loop.factory().isListening());
	}

	@Override
	public int port() {
		return isListening() ? this.loops.get(0).factory().getPort() : -1;
	}

	@Override
	public String downReason() {
		return this.loops.stream().map(LoopServer::downReason).filter(Objects::nonNull).findFirst().orElse(null);
	}

	@Override
	public int activeConnections() {
		return this.context.connections().size();
	}

	@Override
	public List<ConnectionInfo> connections() {
		return this.context.connections().open().stream()
			.map((connection) -> connection.stats().info())
			.sorted(Comparator.comparingLong(ConnectionInfo::id))
			.toList();
	}

	@Override
	public boolean closeConnection(long id) {
		for (GatewayConnection connection : this.context.connections().open()) {
			if (connection.stats().id() == id) {
				logger.info("Listener '{}' peer {}: connection {} closed by an operator", this.name, connection.peer(), id);
				connection.close();
				return true;
			}
		}
		return false;
	}

	@Override
	public void stop(Duration timeout) {
		// New clients are refused; open connections are still read and answered until the drain ends.
		this.loops.forEach((loop) -> loop.factory().stopAccepting());
		if (this.context.clientLimits() != null) {
			this.context.clientLimits().lift(); // what a throttled client sent is answered too
		}
		long deadline = System.nanoTime() + timeout.toNanos();
		while (!drained() && System.nanoTime() < deadline) {
			LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
		}
		if (!drained()) {
			logger.warn("Listener '{}' (tcp): closing with replies still queued after {}", this.name, timeout);
		}
		this.loops.forEach(LoopServer::stop);
		this.context.flusher().stop();
		// Counted per connection, so an operator (and the HAProxy test) can check every request was answered.
		long[] totals = this.context.connections().messageTotals();
		logger.info("Listener '{}' drained: {} messages received, {} replies sent", this.name, totals[0], totals[1]);
		this.context.metrics().close();
		this.onStop.run();
	}

	/**
	 * Answers what has reached the sockets but was not selected yet (those requests were received too),
	 * then reports whether every reply is on the wire.
	 */
	private boolean drained() {
		boolean quiet = true;
		for (GatewayConnection connection : this.context.connections().open()) {
			if (connection.readAvailable() || connection.outbound().hasPending()) {
				quiet = false;
			}
		}
		return quiet;
	}

}
