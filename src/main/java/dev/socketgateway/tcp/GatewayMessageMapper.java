package dev.socketgateway.tcp;

import java.util.Map;

import org.springframework.integration.ip.IpHeaders;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessageHeaders;
import org.springframework.messaging.support.GenericMessage;

/**
 * Maps a frame to a message carrying only what the flow uses: the connection id, by which the outbound
 * adapter finds the connection to answer on. Spring Integration's mapper adds host name, address, ports and
 * local address to every message, which cost more than the rest of the flow together; the connections
 * endpoint shows those per connection instead.
 */
final class GatewayMessageMapper {

	private GatewayMessageMapper() {
	}

	/** The frame as a message, with its connection's headers; the frame is not copied. */
	static Message<byte[]> toMessage(byte[] frame, MessageHeaders connectionHeaders) {
		return new GenericMessage<>(frame, connectionHeaders);
	}

	/**
	 * The headers of every message from one connection, made once per connection: they are immutable and
	 * hold nothing that changes from one message to the next. Nothing on the flow's path reads a message
	 * id or timestamp (no message history, observation or aggregation), so there are none; per message
	 * they cost a counter increment shared by the event loops, a clock read and a map copy.
	 */
	static MessageHeaders headers(String connectionId) {
		return new ConnectionHeaders(connectionId);
	}

	private static final class ConnectionHeaders extends MessageHeaders {

		ConnectionHeaders(String connectionId) {
			super(Map.of(IpHeaders.CONNECTION_ID, connectionId), ID_VALUE_NONE, -1L);
		}

	}

}
