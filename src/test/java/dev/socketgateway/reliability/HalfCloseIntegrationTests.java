package dev.socketgateway.reliability;

import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static dev.socketgateway.GatewayClients.readToEnd;
import static dev.socketgateway.GatewayClients.send;
import static dev.socketgateway.GatewayClients.tcp;
import static dev.socketgateway.GatewayClients.text;
import static org.assertj.core.api.Assertions.assertThat;

/** Clients that send, shut their output down, and only then read: every byte is still answered. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class HalfCloseIntegrationTests extends ReliabilityTestSupport {

	private static final int CLIENTS = 200;

	@Test
	void twoHundredClientsThatHalfCloseAfterSendingGetTheirWholeReplies() throws Exception {
		double opened = count("gateway.connections.opened", "halfclose");
		ExecutorService pool = Executors.newFixedThreadPool(8);
		try {
			List<Future<?>> clients = new ArrayList<>();
			for (int i = 0; i < CLIENTS; i++) {
				clients.add(pool.submit(() -> {
					ThreadLocalRandom random = ThreadLocalRandom.current();
					byte[] request = randomText(random, 1024 + random.nextInt(3 * 1024));
					try (Socket client = tcp(port("halfclose"))) {
						send(client, request);
						client.shutdownOutput();
						assertThat(text(readToEnd(client, request.length))).as("reply after half-close")
							.isEqualTo(text(upperCasedAscii(request)));
					}
					return null;
				}));
			}
			for (Future<?> client : clients) {
				client.get(60, TimeUnit.SECONDS);
			}
		}
		finally {
			pool.shutdownNow();
			assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
		}
		awaiting(SETTLE).untilAsserted(() -> assertThat(count("gateway.connections.opened", "halfclose") - opened)
			.isEqualTo(CLIENTS));
		assertHealthy("halfclose", false);
	}

}
