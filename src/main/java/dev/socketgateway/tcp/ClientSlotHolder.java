package dev.socketgateway.tcp;

/**
 * One connection's part in its listener's per-client limits: it holds the connection's {@link ClientSlot} from
 * the accept (or from the PROXY header that names the client) until the connection closes, and with
 * client-message-rate set, it paces the connection's reads by that slot. Made only on a listener with
 * max-connections-per-client or client-message-rate, and kept out of {@link GatewayConnection} so that a
 * connection elsewhere holds null here and its reads pay nothing for the limits.
 *
 * <p>Threads: reads and the admission after a PROXY header run under the connection's read lock. The slot may
 * arrive as the connection closes on another thread; each side sets its own volatile field before it reads the
 * other's, so one of them, or both, releases the slot ({@link ClientSlot#release} runs once).
 */
final class ClientSlotHolder {

	private final GatewayConnection connection;

	private final ClientLimits limits;

	/** Whether client-message-rate paces the connection's reads; decided once, so others pay nothing per read. */
	private final boolean paced;

	/** The connection's place among its client's connections, while it holds one (after the PROXY header). */
	private volatile ClientSlot slot;

	/** Set on close, so that a place taken while the connection closes is given back. */
	private volatile boolean closing;

	ClientSlotHolder(GatewayConnection connection, ClientLimits limits) {
		this.connection = connection;
		this.limits = limits;
		this.paced = limits.paced();
	}

	boolean paced() {
		return this.paced;
	}

	/** A read under client-message-rate: sized to the client's tokens, which its messages then take. */
	boolean read() {
		// Until a PROXY header names the client there are no tokens to go by: reads are kept to a v1 header's
		// size, so that few messages ride in with the header before the client's bucket is known.
		ClientSlot current = this.slot;
		int limit = (current != null) ? current.readLimit(TcpListenerContext.READ_BUFFER_BYTES)
				: ProxyHeaderReader.MAX_V1_BYTES;
		if (limit == 0) {
			current.pause(this.connection);
			return false;
		}
		ConnectionStats stats = this.connection.stats();
		long bytes = stats.bytesReceived();
		long messages = stats.messagesReceived();
		boolean read = this.connection.read(limit);
		current = this.slot;
		if (current != null) {
			current.afterRead(this.connection, stats.bytesReceived() - bytes, stats.messagesReceived() - messages);
		}
		return read;
	}

	/**
	 * The PROXY header named the client, which max-connections-per-client now counts; one over it is sent the
	 * busy-message and its socket shut down (counted and logged by {@link ClientLimits#admit}).
	 * @return false if the client has max-connections-per-client open already, and the connection is to close
	 */
	boolean admit() {
		ClientSlot admitted = this.limits.admit(this.connection.stats().clientAddress(), this.connection.peer());
		if (admitted == null) {
			TcpListenerContext context = this.connection.context();
			GatewayConnectionSupport.tellAndShutDown(context, this.connection, this.connection.channel(),
					context.busyMessage());
			return false;
		}
		hold(admitted);
		return true;
	}

	/** Holds the connection's place among its client's connections until it closes. */
	void hold(ClientSlot admitted) {
		this.slot = admitted;
		if (this.closing) {
			admitted.release(); // closed meanwhile, perhaps before it saw the slot
		}
	}

	/** The connection closed: its place, if it holds one, is given back. */
	void release() {
		this.closing = true;
		ClientSlot current = this.slot;
		if (current != null) {
			current.release();
		}
	}

}
