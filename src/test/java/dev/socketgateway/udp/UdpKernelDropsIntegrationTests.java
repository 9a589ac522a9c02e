package dev.socketgateway.udp;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.socketgateway.GatewayTest;
import dev.socketgateway.actuate.ObservabilityClients;
import dev.socketgateway.listener.ListenerRegistry;
import dev.socketgateway.transform.GatewayTransformer;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.test.context.TestPropertySource;

import static dev.socketgateway.GatewayClients.TIMEOUT;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A burst larger than a UDP listener's receive buffer, while its receive thread is busy: the kernel drops what does
 * not fit, and {@code gateway.errors{reason=receive-buffer-full}} shows exactly how many, so that what was answered
 * and what was counted add up to what was sent; the count stays through a pause and a restart on new sockets.
 */
@GatewayTest(webEnvironment = WebEnvironment.RANDOM_PORT)
@TestPropertySource(properties = {
		"gateway.listeners.held.protocol=udp",
		"gateway.listeners.held.port=0",
		"gateway.listeners.held.bind-address=127.0.0.1",
		"gateway.listeners.held.receive-threads=1",
		"gateway.listeners.held.receive-buffer-bytes=16384" })
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UdpKernelDropsIntegrationTests {

	private static final int BURST = 1_000;

	/** Counted down when the listener's thread is held in the transformer by the first datagram. */
	private static final CountDownLatch held = new CountDownLatch(1);

	private static final CountDownLatch release = new CountDownLatch(1);

	@Autowired
	private ListenerRegistry registry;

	@LocalServerPort
	private int httpPort;

	@Autowired
	private ConfigurableApplicationContext context;

	@Autowired
	private MeterRegistry meters;

	@Test
	void aBurstBeyondTheReceiveBufferIsAnsweredOrCountedAsDroppedDatagramForDatagram() throws Exception {
		ObservabilityClients actuator = new ObservabilityClients(this.httpPort);
		InetSocketAddress listener = new InetSocketAddress("127.0.0.1", this.registry.listener("held").port());
		double dropsBefore = drops(actuator);
		double receivedBefore = actuator.metric("gateway.messages.received", "listener:held");
		Set<String> replies = new HashSet<>();
		try (DatagramChannel client = DatagramChannel.open()) {
			client.setOption(StandardSocketOptions.SO_RCVBUF, 4 * 1024 * 1024);
			client.connect(listener);
			try {
				client.write(ByteBuffer.wrap("first".getBytes(US_ASCII)));
				assertThat(held.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)).as("the thread is held").isTrue();
				for (int i = 0; i < BURST; i++) {
					client.write(ByteBuffer.wrap(("burst " + i).getBytes(US_ASCII)));
				}
			}
			finally {
				release.countDown();
			}
			await().atMost(TIMEOUT).untilAsserted(() -> {
				replies.addAll(UdpReceiveBufferIntegrationTests.replies(client, 0));
				assertThat(replies.size() + drops(actuator) - dropsBefore).isEqualTo(BURST + 1);
			});
		}
		double dropped = drops(actuator) - dropsBefore;
		assertThat(dropped).as("dropped by the kernel").isPositive();
		assertThat(replies).contains("FIRST").hasSize(BURST + 1 - (int) dropped);
		assertThat(actuator.metric("gateway.messages.received", "listener:held") - receivedBefore)
			.isEqualTo(replies.size());
		String series = "gateway_errors_total{listener=\"held\",protocol=\"udp\",reason=\"receive-buffer-full\"} ";
		assertThat(actuator.get("/actuator/prometheus").body().lines().filter((line) -> line.startsWith(series)))
			.as("the Prometheus series").singleElement()
			.satisfies((line) -> assertThat(Double.parseDouble(line.substring(series.length())))
				.isEqualTo(drops(actuator)));

		double total = drops(actuator);
		this.registry.listener("held").pause();
		this.registry.listener("held").resume();
		assertThat(drops(actuator)).as("after a pause").isEqualTo(total);
		this.context.stop();
		this.context.start();
		assertThat(this.registry.listener("held").isListening()).isTrue();
		assertThat(this.meters.get("gateway.errors").tags("listener", "held", "reason", "receive-buffer-full")
			.functionCounter()
			.count()).as("after the listener restarted on new sockets").isEqualTo(total);
	}

	private static double drops(ObservabilityClients actuator) {
		return actuator.metric("gateway.errors", "listener:held", "reason:receive-buffer-full");
	}

	@TestConfiguration(proxyBeanMethods = false)
	static class HoldingTransformerConfiguration {

		/** Upper case; on listener 'held', the first datagram holds the thread until the test releases it. */
		@Bean
		GatewayTransformer holdingTransformer() {
			AtomicBoolean first = new AtomicBoolean(true);
			return (listener, charset) -> (payload) -> {
				if ("held".equals(listener) && first.getAndSet(false)) {
					held.countDown();
					try {
						release.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
					}
					catch (InterruptedException ex) {
						Thread.currentThread().interrupt();
					}
				}
				return new String(payload, charset).toUpperCase(Locale.ROOT).getBytes(charset);
			};
		}

	}

}
