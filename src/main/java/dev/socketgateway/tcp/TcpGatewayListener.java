package dev.socketgateway.tcp;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

import dev.socketgateway.config.ListenerProperties;
import dev.socketgateway.config.Protocol;
import dev.socketgateway.listener.ConnectionInfo;
import dev.socketgateway.listener.GatewayListener;
import dev.socketgateway.listener.ListenerState;
import dev.socketgateway.listener.ListenerStateMachine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.scheduling.TaskScheduler;

/**
 * A running TCP listener: its event loops, each a connection factory and flow, and their connections. Paused, its
 * loops close their listening sockets and serve the open connections; draining, a {@link ConnectionDrainer} also
 * closes those, one after another.
 */
final class TcpGatewayListener implements GatewayListener {

	private static final Logger logger = LoggerFactory.getLogger(TcpGatewayListener.class);

	/** How long a change of state waits for the event loops to close or open their listening sockets. */
	private static final Duration LOOP_TIMEOUT = Duration.ofSeconds(5);

	private final String name;

	private final ListenerProperties settings;

	private final String describe;

	private final List<LoopServer> loops;

	private final TcpListenerContext context;

	private final TaskScheduler scheduler;

	private final Runnable onStop;

	private final ListenerStateMachine state;

	/** While draining; changed only with the state machine's lock held. */
	private volatile ConnectionDrainer drainer;

	TcpGatewayListener(String name, ListenerProperties settings, String describe, List<LoopServer> loops,
			TcpListenerContext context, TaskScheduler scheduler, Runnable onStop) {
		this.name = name;
		this.settings = settings;
		this.describe = describe;
		this.loops = List.copyOf(loops);
		this.context = context;
		this.scheduler = scheduler;
		this.onStop = onStop;
		this.state = new ListenerStateMachine(name, "tcp", context.connections()::size);
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
				connection.close(CloseReason.CLOSED_BY_OPERATOR);
				return true;
			}
		}
		return false;
	}

	@Override
	public ListenerState state() {
		return this.state.state();
	}

	@Override
	public void pause() {
		this.state.change(ListenerState.PAUSED, () -> {
			stopAccepting();
			stopDraining();
		});
	}

	@Override
	public void drain() {
		this.state.change(ListenerState.DRAINING, () -> {
			stopAccepting();
			this.drainer = ConnectionDrainer.start(this.scheduler, this.context);
		});
	}

	@Override
	public void resume() {
		this.state.change(ListenerState.RUNNING, () -> {
			startAccepting();
			stopDraining();
		});
	}

	private void stopDraining() {
		ConnectionDrainer current = this.drainer;
		if (current != null) {
			current.cancel();
			this.drainer = null;
		}
	}

	private void stopAccepting() {
		List<CompletableFuture<Void>> closed = new ArrayList<>(this.loops.size());
		this.loops.forEach((loop) -> closed.add(loop.factory().stopAccepting()));
		List<String> failures = await(closed);
		if (!failures.isEmpty()) {
			throw new IllegalStateException(this.describe + " could not stop listening: " + failures.get(0));
		}
	}

	/**
	 * Every loop listens again on the port bound at startup. If one cannot, the others stop again, so that the
	 * listener stays paused rather than listen on some of its loops.
	 */
	private void startAccepting() {
		int port = port();
		if (this.loops.size() > 1) {
			// With SO_REUSEPORT the loops would share the port with another such socket that took it meanwhile.
			try {
				ReusePortSocketSupport.probe(this.settings.getBindAddress(), port, this.describe);
			}
			catch (IllegalStateException ex) {
				throw cannotListen(port, ex.getCause().toString());
			}
		}
		List<CompletableFuture<Void>> opened = new ArrayList<>(this.loops.size());
		this.loops.forEach((loop) -> opened.add(loop.factory().startAccepting(port)));
		List<String> failures = await(opened);
		if (!failures.isEmpty()) {
			stopAccepting();
			throw cannotListen(port, failures.get(0));
		}
	}

	private IllegalStateException cannotListen(int port, String why) {
		return new IllegalStateException("Listener '" + this.name + "' (tcp) cannot listen on port " + port
				+ " again: " + why);
	}

	/** @return why each that failed did so; empty when all completed in time */
	private static List<String> await(List<CompletableFuture<Void>> tasks) {
		long deadline = System.nanoTime() + LOOP_TIMEOUT.toNanos();
		List<String> failures = new ArrayList<>();
		for (CompletableFuture<Void> task : tasks) {
			try {
				task.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
			}
			catch (ExecutionException ex) {
				failures.add(ex.getCause().toString());
			}
			catch (TimeoutException ex) {
				failures.add("its event loop did not answer within " + LOOP_TIMEOUT);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				failures.add("interrupted");
			}
		}
		return failures;
	}

	@Override
	public void stop(Duration timeout) {
		long deadline = System.nanoTime() + timeout.toNanos();
		this.state.stop();
		stopDraining();
		// New clients are refused; open connections are still read and answered until the drain ends.
		this.loops.forEach((loop) -> loop.factory().beforeShutdown());
		await(this.loops.stream().map((loop) -> loop.factory().stopAccepting()).toList());
		if (this.context.clientLimits() != null) {
			this.context.clientLimits().lift(); // what a throttled client sent is answered too
		}
		while (!drained() && System.nanoTime() < deadline) {
			LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
		}
		if (!drained()) {
			logger.warn("Listener '{}' (tcp): closing with replies still queued after {}", this.name, timeout);
		}
		// The loops' factories close whatever is still open; a connection already closing keeps its reason.
		this.context.connections().open().forEach((connection) -> connection.closing(CloseReason.SHUTDOWN));
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
