package dev.socketgateway.reliability;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static dev.socketgateway.GatewayClients.ascii;
import static dev.socketgateway.GatewayClients.exchange;
import static dev.socketgateway.GatewayClients.text;
import static dev.socketgateway.GatewayClients.udp;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * As many datagrams as one thread can send: the kernel may drop some before the listener reads them, but every
 * datagram the listener received is answered, every one it did not is counted as receive-buffer-full, and it still
 * answers afterwards.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class UdpFloodIntegrationTests extends ReliabilityTestSupport {

	private static final int DATAGRAMS = 200_000;

	private static final int SOCKETS = 4;

	private static final long FLOOD_NANOS = TimeUnit.SECONDS.toNanos(10);

	@Test
	void aFloodOfDatagramsIsAnsweredDatagramForDatagramAndTheListenerStaysUp() throws IOException {
		double received = count("gateway.messages.received", "udp");
		double sent = count("gateway.messages.sent", "udp");
		double writeFailed = errors("udp", "write-failed");
		double kernelDrops = errors("udp", "receive-buffer-full");
		InetSocketAddress server = new InetSocketAddress("127.0.0.1", port("udp"));
		List<DatagramChannel> senders = new ArrayList<>(SOCKETS);
		int flooded = 0;
		long elapsed;
		try {
			for (int i = 0; i < SOCKETS; i++) {
				DatagramChannel sender = DatagramChannel.open();
				senders.add(sender);
				sender.bind(new InetSocketAddress("127.0.0.1", 0));
				sender.connect(server);
			}
			ByteBuffer payload = ByteBuffer.wrap(ascii("flood datagram, 32 bytes long..."));
			long start = System.nanoTime();
			while (flooded < DATAGRAMS && System.nanoTime() - start < FLOOD_NANOS) {
				senders.get(flooded % SOCKETS).write(payload.rewind());
				flooded++;
			}
			elapsed = System.nanoTime() - start;
			int total = flooded;
			awaiting(SETTLE).untilAsserted(() -> {
				double in = count("gateway.messages.received", "udp") - received;
				double out = count("gateway.messages.sent", "udp") - sent;
				assertThat(in).as("datagrams received").isPositive();
				assertThat(out).as("replies sent").isEqualTo(in);
				assertThat(in + errors("udp", "receive-buffer-full") - kernelDrops)
					.as("datagrams received, plus those the kernel dropped").isEqualTo(total);
			});
		}
		finally {
			for (DatagramChannel sender : senders) {
				sender.close();
			}
		}
		double in = count("gateway.messages.received", "udp") - received;
		System.out.printf("udp flood: %d datagrams sent in %d ms (%.0f/s), %.0f received and answered (%.1f%%), %.0f "
				+ "dropped by the kernel%n", flooded, TimeUnit.NANOSECONDS.toMillis(elapsed), flooded * 1e9 / elapsed, in,
				100 * in / flooded, errors("udp", "receive-buffer-full") - kernelDrops);
		assertThat(in).as("received at most what was sent").isLessThanOrEqualTo(flooded);
		assertThat(errors("udp", "write-failed") - writeFailed).isZero();
		assertThat(this.listeners.listener("udp").isListening()).isTrue();
		try (DatagramSocket fresh = udp(port("udp"))) {
			assertThat(text(exchange(fresh, ascii("fresh datagram")))).isEqualTo("FRESH DATAGRAM");
		}
		awaitThreadsBack();
	}

}
