package dev.socketgateway.udp;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;

import dev.socketgateway.listener.ListenerMetrics;

import org.springframework.integration.expression.FunctionExpression;
import org.springframework.integration.ip.IpHeaders;
import org.springframework.integration.ip.udp.outbound.UnicastSendingMessageHandler;
import org.springframework.integration.support.utils.IntegrationUtils;
import org.springframework.messaging.Message;

/**
 * The UDP outbound channel adapter, sending each reply to the datagram's sender from the socket that received it
 * (and so from the listener's port), and counting what it sent. The packet is built here rather than through the adapter's two
 * expressions (destination, socket), which cost a tenth of the answering thread's time.
 */
final class DatagramReplier extends UnicastSendingMessageHandler {

	private final DatagramReceiver receiver;

	private final ListenerMetrics metrics;

	/**
	 * What the reply is sent from, reused: only the receive thread of this replier's flow sends, one datagram at a
	 * time. A socket sends a packet's heap array through a temporary direct buffer looked up in a thread-local cache.
	 */
	private final ByteBuffer outgoing = ByteBuffer.allocateDirect(DatagramReceiver.RECEIVE_BUFFER_BYTES);

	DatagramReplier(DatagramReceiver receiver, ListenerMetrics metrics) {
		// The same routing as the fast path below, for anything that calls the adapter's stock send.
		super(new FunctionExpression<Message<?>>(
				(message) -> message.getHeaders().get(IpHeaders.PACKET_ADDRESS, SocketAddress.class)));
		setSocketExpression(new FunctionExpression<Message<?>>((message) -> receiver.socket()));
		this.receiver = receiver;
		this.metrics = metrics;
	}

	/**
	 * Sends the reply without the stock handler's acknowledgment bookkeeping, which this gateway does not use: it
	 * reads each message's id for it, and makes a random one (SecureRandom, and its string) for a message without,
	 * as every datagram's message is (headers made once per peer, with no id).
	 */
	@Override
	public void handleMessageInternal(Message<?> message) {
		try {
			convertAndSend(message);
		}
		catch (IOException ex) {
			throw IntegrationUtils.wrapInHandlingExceptionIfNecessary(message, () -> "failed to send UDP packet", ex);
		}
	}

	@Override
	protected void convertAndSend(Message<?> message) throws IOException {
		byte[] reply = (byte[]) message.getPayload();
		SocketAddress sender = message.getHeaders().get(IpHeaders.PACKET_ADDRESS, SocketAddress.class);
		try {
			if (reply.length > this.outgoing.capacity()) {
				throw new IOException("a reply of " + reply.length + " bytes does not fit in a UDP datagram");
			}
			this.receiver.channel().send(this.outgoing.clear().put(reply).flip(), sender);
		}
		catch (IOException | RuntimeException ex) {
			this.metrics.error("write-failed");
			throw ex;
		}
		this.metrics.sent(reply.length);
	}

}
