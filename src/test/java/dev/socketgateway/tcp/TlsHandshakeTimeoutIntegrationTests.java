package dev.socketgateway.tcp;

import java.io.IOException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSocket;

import dev.socketgateway.GatewayTest;
import dev.socketgateway.listener.ListenerRegistry;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.test.context.TestPropertySource;

import static dev.socketgateway.GatewayClients.TIMEOUT;
import static dev.socketgateway.GatewayClients.exchange;
import static dev.socketgateway.GatewayClients.send;
import static dev.socketgateway.GatewayClients.tcp;
import static dev.socketgateway.tcp.FramedClients.assertClosedByServer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * ssl.handshake-timeout over real sockets: a client that connects to a TLS listener and says nothing, and one
 * that stops halfway through its ClientHello, are closed once the deadline passes, while a client whose
 * handshake completed stays open however long it is quiet.
 */
@GatewayTest
@TestPropertySource(properties = {
		"spring.ssl.bundle.pem.test.keystore.certificate=classpath:tls/server.crt",
		"spring.ssl.bundle.pem.test.keystore.private-key=classpath:tls/server.key",
		"gateway.listeners.deadline.protocol=tcp",
		"gateway.listeners.deadline.port=0",
		"gateway.listeners.deadline.ssl.bundle=test",
		"gateway.listeners.deadline.ssl.handshake-timeout=1s" })
@ExtendWith(OutputCaptureExtension.class)
class TlsHandshakeTimeoutIntegrationTests {

	private static final long DEADLINE_MILLIS = 1000;

	private static final SSLContext CLIENT = TlsIntegrationTests.clientContext(false);

	@Autowired
	private ListenerRegistry registry;

	@Autowired
	private MeterRegistry meters;

	@Test
	void silentAndStalledHandshakesAreClosedAtTheDeadlineWhileACompletedOneStaysOpen(CapturedOutput output)
			throws IOException {
		Counter handshakeErrors = this.meters.get("gateway.errors")
			.tags("listener", "deadline", "reason", "tls-handshake")
			.counter();
		double before = handshakeErrors.count();
		try (SSLSocket completed = TlsIntegrationTests.connect(CLIENT, port())) {
			assertThat(exchange(completed, "handshake done")).isEqualTo("HANDSHAKE DONE");
			long start = System.nanoTime();
			try (Socket silent = tcp(port()); Socket stalled = tcp(port())) {
				send(stalled, Arrays.copyOf(clientHello(), 20));
				assertClosedByServer(silent);
				assertClosedByServer(stalled);
				long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
				assertThat(elapsed).as("closed at the deadline, not before or long after")
					.isBetween(DEADLINE_MILLIS - 10, DEADLINE_MILLIS + 3000);
			}
			await().atMost(TIMEOUT).untilAsserted(() -> assertThat(handshakeErrors.count() - before).isEqualTo(2));
			assertThat(exchange(completed, "quiet for longer than the deadline"))
				.isEqualTo("QUIET FOR LONGER THAN THE DEADLINE");
		}
		assertThat(output).contains("Listener 'deadline' peer 127.0.0.1:")
			.contains("TLS handshake not completed within 1s; closing connection");
	}

	private int port() {
		return this.registry.listener("deadline").port();
	}

	/** The first record a TLS client sends: its ClientHello. */
	private static byte[] clientHello() throws IOException {
		SSLEngine engine = CLIENT.createSSLEngine("localhost", 443);
		engine.setUseClientMode(true);
		ByteBuffer records = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
		engine.wrap(ByteBuffer.allocate(0), records);
		byte[] hello = Arrays.copyOf(records.array(), records.position());
		assertThat(hello).hasSizeGreaterThan(20);
		assertThat(hello[0]).as("a handshake record").isEqualTo((byte) 22);
		return hello;
	}

}
