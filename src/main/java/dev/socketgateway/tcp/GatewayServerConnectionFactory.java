package dev.socketgateway.tcp;

import java.io.IOException;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Iterator;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import org.springframework.integration.ip.tcp.connection.TcpNioConnection;
import org.springframework.integration.ip.tcp.connection.TcpNioServerConnectionFactory;

/**
 * The NIO server connection factory with an orderly stop, reading its connections on its own loop. The stock
 * {@code stop()} closes the selector while the factory still counts as active, so its select loop logs
 * "Selector closed" at ERROR on every clean shutdown; and it offers no way to stop accepting while open
 * connections are still answered.
 */
final class GatewayServerConnectionFactory extends TcpNioServerConnectionFactory {

	/** Spring Integration's default NIO harvest interval. */
	private static final long HARVEST_INTERVAL_MILLIS = 2000;

	private volatile Selector selector;

	/** Connections to read again after client-message-rate paused them; at most one entry per connection. */
	private final Queue<GatewayConnection> resumes = new ConcurrentLinkedQueue<>();

	GatewayServerConnectionFactory(int port) {
		super(port);
	}

	/**
	 * Drops a connection's read interest, so that a half-closed socket waiting for its last replies to be
	 * written does not keep the event loop busy.
	 */
	void stopReading(SocketChannel channel) {
		Selector current = this.selector;
		SelectionKey key = (current != null) ? channel.keyFor(current) : null;
		if (key != null) {
			key.cancel();
		}
	}

	/** Stops selecting a connection for reading, on its loop, until {@link #resumeReading}. */
	void pauseReading(SocketChannel channel) {
		interest(channel, false);
	}

	/** Has the loop select the connection for reading again, and read it at once; from any thread. */
	void resumeReading(GatewayConnection connection) {
		this.resumes.add(connection);
		Selector current = this.selector;
		if (current != null) {
			current.wakeup();
		}
	}

	/** @return false if the connection has been closed since */
	private boolean interest(SocketChannel channel, boolean read) {
		Selector current = this.selector;
		SelectionKey key = (current != null) ? channel.keyFor(current) : null;
		try {
			if (key != null) {
				key.interestOps(read ? (key.interestOps() | SelectionKey.OP_READ)
						: (key.interestOps() & ~SelectionKey.OP_READ));
				return true;
			}
		}
		catch (CancelledKeyException ex) {
			// closed by another thread
		}
		return false;
	}

	/** Set when binding failed: the factory stays down rather than try again on its next start. */
	private volatile boolean bindFailed;

	/** When the stock factory last swept its connection map. */
	private long lastHarvest;

	/**
	 * Keeps the selector for the connections (the stock factory keeps it to itself), reads the selected
	 * connections, and keeps the stock factory from scanning every connection after an empty select. A
	 * select returns empty whenever the selector is woken up, which the stock read path did after every
	 * read, and the scan then made every message cost O(connections): at 10,000 connections, most of the
	 * loop's time. Closed channels are still swept on the factory's own harvest interval.
	 */
	@Override
	protected void processNioSelections(int selectionCount, Selector selector, ServerSocketChannel server,
			Map<SocketChannel, TcpNioConnection> connectionMap) {
		this.selector = selector;
		readResumed();
		readSelected(selector);
		super.processNioSelections(Math.max(selectionCount, 1), selector, server, connectionMap);
	}

	/**
	 * Reads every selected connection right here, leaving the other keys (accepts) to the stock factory.
	 * The stock factory takes the read interest off the key, hands the read to the executor and then puts
	 * the interest back with {@code selector.wakeup()}, so that a read on another thread is selected again.
	 * On the event loop the read is already done by then, and the wake-up cost an eventfd write, an eventfd
	 * read and a select that returned at once, on every pass of the loop.
	 */
	private void readSelected(Selector selector) {
		Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
		while (keys.hasNext()) {
			SelectionKey key = keys.next();
			if (key.attachment() instanceof GatewayConnection connection) {
				keys.remove();
				if (isReadable(key)) {
					read(connection);
				}
			}
		}
	}

	/** Reads the connections whose pause ended: what waited in the socket meanwhile is read now. */
	private void readResumed() {
		GatewayConnection connection;
		while ((connection = this.resumes.poll()) != null) {
			if (interest(connection.channel(), true)) {
				read(connection);
			}
		}
	}

	private static boolean isReadable(SelectionKey key) {
		try {
			return key.isReadable();
		}
		catch (CancelledKeyException ex) {
			return false; // closed by another thread since the select
		}
	}

	private void read(GatewayConnection connection) {
		try {
			connection.readPacket();
		}
		catch (RuntimeException ex) {
			if (connection.isOpen()) {
				logger.error(ex, () -> "Listener '" + connection.context().name() + "' peer " + connection.peer()
						+ ": read failed, closing connection");
				connection.close();
			}
		}
	}

	/**
	 * The stock factory rebuilds a list of every open connection id on each select; once per harvest
	 * interval is enough, since a closed connection has already left the outbound adapter's map.
	 */
	@Override
	protected void harvestClosedConnections() {
		long now = System.currentTimeMillis();
		if (now - this.lastHarvest >= HARVEST_INTERVAL_MILLIS) {
			this.lastHarvest = now;
			super.harvestClosedConnections();
		}
	}

	/** Closes the listening socket, so new clients are refused, while open connections keep being served. */
	void stopAccepting() {
		beforeShutdown();
		ServerSocketChannel server = getServerChannel();
		if (server != null) {
			try {
				server.close();
			}
			catch (IOException ex) {
				logger.debug(ex, "Closing the server channel failed");
			}
		}
	}

	@Override
	public void stop() {
		setActive(false);
		super.stop();
	}

	/**
	 * Both adapters start the factory. When the first start's bind fails, the loop thread stops the factory
	 * and the second start would bind again on a new loop while the failed one is still unwinding; the
	 * failure is already reported and fails startup, so the factory stays down instead.
	 */
	@Override
	public void start() {
		if (!this.bindFailed) {
			super.start();
		}
	}

	@Override
	protected void publishServerExceptionEvent(Exception ex) {
		if (!isListening()) {
			this.bindFailed = true;
		}
		super.publishServerExceptionEvent(ex);
	}

}
