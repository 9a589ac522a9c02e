package dev.socketgateway.tcp;

import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

import dev.socketgateway.config.ConnectionInfo;
import dev.socketgateway.config.GatewayListener;
import dev.socketgateway.config.GatewayProperties;
import dev.socketgateway.config.GatewayProperties.Protocol;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.integration.dsl.context.IntegrationFlowContext.IntegrationFlowRegistration;

/** A running TCP listener: its connection factory, its bounded threads and its flow. */
final class TcpGatewayListener implements GatewayListener {

	private static final Logger logger = LoggerFactory.getLogger(TcpGatewayListener.class);

	private final String name;

	private final GatewayProperties.Listener settings;

	private final GatewayServerConnectionFactory factory;

	private final TcpListenerContext context;

	private final CompletableFuture<Integer> bound;

	private final IntegrationFlowRegistration registration;

	private final Runnable onStop;

	TcpGatewayListener(String name, GatewayProperties.Listener settings, GatewayServerConnectionFactory factory,
			TcpListenerContext context, CompletableFuture<Integer> bound,
			IntegrationFlowRegistration registration, Runnable onStop) {
		this.name = name;
		this.settings = settings;
		this.factory = factory;
		this.context = context;
		this.bound = bound;
		this.registration = registration;
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
	public GatewayProperties.Listener settings() {
		return this.settings;
	}

	@Override
	public int awaitBound(Duration timeout) {
		try {
			return this.bound.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (ExecutionException ex) {
			throw new IllegalStateException(describe() + " cannot listen: " + ex.getCause().getMessage(), ex.getCause());
		}
		catch (TimeoutException ex) {
			throw new IllegalStateException(describe() + " did not start listening within " + timeout, ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(describe() + " was interrupted while binding", ex);
		}
	}

	private String describe() {
		return "Listener '" + this.name + "' (tcp, port " + this.settings.getPort() + ", bind address "
				+ ((this.settings.getBindAddress() != null) ? this.settings.getBindAddress() : "*") + ")";
	}

	@Override
	public boolean isListening() {
		return this.factory.isListening();
	}

	@Override
	public int port() {
		return this.factory.isListening() ? this.factory.getPort() : -1;
	}

	@Override
	public String downReason() {
		if (this.factory.isListening()) {
			return null;
		}
		if (this.bound.isCompletedExceptionally()) {
			try {
				this.bound.join();
			}
			catch (CompletionException ex) {
				return "failed: " + ex.getCause().getMessage();
			}
		}
		return this.bound.isDone() ? "stopped" : "starting";
	}

	@Override
	public int activeConnections() {
		return this.context.connections().size();
	}

	@Override
	public List<ConnectionInfo> connections() {
		return this.context.connections().stream()
			.map(GatewayConnection::info)
			.sorted(Comparator.comparingLong(ConnectionInfo::id))
			.toList();
	}

	@Override
	public boolean closeConnection(long id) {
		for (GatewayConnection connection : this.context.connections()) {
			if (connection.id() == id) {
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
		this.factory.stopAccepting();
		long deadline = System.nanoTime() + timeout.toNanos();
		while (!drained() && System.nanoTime() < deadline) {
			LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
		}
		if (!drained()) {
			logger.warn("Listener '{}' (tcp): closing with replies still queued after {}", this.name, timeout);
		}
		// Destroyed, not just stopped, so that a restarted context registers a fresh flow under the same id.
		this.registration.destroy();
		this.factory.stop();
		this.context.flusher().stop();
		this.context.metrics().close();
		this.onStop.run();
	}

	/**
	 * Answers what has reached the sockets but was not selected yet (those requests were received too),
	 * then reports whether every reply is on the wire.
	 */
	private boolean drained() {
		boolean quiet = true;
		for (GatewayConnection connection : this.context.connections()) {
			if (connection.readAvailable() || connection.hasPendingWrites()) {
				quiet = false;
			}
		}
		return quiet;
	}

}
