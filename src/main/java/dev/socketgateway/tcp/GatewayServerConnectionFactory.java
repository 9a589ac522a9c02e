package dev.socketgateway.tcp;

import java.io.IOException;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Map;

import org.springframework.integration.ip.tcp.connection.TcpNioConnection;
import org.springframework.integration.ip.tcp.connection.TcpNioServerConnectionFactory;

/**
 * The NIO server connection factory with an orderly stop. The stock {@code stop()} closes the selector
 * while the factory still counts as active, so its select loop logs "Selector closed" at ERROR on every
 * clean shutdown; and it offers no way to stop accepting while open connections are still answered.
 */
final class GatewayServerConnectionFactory extends TcpNioServerConnectionFactory {

	/** Spring Integration's default NIO harvest interval. */
	private static final long HARVEST_INTERVAL_MILLIS = 2000;

	private volatile Selector selector;

	GatewayServerConnectionFactory(int port) {
		super(port);
	}

	/** The selector of this factory's event loop, so that a closing connection can drop its read interest. */
	Selector selector() {
		return this.selector;
	}

	/** Set when binding failed: the factory stays down rather than try again on its next start. */
	private volatile boolean bindFailed;

	/** When the stock factory last swept its connection map. */
	private long lastHarvest;

	/**
	 * Keeps the selector for the connections (the stock factory keeps it to itself), and keeps the stock
	 * factory from scanning every connection after an empty select. It re-arms each read with
	 * {@code selector.wakeup()}, so on the event loop nearly every select after a read returns empty, and
	 * the scan made every message cost O(connections): at 10,000 connections, most of the loop's time. Closed
	 * channels are still swept on the factory's own harvest interval.
	 */
	@Override
	protected void processNioSelections(int selectionCount, Selector selector, ServerSocketChannel server,
			Map<SocketChannel, TcpNioConnection> connectionMap) {
		this.selector = selector;
		super.processNioSelections(Math.max(selectionCount, 1), selector, server, connectionMap);
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
