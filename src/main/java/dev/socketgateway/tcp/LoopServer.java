package dev.socketgateway.tcp;

import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.springframework.integration.dsl.context.IntegrationFlowContext.IntegrationFlowRegistration;

/**
 * One event loop of a TCP listener: a connection factory on its own thread, and the flow around it
 * (inbound adapter → transformer → outbound adapter).
 */
final class LoopServer {

	private final GatewayServerConnectionFactory factory;

	private final IntegrationFlowRegistration registration;

	LoopServer(GatewayServerConnectionFactory factory, IntegrationFlowRegistration registration) {
		this.factory = factory;
		this.registration = registration;
	}

	GatewayServerConnectionFactory factory() {
		return this.factory;
	}

	/**
	 * Blocks until the factory's socket is bound.
	 * @param describe the listener, protocol and port, for the failure message
	 * @return the port bound
	 */
	int awaitBound(Duration timeout, String describe) {
		try {
			return this.factory.bound().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (ExecutionException ex) {
			throw new IllegalStateException(describe + " cannot listen: " + ex.getCause().getMessage(), ex.getCause());
		}
		catch (TimeoutException ex) {
			throw new IllegalStateException(describe + " did not start listening within " + timeout, ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(describe + " was interrupted while binding", ex);
		}
	}

	/** Why this loop is not listening, or null while it listens. */
	String downReason() {
		if (this.factory.isListening()) {
			return null;
		}
		if (this.factory.bound().isCompletedExceptionally()) {
			try {
				this.factory.bound().join();
			}
			catch (CompletionException ex) {
				return "failed: " + ex.getCause().getMessage();
			}
		}
		return this.factory.bound().isDone() ? "stopped" : "starting";
	}

	/** Destroyed, not just stopped, so that a restarted context registers a fresh flow under the same id. */
	void stop() {
		this.registration.destroy();
		this.factory.stop();
	}

}
