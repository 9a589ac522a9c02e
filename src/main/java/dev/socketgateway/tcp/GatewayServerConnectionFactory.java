package dev.socketgateway.tcp;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Iterator;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;

import org.springframework.integration.ip.tcp.connection.TcpNioConnection;
import org.springframework.integration.ip.tcp.connection.TcpNioServerConnectionFactory;

/**
 * The NIO server connection factory with an orderly stop, reading its connections on its own loop. The stock
 * {@code stop()} closes the selector while the factory still counts as active, so its select loop logs
 * "Selector closed" at ERROR on every clean shutdown; and it offers no way to stop accepting while open
 * connections are still answered, or to accept again.
 *
 * <p>Stopping and starting to accept run on the event loop ({@link #stopAccepting()}, {@link #startAccepting}).
 * The stock select loop opens its listening socket once and hands that channel to every
 * {@code processNioSelections}, which accepts on it; a channel closed by another thread stays open (listening,
 * with clients queuing in its backlog) until the selector's next select deregisters it, and an accept under way
 * on the loop would fail on it. On the loop the channel is closed between two passes and deregistered at once,
 * and a listening socket opened again is registered with the same selector and passed on in place of the first.
 */
final class GatewayServerConnectionFactory extends TcpNioServerConnectionFactory {

	/** Spring Integration's default NIO harvest interval. */
	private static final long HARVEST_INTERVAL_MILLIS = 2000;

	private volatile Selector selector;

	private final LoopTasks loopTasks = new LoopTasks();

	/** The listening socket opened again after {@link #stopAccepting()}; null until then. Changed on the loop. */
	private volatile ServerSocketChannel reopened;

	/** The port bound when the factory first listened, kept for logs and for binding it again. */
	private volatile int boundPort;
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

	/** When the stock factory last swept its connection maps. */
	private long lastHarvest;

	/** Set when a connection closes, so that the next sweep, and only a sweep with something to remove, runs. */
	private volatile boolean closedSinceHarvest;

	/** Set on the loop while the stock pass runs for a sweep. */
	private boolean harvesting;

	/** Hands each ready key of a select to {@link #readReady}; made once, not per select. */
	private final Consumer<SelectionKey> onReady = this::readReady;

	/** Set on the loop when its select found a listening socket ready to accept. */
	private boolean acceptReady;

	/**
	 * Keeps the selector for the connections (the stock factory keeps it to itself), reads the selected
	 * connections, and keeps the stock factory from scanning every connection after an empty select. A
	 * select returns empty whenever the selector is woken up, which the stock read path did after every
	 * read, and the scan then made every message cost O(connections): at 10,000 connections, most of the
	 * loop's time. Closed channels are swept on the factory's own harvest interval, once a connection has closed.
	 *
	 * <p>Then it stays here, selecting the connections itself, until a listening socket has a client to accept
	 * or the factory stops; the stock select loop, which accepts, takes over again for that. The stock loop's
	 * select adds each ready key to the selected-key set (a hash set node per key), its pass and this one iterate
	 * that set, and it makes a log message supplier per select: on a loaded listener, as many bytes per message
	 * as the message itself. {@link Selector#select(Consumer, long)} hands each ready key over without the set.
	 */
	@Override
	protected void processNioSelections(int selectionCount, Selector selector, ServerSocketChannel server,
			Map<SocketChannel, TcpNioConnection> connectionMap) {
		this.selector = selector;
		this.acceptReady = false;
		do {
			this.loopTasks.run(selector);
			readResumed();
			readSelected(selector);
			// What is left is an accept, or nothing: the stock pass allocates a key iterator and a log message
			// supplier every time, so it runs only for an accept, or when the sweep of closed channels is due.
			ServerSocketChannel accepting = (this.reopened != null) ? this.reopened : server;
			if (!selector.selectedKeys().isEmpty()) {
				super.processNioSelections(Math.max(selectionCount, 1), selector, accepting, connectionMap);
			}
			long now = System.currentTimeMillis();
			if (harvestDue(now)) {
				harvest(selector, accepting, connectionMap, now);
			}
		}
		while (isActive() && selectConnections(selector));
	}

	/**
	 * Waits for ready connections, or a wake-up, and reads them.
	 * @return false if a listening socket has a client to accept: the stock loop's select finds it again
	 */
	private boolean selectConnections(Selector selector) {
		try {
			selector.select(this.onReady, 0);
		}
		catch (IOException ex) {
			return false; // the stock loop's select meets the same failure and reports it
		}
		return !this.acceptReady;
	}

	/** A ready key from {@link #selectConnections}: a connection is read at once, an accept is left to the stock loop. */
	private void readReady(SelectionKey key) {
		if (key.attachment() instanceof GatewayConnection connection) {
			if (isReadable(key)) {
				read(connection);
			}
		}
		else {
			this.acceptReady = true;
		}
	}

	/**
	 * The stock select loop takes this as its select timeout. Until the loop has selected once this factory does
	 * not know its selector, so cannot wake it for a task; those first selects end after a millisecond.
	 */
	@Override
	public int getSoTimeout() {
		return (this.selector == null) ? 1 : super.getSoTimeout();
	}

	/**
	 * Reads every selected connection right here, leaving the other keys (accepts) to the stock factory.
	 * The stock factory takes the read interest off the key, hands the read to the executor and then puts
	 * the interest back with {@code selector.wakeup()}, so that a read on another thread is selected again.
	 * On the event loop the read is already done by then, and the wake-up cost an eventfd write, an eventfd
	 * read and a select that returned at once, on every pass of the loop.
	 */
	private void readSelected(Selector selector) {
		Set<SelectionKey> selected = selector.selectedKeys();
		if (selected.isEmpty()) {
			return; // a wake-up: no iterator
		}
		Iterator<SelectionKey> keys = selected.iterator();
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
				connection.close(CloseReason.MALFORMED);
			}
		}
	}

	/**
	 * The stock factory rebuilds a list of every open connection id on each select, with an object or two per
	 * connection; a sweep once per harvest interval after a connection closed is enough, since a closed connection
	 * has already left the outbound adapter's map. At 10,000 connections that list cost more than the messages.
	 */
	@Override
	protected void harvestClosedConnections() {
		if (this.harvesting) {
			super.harvestClosedConnections();
		}
	}

	/** A connection of this factory closed, from any thread: the sweep after the next interval removes it. */
	void connectionClosed() {
		this.closedSinceHarvest = true;
	}

	private boolean harvestDue(long now) {
		return this.closedSinceHarvest && now - this.lastHarvest >= HARVEST_INTERVAL_MILLIS;
	}

	/**
	 * Runs the stock pass for its sweeps: of the channel map, which a selection count of 0 makes it scan, and of
	 * the connection map ({@link #harvestClosedConnections()}).
	 */
	private void harvest(Selector selector, ServerSocketChannel server,
			Map<SocketChannel, TcpNioConnection> connectionMap, long now) {
		this.lastHarvest = now;
		this.closedSinceHarvest = false; // before the sweep: a connection closing during it is swept next time
		this.harvesting = true;
		try {
			super.processNioSelections(0, selector, server, connectionMap);
		}
		finally {
			this.harvesting = false;
		}
	}

	/**
	 * Closes the listening socket, so new clients are refused (not left in the backlog), while open connections
	 * keep being served.
	 * @return done once the socket is closed
	 */
	CompletableFuture<Void> stopAccepting() {
		return onLoop(() -> {
			close(getServerChannel());
			close(this.reopened);
			this.reopened = null;
		});
	}

	/**
	 * Listens again, after {@link #stopAccepting()}, on the port given, with the factory's address, backlog and
	 * socket options (SO_REUSEPORT when the listener has several loops).
	 * @return done once the socket listens; failed, with the socket closed, if it cannot bind
	 */
	CompletableFuture<Void> startAccepting(int port) {
		return onLoop(() -> {
			if (isAccepting()) {
				return;
			}
			ServerSocketChannel channel = ServerSocketChannel.open();
			try {
				getTcpSocketSupport().postProcessServerSocket(channel.socket());
				channel.configureBlocking(false);
				String address = getLocalAddress();
				channel.socket().bind((address != null) ? new InetSocketAddress(InetAddress.getByName(address), port)
						: new InetSocketAddress(port), Math.abs(getBacklog()));
				channel.register(this.selector, SelectionKey.OP_ACCEPT);
			}
			catch (IOException | RuntimeException ex) {
				channel.close();
				throw ex;
			}
			this.reopened = channel;
		});
	}

	/** Whether a listening socket is open. */
	boolean isAccepting() {
		ServerSocketChannel accepting = this.reopened;
		if (accepting == null) {
			accepting = getServerChannel();
		}
		return accepting != null && accepting.isOpen();
	}

	/**
	 * Runs the task on the event loop, waking it; on the calling thread if the loop has ended (the factory
	 * stopped or failed to bind), when there is no selector left to serve.
	 */
	private CompletableFuture<Void> onLoop(LoopTasks.Action action) {
		return isListening() ? this.loopTasks.submit(action, this.selector) : LoopTasks.runHere(action);
	}

	private void close(ServerSocketChannel channel) {
		if (channel != null) {
			try {
				channel.close();
			}
			catch (IOException ex) {
				logger.debug(ex, "Closing the server channel failed");
			}
		}
	}

	/** The stock factory reads the port from its own channel, which is closed once the listener has paused. */
	@Override
	public int getPort() {
		int bound = this.boundPort;
		return (bound > 0) ? bound : super.getPort();
	}

	@Override
	protected void setListening(boolean listening) {
		if (listening && this.boundPort == 0) {
			this.boundPort = super.getPort();
		}
		super.setListening(listening);
	}

	@Override
	public void stop() {
		setActive(false);
		close(this.reopened);
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
