package dev.socketgateway.tcp;

import org.springframework.core.serializer.Deserializer;
import org.springframework.core.serializer.Serializer;
import org.springframework.integration.ip.tcp.connection.TcpConnection;
import org.springframework.integration.ip.tcp.connection.TcpListener;
import org.springframework.messaging.MessageHeaders;

/**
 * A connection as its flow's adapters see it ({@link TcpConnection}): the frames it hands the inbound adapter as
 * messages, and the id by which the outbound adapter finds it to answer. Spring Integration's own connection
 * classes also carry a second reading thread's pipe, an executor and six locks per connection, which the gateway
 * never used (see {@link GatewayServerConnectionFactory}); this holds only what the adapters ask for, and
 * {@link GatewayConnection} does the reading and writing.
 */
abstract class FlowConnection implements TcpConnection {

	private final GatewayServerConnectionFactory factory;

	/** The id by which the outbound adapter finds the connection: the one /actuator/connections shows. */
	private final String connectionId;

	/** The headers of every message read here. */
	private final MessageHeaders messageHeaders;

	/** What {@link #incrementAndGetConnectionSequence()} counts; nothing in the flow asks. */
	private long sequence;

	/** @param id the connection's number in its listener */
	FlowConnection(GatewayServerConnectionFactory factory, long id) {
		this.factory = factory;
		this.connectionId = Long.toString(id);
		this.messageHeaders = GatewayMessageMapper.headers(this.connectionId);
	}

	/**
	 * Hands a frame to the inbound adapter as a message. The flow runs on this thread, and its reply comes back
	 * through {@link #send} before this returns, unless the transformer hands it elsewhere.
	 */
	final void toFlow(byte[] frame) {
		TcpListener listener = this.factory.getListener();
		if (listener != null) {
			listener.onMessage(GatewayMessageMapper.toMessage(frame, this.messageHeaders));
		}
	}

	final GatewayServerConnectionFactory factory() {
		return this.factory;
	}

	@Override
	public final String getConnectionId() {
		return this.connectionId;
	}

	@Override
	public final TcpListener getListener() {
		return this.factory.getListener();
	}

	/** Frames reach the flow whole, in their message: nothing reads a payload from the connection. */
	@Override
	public final Object getPayload() {
		return null;
	}

	@Override
	public final String getHostName() {
		return getHostAddress(); // no reverse lookups
	}

	@Override
	public final boolean isServer() {
		return true;
	}

	/** Framing is the connection's own codec; these are the factory's, which the adapters may ask for. */
	@Override
	public final Deserializer<?> getDeserializer() {
		return this.factory.getDeserializer();
	}

	@Override
	public final Serializer<?> getSerializer() {
		return this.factory.getSerializer();
	}

	@Override
	public final long incrementAndGetConnectionSequence() {
		return ++this.sequence;
	}

	@Override
	public final Object getDeserializerStateKey() {
		return null;
	}

}
