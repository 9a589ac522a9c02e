package dev.socketgateway.udp;

import java.io.IOException;
import java.net.SocketAddress;
import java.net.URISyntaxException;

import dev.socketgateway.actuate.ListenerMetrics;

import org.springframework.integration.expression.FunctionExpression;
import org.springframework.integration.ip.IpHeaders;
import org.springframework.integration.ip.udp.outbound.UnicastSendingMessageHandler;
import org.springframework.messaging.Message;

/**
 * The UDP outbound channel adapter, sending each reply to the datagram's sender from the listener's own
 * socket, and counting what it sent.
 */
final class DatagramReplier extends UnicastSendingMessageHandler {

	private final ListenerMetrics metrics;

	DatagramReplier(DatagramReceiver receiver, ListenerMetrics metrics) {
		super(new FunctionExpression<Message<?>>(
				(message) -> message.getHeaders().get(IpHeaders.PACKET_ADDRESS, SocketAddress.class)));
		setSocketExpression(new FunctionExpression<Message<?>>((message) -> receiver.getSocket()));
		this.metrics = metrics;
	}

	@Override
	protected void convertAndSend(Message<?> message) throws IOException, URISyntaxException {
		try {
			super.convertAndSend(message);
		}
		catch (IOException | RuntimeException ex) {
			this.metrics.error("write-failed");
			throw ex;
		}
		this.metrics.sent(((byte[]) message.getPayload()).length);
	}

}
