package dev.socketgateway.udp;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.SocketTimeoutException;
import java.util.concurrent.TimeUnit;

import dev.socketgateway.LoopbackGatewayTest;
import dev.socketgateway.listener.ListenerRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.test.context.TestPropertySource;

import static dev.socketgateway.GatewayClients.TIMEOUT;
import static dev.socketgateway.GatewayClients.ascii;
import static dev.socketgateway.GatewayClients.receive;
import static dev.socketgateway.GatewayClients.send;
import static dev.socketgateway.GatewayClients.text;
import static dev.socketgateway.GatewayClients.udp;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * client-message-rate on UDP listeners: of a burst sent faster than the bucket refills, exactly the datagrams over
 * the bucket are dropped, unanswered and counted; under a dry run they are answered and counted apart.
 */
@LoopbackGatewayTest
@TestPropertySource(properties = {
		"gateway.listeners.rated.protocol=udp", "gateway.listeners.rated.port=0",
		"gateway.listeners.rated.bind-address=127.0.0.1", "gateway.listeners.rated.client-message-rate=1",
		"gateway.listeners.rated.client-message-burst=" + UdpClientRateIntegrationTests.BURST,
		"gateway.listeners.dry-run.protocol=udp", "gateway.listeners.dry-run.port=0",
		"gateway.listeners.dry-run.bind-address=127.0.0.1", "gateway.listeners.dry-run.client-message-rate=1",
		"gateway.listeners.dry-run.client-message-burst=" + UdpClientRateIntegrationTests.BURST,
		"gateway.listeners.dry-run.client-limits-dry-run=true" })
@ExtendWith(OutputCaptureExtension.class)
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class UdpClientRateIntegrationTests {

	static final int BURST = 5;

	/** Datagrams sent over the bucket; at 1 token a second, no token comes back while they are sent. */
	private static final int OVER = 3;

	@Autowired
	private ListenerRegistry registry;

	@Autowired
	private MeterRegistry meters;

	@Test
	void exactlyTheDatagramsOverTheBucketAreDroppedAndCounted(CapturedOutput output) throws IOException {
		double dropped = rateLimited("rated", false);
		double answered = count("gateway.messages.sent", "rated");
		try (DatagramSocket client = udp(port("rated"))) {
			for (int i = 0; i < BURST + OVER; i++) {
				send(client, ascii("datagram " + i));
			}
			await().atMost(TIMEOUT).untilAsserted(() -> {
				assertThat(rateLimited("rated", false) - dropped).as("dropped").isEqualTo(OVER);
				assertThat(count("gateway.messages.sent", "rated") - answered).as("answered").isEqualTo(BURST);
			});
			for (int i = 0; i < BURST; i++) {
				assertThat(text(receive(client))).isEqualTo("DATAGRAM " + i);
			}
			client.setSoTimeout(200); // every datagram is accounted for above: no reply can still be on its way
			assertThatExceptionOfType(SocketTimeoutException.class).isThrownBy(() -> receive(client));
		}
		assertThat(rateLimited("rated", true)).isZero();
		assertThat(output.getOut()).contains("Listener 'rated' peer 127.0.0.1:")
			.contains("client 127.0.0.1 is over client-message-rate (1/s); datagram dropped");
	}

	@Test
	void underADryRunEveryDatagramIsAnsweredAndThoseOverTheBucketAreCountedApart(CapturedOutput output)
			throws IOException {
		double over = rateLimited("dry-run", true);
		try (DatagramSocket client = udp(port("dry-run"))) {
			for (int i = 0; i < BURST + OVER; i++) {
				send(client, ascii("datagram " + i));
			}
			for (int i = 0; i < BURST + OVER; i++) {
				assertThat(text(receive(client))).isEqualTo("DATAGRAM " + i);
			}
		}
		await().atMost(TIMEOUT).untilAsserted(() -> assertThat(rateLimited("dry-run", true) - over).isEqualTo(OVER));
		assertThat(rateLimited("dry-run", false)).isZero();
		assertThat(output.getOut()).contains("datagram answered (client-limits-dry-run)");
	}

	private int port(String listener) {
		return this.registry.listener(listener).port();
	}

	private double rateLimited(String listener, boolean dryRun) {
		return this.meters.get("gateway.rate-limited")
			.tags("listener", listener, "dry-run", String.valueOf(dryRun))
			.counter()
			.count();
	}

	private double count(String meter, String listener) {
		return this.meters.get(meter).tags("listener", listener).counter().count();
	}

}
