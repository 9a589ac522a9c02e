package dev.socketgateway.tcp;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.springframework.integration.ip.tcp.connection.AbstractServerConnectionFactory;
import org.springframework.integration.ip.tcp.connection.TcpSender;

/**
 * One event loop of a TCP listener, as the connection factory its flow's adapters share: it binds the listening
 * socket, accepts, and reads each ready connection on its own thread ({@link EventLoop}), as Netty runs a read on
 * its event loop. The inbound adapter is the factory's listener and the outbound adapter its sender: each admitted
 * {@link GatewayConnection} is registered with the sender, which finds it by id to answer.
 *
 * <p>It extends {@link AbstractServerConnectionFactory}, not Spring Integration's NIO factory, whose connections
 * must be {@code TcpNioConnection}s: each of those carries a pipe to a second reading thread, an executor, six
 * locks and a map entry per connection that the gateway never used, 35 objects in all. They were copied by the
 * first young collections after a burst of connections, and those pauses set the paced benchmark row's p99.9
 * (docs/performance.md).
 *
 * <p>Stopping and starting to accept run on the loop ({@link #stopAccepting()}, {@link #startAccepting}): a
 * listening socket closed by another thread would stay open, with clients queuing in its backlog, until the
 * selector's next select deregistered it.
 */
final class GatewayServerConnectionFactory extends AbstractServerConnectionFactory {

	/** How long {@link #stop()} waits for the loop to close its sockets before closing them itself. */
	private static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);

	private final TcpListenerContext context;

	/** The port bound, or why binding failed. */
	private final CompletableFuture<Integer> bound = new CompletableFuture<>();

	/** Counted down once the loop has ended and closed its sockets. */
	private final CountDownLatch ended = new CountDownLatch(1);

	private final LoopTasks loopTasks = new LoopTasks();

	/** Connections to read again after client-message-rate paused them; at most one entry per connection. */
	private final Queue<GatewayConnection> resumes = new ConcurrentLinkedQueue<>();

	/** Hands each ready key of a select to {@link #ready}; made once, not per select. */
	private final Consumer<SelectionKey> onReady = this::ready;

	private volatile Selector selector;

	/** The listening socket; made when the loop starts, once the socket options are set. */
	private volatile Acceptor acceptor;

	/** The port bound when the factory first listened, kept for logs and for binding it again. */
	private volatile int boundPort;

	/** Set when binding failed: the factory stays down rather than try again on its next start. */
	private volatile boolean bindFailed;

	/** Set on the loop when its select found the listening socket ready to accept. */
	private boolean acceptable;

	GatewayServerConnectionFactory(int port, TcpListenerContext context) {
		super(port);
		this.context = context;
	}

	/** The port bound, once the loop listens; failed if it cannot bind. */
	CompletableFuture<Integer> bound() {
		return this.bound;
	}

	/**
	 * Both adapters start the factory. When the first start's bind fails, the factory stays down: the failure
	 * is already reported and fails startup.
	 */
	@Override
	public void start() {
		if (!this.bindFailed) {
			super.start();
		}
	}

	/** The loop: binds, then accepts and reads until the factory stops. */
	@Override
	public void run() {
		Selector loopSelector;
		Acceptor listening = new Acceptor(this.context, this, getTcpSocketSupport());
		this.acceptor = listening;
		int port;
		try {
			loopSelector = Selector.open();
			try {
				port = listening.listen(super.getPort(), loopSelector);
			}
			catch (IOException | RuntimeException ex) {
				loopSelector.close();
				throw ex;
			}
		}
		catch (IOException | RuntimeException ex) {
			this.bindFailed = true;
			setActive(false);
			this.bound.completeExceptionally(ex);
			this.ended.countDown();
			return;
		}
		this.selector = loopSelector;
		this.boundPort = port;
		setListening(true);
		this.bound.complete(this.boundPort);
		try {
			loop(loopSelector);
		}
		catch (RuntimeException | Error ex) {
			logger.error(ex, () -> "Listener '" + this.context.name() + "': event loop failed");
		}
		finally {
			setListening(false);
			closeAll(loopSelector);
			this.ended.countDown();
		}
	}

	private void loop(Selector loopSelector) {
		while (isActive()) {
			this.loopTasks.run(loopSelector);
			readSelected(loopSelector); // what the tasks' select found ready
			readResumed();
			try {
				loopSelector.select(this.onReady, this.acceptor.selectTimeout(loopSelector));
			}
			catch (IOException | ClosedSelectorException ex) {
				if (isActive()) {
					logger.error(ex, () -> "Listener '" + this.context.name() + "': select failed");
				}
				return;
			}
			acceptReady(loopSelector);
		}
	}

	/** Accepts, if a select found the listening socket ready. */
	private void acceptReady(Selector loopSelector) {
		if (this.acceptable) {
			this.acceptable = false;
			this.acceptor.acceptAll(loopSelector);
		}
	}

	/** A ready key: a connection is read at once, an accept waits until the select has handed over every key. */
	private void ready(SelectionKey key) {
		if (key.attachment() instanceof GatewayConnection connection) {
			if (isReadable(key)) {
				read(connection);
			}
		}
		else {
			this.acceptable = true; // the listening socket
		}
	}

	/** Handles the keys a loop task's {@code selectNow} left in the selected-key set. */
	private void readSelected(Selector loopSelector) {
		Set<SelectionKey> selected = loopSelector.selectedKeys();
		if (selected.isEmpty()) {
			return; // the usual case: no iterator
		}
		Iterator<SelectionKey> keys = selected.iterator();
		while (keys.hasNext()) {
			SelectionKey key = keys.next();
			keys.remove();
			ready(key);
		}
		acceptReady(loopSelector);
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
			connection.readReady();
		}
		catch (RuntimeException ex) {
			if (connection.isOpen()) {
				logger.error(ex, () -> "Listener '" + this.context.name() + "' peer " + connection.peer()
						+ ": read failed, closing connection");
				connection.close(CloseReason.MALFORMED);
			}
		}
	}

	/** A connection closed: the outbound adapter forgets it. */
	void closed(GatewayConnection connection) {
		for (TcpSender sender : getSenders()) {
			sender.removeDeadConnection(connection);
		}
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

	/** Whether the listener is stopping, so that a client accepted now is closed at once. */
	boolean isStopping() {
		return isShuttingDown() || !isActive();
	}

	/** An admitted connection opened: the outbound adapter can find it now. */
	void opened(GatewayConnection connection) {
		for (TcpSender sender : getSenders()) {
			sender.addNewConnection(connection);
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

	/**
	 * Closes the listening socket, so new clients are refused (not left in the backlog), while open connections
	 * keep being served.
	 * @return done once the socket is closed
	 */
	CompletableFuture<Void> stopAccepting() {
		return onLoop(() -> this.acceptor.close());
	}

	/**
	 * Listens again, after {@link #stopAccepting()}, on the port given, with the factory's address, backlog and
	 * socket options (SO_REUSEPORT when the listener has several loops).
	 * @return done once the socket listens; failed, with the socket closed, if it cannot bind
	 */
	CompletableFuture<Void> startAccepting(int port) {
		return onLoop(() -> {
			if (!isAccepting()) {
				this.acceptor.listen(port, this.selector);
			}
		});
	}

	/** Whether a listening socket is open. */
	boolean isAccepting() {
		Acceptor listening = this.acceptor;
		return listening != null && listening.isListening();
	}

	/**
	 * Runs the task on the event loop, waking it; on the calling thread if the loop has ended (the factory
	 * stopped or failed to bind), when there is no selector left to serve.
	 */
	private CompletableFuture<Void> onLoop(LoopTasks.Action action) {
		return isListening() ? this.loopTasks.submit(action, this.selector) : LoopTasks.runHere(action);
	}

	/** The port bound at first, kept while the listener is paused and its listening socket closed. */
	@Override
	public int getPort() {
		int port = this.boundPort;
		return (port > 0) ? port : super.getPort();
	}

	@Override
	public InetSocketAddress getServerSocketAddress() {
		Acceptor listening = this.acceptor;
		return (listening != null) ? listening.address() : null;
	}

	/**
	 * Stops the loop, which closes its listening socket and every connection it still serves (those the
	 * listener's stop did not close), and waits for that; closes them here if the loop does not end in time.
	 */
	@Override
	public void stop() {
		setActive(false);
		Selector current = this.selector;
		if (current != null) {
			current.wakeup();
			try {
				if (!this.ended.await(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
					logger.warn(() -> "Listener '" + this.context.name() + "': event loop did not end within "
							+ STOP_TIMEOUT + "; closing its sockets from " + Thread.currentThread().getName());
					closeAll(current);
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				closeAll(current);
			}
		}
		super.stop();
	}

	/** Closes the listening socket, every connection registered with the selector, and the selector. */
	private void closeAll(Selector loopSelector) {
		this.acceptor.close();
		try {
			for (SelectionKey key : List.copyOf(loopSelector.keys())) {
				if (key.attachment() instanceof GatewayConnection connection) {
					connection.close(CloseReason.SHUTDOWN);
				}
				else {
					Acceptor.closeQuietly(key.channel());
				}
			}
			loopSelector.close();
		}
		catch (ClosedSelectorException | IOException ex) {
			logger.debug(ex, "Closing the event loop's selector failed");
		}
		// Connections whose keys were cancelled (closing after their last replies) are no longer registered.
		for (GatewayConnection connection : this.context.connections().open()) {
			if (connection.factory() == this) {
				connection.close(CloseReason.SHUTDOWN);
			}
		}
	}

}
