package dev.socketgateway.tcp;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * The connection factory's executor: it runs the factory's accept-and-read loop
 * ({@link GatewayServerConnectionFactory#run()}) on a thread of its own, and nothing else. Spring Integration's
 * default is an unbounded cached pool, one thread per busy connection and a thread wake-up for every message.
 *
 * <p>A TCP listener has {@code event-loops} of these loops, each one thread serving its share of the connections,
 * plus one {@link WriteFlusher} thread for the listener. It is safe because nothing on the read path blocks:
 * replies are written without waiting, and what the socket does not take is queued ({@link OutboundBuffer}) and
 * finished by the flusher.
 */
final class EventLoop implements Executor {

	private final String threadName;

	private Thread loop;

	EventLoop(String threadName) {
		this.threadName = threadName;
	}

	@Override
	public synchronized void execute(Runnable task) {
		if (this.loop != null && this.loop.isAlive()) {
			throw new RejectedExecutionException(this.threadName + " is running already");
		}
		Thread thread = new Thread(task, this.threadName);
		thread.setDaemon(true);
		this.loop = thread;
		thread.start();
	}

}
