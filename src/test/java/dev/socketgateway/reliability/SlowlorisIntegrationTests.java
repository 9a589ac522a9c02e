package dev.socketgateway.reliability;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static dev.socketgateway.GatewayClients.ascii;
import static dev.socketgateway.GatewayClients.exchange;
import static dev.socketgateway.GatewayClients.tcp;
import static dev.socketgateway.GatewayClients.text;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Slowloris: thousands of connections that send one byte of a line and then nothing, on a listener with a
 * one-second idle-timeout. The server closes every one of them, while a client that talks keeps being answered.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SlowlorisIntegrationTests extends ReliabilityTestSupport {

	private static final int CONNECTIONS = 2_000;

	private static final long DEADLINE_NANOS = TimeUnit.SECONDS.toNanos(60);

	@Test
	void twoThousandSilentConnectionsAreAllClosedByTheIdleTimeoutWhileATalkingClientIsServed() throws IOException {
		double idleTimeouts = errors("slow", "idle-timeout");
		double opened = count("gateway.connections.opened", "slow");
		InetSocketAddress server = new InetSocketAddress("127.0.0.1", port("slow"));
		List<SocketChannel> channels = new ArrayList<>(CONNECTIONS);
		int endOfStream = 0;
		int resets = 0;
		int unexpectedBytes = 0;
		int answered = 0;
		ByteBuffer buffer = ByteBuffer.allocate(256);
		try (Selector selector = Selector.open(); Socket talker = tcp(port("slow"))) {
			for (int i = 0; i < CONNECTIONS; i++) {
				SocketChannel channel = SocketChannel.open();
				channels.add(channel);
				channel.configureBlocking(false);
				if (channel.connect(server)) {
					sendOneByte(channel);
					channel.register(selector, SelectionKey.OP_READ);
				}
				else {
					channel.register(selector, SelectionKey.OP_CONNECT);
				}
			}
			long deadline = System.nanoTime() + DEADLINE_NANOS;
			while (endOfStream + resets < CONNECTIONS && System.nanoTime() < deadline) {
				selector.select(100);
				Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
				while (keys.hasNext()) {
					SelectionKey key = keys.next();
					keys.remove();
					SocketChannel channel = (SocketChannel) key.channel();
					try {
						if (key.isConnectable()) {
							channel.finishConnect();
							sendOneByte(channel);
							key.interestOps(SelectionKey.OP_READ);
						}
						else if (key.isReadable()) {
							int read = channel.read(buffer.clear());
							if (read < 0) {
								endOfStream++;
								key.cancel();
								channel.close();
							}
							else {
								unexpectedBytes += read;
							}
						}
					}
					catch (IOException ex) {
						resets++;
						key.cancel();
						channel.close();
					}
				}
				String line = "still talking " + answered;
				assertThat(text(exchange(talker, ascii(line + "\n"), line.length() + 1)))
					.isEqualTo(line.toUpperCase() + "\n");
				answered++;
			}
			assertThat(endOfStream).as("silent connections that saw the server close (resets: %d)", resets)
				.isEqualTo(CONNECTIONS);
			assertThat(unexpectedBytes).as("bytes sent to a silent connection").isZero();
			String last = "and after them";
			assertThat(text(exchange(talker, ascii(last + "\n"), last.length() + 1))).isEqualTo(last.toUpperCase() + "\n");
		}
		finally {
			for (SocketChannel channel : channels) {
				channel.close();
			}
		}
		System.out.printf("slowloris: %d connections closed by the server, talker answered %d times%n", endOfStream,
				answered);
		awaiting(SETTLE).untilAsserted(() -> assertThat(errors("slow", "idle-timeout") - idleTimeouts)
			.isEqualTo(CONNECTIONS));
		assertThat(count("gateway.connections.opened", "slow") - opened).isEqualTo(CONNECTIONS + 1);
		assertHealthy("slow", true);
	}

	private static void sendOneByte(SocketChannel channel) throws IOException {
		assertThat(channel.write(ByteBuffer.wrap(ascii("x")))).isEqualTo(1);
	}

}
