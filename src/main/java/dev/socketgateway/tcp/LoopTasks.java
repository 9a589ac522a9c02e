package dev.socketgateway.tcp;

import java.io.IOException;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Work that other threads hand to one event loop, such as closing or opening its listening socket
 * ({@link GatewayServerConnectionFactory#stopAccepting()}): queued, the loop woken, run between two of its passes, and
 * each caller told when its task is done.
 */
final class LoopTasks {

	/** Tasks waiting for the event loop: at most one change of a listener's state at a time, so a handful. */
	static final int CAPACITY = 4;

	private static final Logger logger = LoggerFactory.getLogger(LoopTasks.class);

	private final BlockingQueue<Task> queue = new ArrayBlockingQueue<>(CAPACITY);

	/** Set after a task is queued, so that a pass of the loop reads one volatile field, not the queue's lock. */
	private volatile boolean waiting;

	/**
	 * Queues the action and wakes the loop.
	 * @param selector the loop's selector, null until the loop first selected (its first selects are short)
	 * @return done once the loop has run the action; failed if it failed, or if too many tasks are waiting
	 */
	CompletableFuture<Void> submit(Action action, Selector selector) {
		Task task = new Task(action);
		if (!this.queue.offer(task)) {
			task.complete(new IllegalStateException(CAPACITY + " tasks are already waiting for the event loop"));
		}
		else {
			this.waiting = true;
			if (selector != null) {
				selector.wakeup();
			}
		}
		return task.done;
	}

	/** Runs the action on the calling thread, for a loop that has ended and has no selector left to serve. */
	static CompletableFuture<Void> runHere(Action action) {
		Task task = new Task(action);
		task.complete(task.runQuietly());
		return task.done;
	}

	/**
	 * On the loop: runs the waiting tasks, then a select that deregisters what they closed, which closes those
	 * sockets, before their callers hear that they are done. Keys the select finds ready are left in the selected-key
	 * set for the loop's pass. That select also swallows a wake-up meant for a task queued meanwhile, so the flag is
	 * read again.
	 */
	void run(Selector selector) {
		while (this.waiting) {
			this.waiting = false;
			List<Task> done = new ArrayList<>(CAPACITY);
			this.queue.drainTo(done);
			List<Exception> failures = new ArrayList<>(done.size());
			for (Task task : done) {
				failures.add(task.runQuietly());
			}
			try {
				selector.selectNow();
			}
			catch (IOException ex) {
				logger.debug("selectNow after a loop task failed", ex);
			}
			for (int i = 0; i < done.size(); i++) {
				done.get(i).complete(failures.get(i));
			}
		}
	}

	/** What a loop task does; it may close and open sockets. */
	@FunctionalInterface
	interface Action {

		void run() throws IOException;

	}

	/** A task for the event loop, and its caller's view of it. */
	private static final class Task {

		private final Action action;

		private final CompletableFuture<Void> done = new CompletableFuture<>();

		Task(Action action) {
			this.action = action;
		}

		/** @return what it failed with, or null */
		Exception runQuietly() {
			try {
				this.action.run();
				return null;
			}
			catch (IOException | RuntimeException ex) {
				return ex;
			}
		}

		void complete(Exception failure) {
			if (failure == null) {
				this.done.complete(null);
			}
			else {
				this.done.completeExceptionally(failure);
			}
		}

	}

}
