package dev.socketgateway.tcp;

import java.util.Map;

import org.springframework.integration.ip.IpHeaders;
import org.springframework.integration.ip.tcp.connection.TcpConnection;
import org.springframework.integration.ip.tcp.connection.TcpMessageMapper;
import org.springframework.messaging.Message;
import org.springframework.messaging.support.GenericMessage;

/**
 * Maps a frame to a message carrying only what the flow uses: the connection id, by which the outbound
 * adapter finds the connection to answer on. The stock mapper adds host name, address, ports and local
 * address to every message, which cost more than the rest of the flow together; the connections
 * endpoint shows those per connection instead.
 */
final class GatewayMessageMapper extends TcpMessageMapper {

	@Override
	public Message<?> toMessage(TcpConnection connection, Map<String, Object> headers) {
		return new GenericMessage<>(connection.getPayload(), Map.of(IpHeaders.CONNECTION_ID, connection.getConnectionId()));
	}

}
