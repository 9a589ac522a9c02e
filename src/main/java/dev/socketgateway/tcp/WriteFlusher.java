package dev.socketgateway.tcp;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.Iterator;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One thread per TCP listener that finishes writes the socket could not take at once. The event loops never
 * block on a client that reads slowly: the connection's {@link OutboundBuffer} queues the rest of the reply
 * (at most max-pending-write-bytes) and the loop moves on, and this thread writes it when the socket drains.
 */
final class WriteFlusher implements Runnable {

	private static final Logger logger = LoggerFactory.getLogger(WriteFlusher.class);

	private final Selector selector;

	/** At most one entry per connection that just started to queue, so bounded by the open connections. */
	private final Queue<GatewayConnection> requests = new ConcurrentLinkedQueue<>();

	private final Thread thread;

	private volatile boolean running = true;

	WriteFlusher(String listenerName) {
		try {
			this.selector = Selector.open();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		this.thread = new Thread(this, listenerName + "-tcp-flusher");
		this.thread.setDaemon(true);
	}

	void start() {
		this.thread.start();
	}

	void stop() {
		this.running = false;
		this.selector.wakeup();
		try {
			this.thread.join(1000);
			this.selector.close();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		catch (IOException ex) {
			logger.debug("Closing the flush selector failed", ex);
		}
	}

	void flushWhenWritable(GatewayConnection connection) {
		this.requests.add(connection);
		this.selector.wakeup();
	}

	@Override
	public void run() {
		while (this.running) {
			try {
				this.selector.select(1000);
				registerRequests();
				Iterator<SelectionKey> keys = this.selector.selectedKeys().iterator();
				while (keys.hasNext()) {
					SelectionKey key = keys.next();
					keys.remove();
					if (key.isValid() && ((GatewayConnection) key.attachment()).outbound().flush() && key.isValid()) {
						key.interestOps(0);
					}
				}
			}
			catch (IOException | RuntimeException ex) {
				if (this.running) {
					logger.warn("Write flusher: {}", ex.toString());
				}
			}
		}
	}

	private void registerRequests() {
		GatewayConnection connection;
		while ((connection = this.requests.poll()) != null) {
			SelectionKey key = connection.channel().keyFor(this.selector);
			try {
				if (key != null && key.isValid()) {
					key.interestOps(SelectionKey.OP_WRITE);
				}
				else if (connection.channel().isOpen()) {
					connection.channel().register(this.selector, SelectionKey.OP_WRITE, connection);
				}
			}
			catch (ClosedChannelException | RuntimeException ex) {
				logger.debug("Listener '{}' peer {}: flush registration failed: {}", connection.context().name(),
						connection.peer(), ex.toString());
			}
		}
	}

}
