package dev.socketgateway.tcp;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * The connection factory's executor, turned into an event loop. Its first task is the factory's
 * accept-and-select loop, which gets a thread of its own; every later task comes from that loop and runs
 * right there. Reads do not even pass through here: {@link GatewayServerConnectionFactory} reads each
 * selected connection on the loop, as Netty runs a read on its event loop.
 *
 * <p>Spring Integration hands every read to its executor, by default an unbounded cached pool: one thread
 * per busy connection, and a thread wake-up for every message. Running the read inline costs no hand-off
 * and keeps one connection's messages in order. A TCP listener has {@code event-loops} of these loops,
 * each one thread serving its share of the connections, plus one {@link WriteFlusher} thread for the
 * listener. It is safe because nothing on the read path blocks: replies are written without waiting, and
 * what the socket does not take is queued ({@link OutboundBuffer}) and finished by the flusher.
 */
final class EventLoop implements Executor {

	private final String threadName;

	private volatile Thread loop;

	EventLoop(String threadName) {
		this.threadName = threadName;
	}

	@Override
	public void execute(Runnable task) {
		Thread current = Thread.currentThread();
		if (current == this.loop) {
			task.run();
			return;
		}
		synchronized (this) {
			if (this.loop != null && this.loop.isAlive()) {
				throw new RejectedExecutionException(this.threadName + " runs only tasks of its own loop");
			}
			Thread thread = new Thread(task, this.threadName);
			thread.setDaemon(true);
			this.loop = thread;
			thread.start();
		}
	}

}
