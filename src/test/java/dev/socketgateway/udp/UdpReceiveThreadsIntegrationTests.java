package dev.socketgateway.udp;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import dev.socketgateway.GatewayTest;
import dev.socketgateway.actuate.ObservabilityClients;
import dev.socketgateway.listener.ListenerRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.TestPropertySource;

import static dev.socketgateway.GatewayClients.TIMEOUT;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A UDP listener with several receive threads, as its clients and an operator see it: every datagram from many
 * source ports is answered, from the listener's own port, the counters are exact, and the clients were spread over
 * more than one of its sockets.
 */
@GatewayTest(webEnvironment = WebEnvironment.RANDOM_PORT)
@TestPropertySource(properties = {
		"gateway.listeners.spread.protocol=udp",
		"gateway.listeners.spread.port=0",
		"gateway.listeners.spread.bind-address=127.0.0.1",
		"gateway.listeners.spread.receive-threads=" + UdpReceiveThreadsIntegrationTests.THREADS })
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UdpReceiveThreadsIntegrationTests {

	static final int THREADS = 4;

	private static final int CLIENTS = 50;

	private static final int DATAGRAMS_EACH = 4;

	@Autowired
	private ListenerRegistry registry;

	@LocalServerPort
	private int httpPort;

	private ObservabilityClients actuator;

	@BeforeEach
	void connectActuator() {
		this.actuator = new ObservabilityClients(this.httpPort);
	}

	@Test
	void datagramsFromManySourcePortsAreAllAnsweredFromTheListenersPortWithExactCounters() throws IOException {
		int port = this.registry.listener("spread").port();
		InetSocketAddress listener = new InetSocketAddress("127.0.0.1", port);
		double received = metric("gateway.messages.received");
		double sent = metric("gateway.messages.sent");
		List<DatagramChannel> clients = new ArrayList<>(CLIENTS);
		Set<String> expected = new HashSet<>();
		Set<String> replies = new HashSet<>();
		try (Selector selector = Selector.open()) {
			for (int i = 0; i < CLIENTS; i++) {
				// Unconnected, so that a reply from any other port would be received, and seen to be wrong.
				DatagramChannel client = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
				clients.add(client);
				client.configureBlocking(false).register(selector, SelectionKey.OP_READ);
				for (int j = 0; j < DATAGRAMS_EACH; j++) {
					String request = "client " + i + " datagram " + j;
					client.send(ByteBuffer.wrap(request.getBytes(US_ASCII)), listener);
					expected.add(request.toUpperCase(java.util.Locale.ROOT));
				}
			}
			ByteBuffer buffer = ByteBuffer.allocate(1024);
			long deadline = System.nanoTime() + TIMEOUT.toNanos();
			while (replies.size() < expected.size() && System.nanoTime() < deadline) {
				selector.select(100);
				for (SelectionKey key : selector.selectedKeys()) {
					DatagramChannel client = (DatagramChannel) key.channel();
					InetSocketAddress from;
					while ((from = (InetSocketAddress) client.receive(buffer.clear())) != null) {
						assertThat(from).as("where the reply came from").isEqualTo(listener);
						assertThat(replies.add(US_ASCII.decode(buffer.flip()).toString())).as("a reply seen once")
							.isTrue();
					}
				}
				selector.selectedKeys().clear();
			}
		}
		finally {
			for (DatagramChannel client : clients) {
				client.close();
			}
		}
		assertThat(replies).isEqualTo(expected);
		int datagrams = CLIENTS * DATAGRAMS_EACH;
		assertThat(metric("gateway.messages.received") - received).isEqualTo(datagrams);
		assertThat(metric("gateway.messages.sent") - sent).isEqualTo(datagrams);
		JsonNode peers = this.actuator.json("/actuator/connections/spread").path("peers");
		Set<Integer> threads = new HashSet<>();
		peers.forEach((peer) -> threads.add(peer.path("receiveThread").asInt(-1)));
		assertThat(threads).as("the receive threads of the peers in %s", peers)
			.hasSizeGreaterThan(1)
			.allSatisfy((thread) -> assertThat(thread).isBetween(0, THREADS - 1));
	}

	private double metric(String name) {
		return this.actuator.metric(name, "listener:spread");
	}

}
