package dev.socketgateway.listener;

import java.util.function.IntSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.util.Assert;

/**
 * One listener's {@link ListenerState}, shared by the transports: changes are made one at a time, each is logged at
 * INFO with the listener, the old and the new state and the open connections (a change that fails, at WARN), and
 * {@link ListenerState#STOPPED} is final.
 */
public final class ListenerStateMachine {

	private static final Logger logger = LoggerFactory.getLogger(ListenerStateMachine.class);

	private final String name;

	private final String protocol;

	private final IntSupplier openConnections;

	/** Written with this held; read without, so that health checks never wait for a change under way. */
	private volatile ListenerState state = ListenerState.RUNNING;

	/**
	 * @param openConnections open connections (TCP) or active peers (UDP), for the log line
	 */
	public ListenerStateMachine(String name, String protocol, IntSupplier openConnections) {
		this.name = name;
		this.protocol = protocol;
		this.openConnections = openConnections;
	}

	public ListenerState state() {
		return this.state;
	}

	/**
	 * Moves to {@code target} once {@code change} has done the transport's part; nothing happens when the listener
	 * is in that state already. The next change waits for this one.
	 * @param change the transport's part; if it throws, the state stays as it was
	 * @return the state before
	 * @throws IllegalStateException if the listener has stopped, or from {@code change}
	 */
	public synchronized ListenerState change(ListenerState target, Runnable change) {
		Assert.isTrue(target != ListenerState.STOPPED, "A listener is stopped by stopping it");
		ListenerState before = this.state;
		Assert.state(before != ListenerState.STOPPED, () -> "Listener '" + this.name + "' has stopped");
		if (before != target) {
			// Counted before the change, which may already close some (a drain closes its first at once).
			int open = this.openConnections.getAsInt();
			try {
				change.run();
			}
			catch (RuntimeException ex) {
				logger.warn("Listener '{}' ({}): {} -> {} failed, it stays {}: {}", this.name, this.protocol, before,
						target, before, ex.getMessage());
				throw ex;
			}
			this.state = target;
			log(before, target, open);
		}
		return before;
	}

	/**
	 * Marks the listener stopped, after any change under way.
	 * @return the state before
	 */
	public synchronized ListenerState stop() {
		ListenerState before = this.state;
		if (before != ListenerState.STOPPED) {
			this.state = ListenerState.STOPPED;
			log(before, ListenerState.STOPPED, this.openConnections.getAsInt());
		}
		return before;
	}

	private void log(ListenerState before, ListenerState after, int open) {
		logger.info("Listener '{}' ({}): {} -> {}, {} open connections", this.name, this.protocol, before, after,
				open);
	}

}
