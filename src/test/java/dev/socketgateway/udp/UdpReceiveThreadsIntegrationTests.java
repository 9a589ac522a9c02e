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
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import dev.socketgateway.GatewayTest;
import dev.socketgateway.actuate.ObservabilityClients;
import dev.socketgateway.listener.GatewayListener;
import dev.socketgateway.listener.ListenerRegistry;
import org.junit.jupiter.api.AfterEach;
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
import static org.awaitility.Awaitility.await;

/**
 * A UDP listener with several receive threads, as its clients and an operator see it: every datagram from many
 * source ports is answered, from the listener's own port, the counters are exact, the clients were spread over more
 * than one of its sockets, and pausing it pauses every one of them.
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

	private InetSocketAddress listener;

	private final List<DatagramChannel> clients = new ArrayList<>(CLIENTS);

	private Selector selector;

	@BeforeEach
	void openClients() throws IOException {
		this.actuator = new ObservabilityClients(this.httpPort);
		this.listener = new InetSocketAddress("127.0.0.1", spread().port());
		this.selector = Selector.open();
		for (int i = 0; i < CLIENTS; i++) {
			// Unconnected, so that a reply from any other port would be received, and seen to be wrong.
			DatagramChannel client = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
			this.clients.add(client);
			client.configureBlocking(false).register(this.selector, SelectionKey.OP_READ);
		}
	}

	@AfterEach
	void closeClients() throws IOException {
		for (DatagramChannel client : this.clients) {
			client.close();
		}
		this.selector.close();
	}

	@Test
	void datagramsFromManySourcePortsAreAllAnsweredFromTheListenersPortWithExactCounters() throws IOException {
		double received = metric("gateway.messages.received");
		double sent = metric("gateway.messages.sent");
		Set<String> expected = sendFromEveryClient("datagram");
		assertThat(replies(expected.size())).isEqualTo(expected);
		assertThat(metric("gateway.messages.received") - received).isEqualTo(expected.size());
		assertThat(metric("gateway.messages.sent") - sent).isEqualTo(expected.size());
		JsonNode peers = this.actuator.json("/actuator/connections/spread").path("peers");
		Set<Integer> threads = new HashSet<>();
		peers.forEach((peer) -> threads.add(peer.path("receiveThread").asInt(-1)));
		assertThat(threads).as("the receive threads of the peers in %s", peers)
			.hasSizeGreaterThan(1)
			.allSatisfy((thread) -> assertThat(thread).isBetween(0, THREADS - 1));
	}

	@Test
	void aPausedListenerDropsOnEverySocketAndAnswersOnEveryOneOnceResumed() throws IOException {
		double paused = this.actuator.metric("gateway.connections.rejected", "listener:spread", "reason:paused");
		spread().pause();
		try {
			int dropped = sendFromEveryClient("while paused").size();
			await().atMost(TIMEOUT)
				.untilAsserted(() -> assertThat(this.actuator.metric("gateway.connections.rejected",
						"listener:spread", "reason:paused") - paused).isEqualTo(dropped));
			assertThat(replies(0)).as("replies while paused").isEmpty();
		}
		finally {
			spread().resume();
		}
		Set<String> expected = sendFromEveryClient("resumed");
		assertThat(replies(expected.size())).isEqualTo(expected);
	}

	private GatewayListener spread() {
		return this.registry.listener("spread");
	}

	/** @return the replies expected */
	private Set<String> sendFromEveryClient(String text) throws IOException {
		Set<String> expected = new HashSet<>();
		for (int i = 0; i < CLIENTS; i++) {
			for (int j = 0; j < DATAGRAMS_EACH; j++) {
				String request = text + " " + i + "." + j;
				this.clients.get(i).send(ByteBuffer.wrap(request.getBytes(US_ASCII)), this.listener);
				expected.add(request.toUpperCase(Locale.ROOT));
			}
		}
		return expected;
	}

	/**
	 * The replies that arrive until there are {@code count}, or for {@link dev.socketgateway.GatewayClients#TIMEOUT};
	 * for a count of 0, those waiting now. Each must come from the listener's port, and only once.
	 */
	private Set<String> replies(int count) throws IOException {
		Set<String> replies = new HashSet<>();
		ByteBuffer buffer = ByteBuffer.allocate(1024);
		long deadline = System.nanoTime() + TIMEOUT.toNanos();
		do {
			this.selector.selectNow();
			for (SelectionKey key : this.selector.selectedKeys()) {
				DatagramChannel client = (DatagramChannel) key.channel();
				InetSocketAddress from;
				while ((from = (InetSocketAddress) client.receive(buffer.clear())) != null) {
					assertThat(from).as("where the reply came from").isEqualTo(this.listener);
					assertThat(replies.add(US_ASCII.decode(buffer.flip()).toString())).as("a reply seen once").isTrue();
				}
			}
			this.selector.selectedKeys().clear();
			if (replies.size() < count) {
				this.selector.select(100);
			}
		}
		while (replies.size() < count && System.nanoTime() < deadline);
		return replies;
	}

	private double metric(String name) {
		return this.actuator.metric(name, "listener:spread");
	}

}
