package dev.socketgateway.tcp;

import java.io.IOException;
import java.net.Socket;
import java.util.List;
import java.util.Map;

import javax.net.ssl.SSLSocket;

import dev.socketgateway.GatewayTest;
import dev.socketgateway.listener.GatewayListener;
import dev.socketgateway.listener.ListenerRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.TestPropertySource;

import static dev.socketgateway.GatewayClients.TIMEOUT;
import static dev.socketgateway.GatewayClients.exchange;
import static dev.socketgateway.GatewayClients.readToEnd;
import static dev.socketgateway.GatewayClients.send;
import static dev.socketgateway.GatewayClients.tcp;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Pausing, draining and resuming TCP listeners from inside: every event loop's listening socket closes and opens
 * again on the port bound, the drain message goes through TLS after the replies, and a connection still owing its
 * PROXY header is closed without one. {@code /actuator/listeners} drives the same calls over HTTP
 * ({@code ListenersEndpointWriteIntegrationTests}).
 */
@GatewayTest
@TestPropertySource(properties = {
		"spring.ssl.bundle.pem.test.keystore.certificate=classpath:tls/server.crt",
		"spring.ssl.bundle.pem.test.keystore.private-key=classpath:tls/server.key",
		"gateway.listeners.loops.protocol=tcp",
		"gateway.listeners.loops.port=0",
		"gateway.listeners.loops.event-loops=3",
		"gateway.listeners.tls.protocol=tcp",
		"gateway.listeners.tls.port=0",
		"gateway.listeners.tls.framing=line",
		"gateway.listeners.tls.ssl.bundle=test",
		"gateway.listeners.tls.drain-message=goodbye",
		"gateway.listeners.tls.drain-window=0s",
		"gateway.listeners.proxied.protocol=tcp",
		"gateway.listeners.proxied.port=0",
		"gateway.listeners.proxied.proxy-protocol=required",
		"gateway.listeners.proxied.proxy-trusted-cidrs=127.0.0.0/8",
		"gateway.listeners.proxied.drain-message=goodbye",
		"gateway.listeners.proxied.drain-window=0s" })
@DirtiesContext
class ListenerStateIntegrationTests {

	@Autowired
	private ListenerRegistry registry;

	@Autowired
	private ApplicationContext context;

	@AfterEach
	void resumeEveryListener() {
		this.registry.listeners().forEach(GatewayListener::resume);
	}

	@Test
	void everyEventLoopClosesItsListeningSocketAndOpensItAgainOnThePortBound() {
		GatewayListener loops = this.registry.listener("loops");
		int port = loops.port();
		List<GatewayServerConnectionFactory> factories = factories("loops");
		assertThat(factories).hasSize(3).allMatch(GatewayServerConnectionFactory::isAccepting);

		loops.pause();
		assertThat(factories).noneMatch(GatewayServerConnectionFactory::isAccepting);
		assertThat(loops.port()).as("kept while paused").isEqualTo(port);

		loops.resume();
		assertThat(factories).allMatch(GatewayServerConnectionFactory::isAccepting)
			.allMatch((factory) -> factory.getPort() == port);
	}

	@Test
	void aTlsClientGetsItsRepliesThenTheDrainMessageInARecordThenTheEnd() throws IOException {
		try (SSLSocket client = TlsIntegrationTests.connect(TlsIntegrationTests.clientContext(false),
				this.registry.listener("tls").port())) {
			assertThat(exchange(client, "hello\n")).isEqualTo("HELLO\n");
			send(client, "one\ntwo\n".getBytes(UTF_8));
			this.registry.listener("tls").drain();
			assertThat(readToEnd(client, 1024)).asString(UTF_8).isEqualTo("ONE\nTWO\ngoodbye\n");
		}
	}

	@Test
	void aConnectionStillOwingItsProxyHeaderIsClosedWithoutTheDrainMessage() throws IOException {
		GatewayListener proxied = this.registry.listener("proxied");
		try (Socket client = tcp(proxied.port())) {
			await().atMost(TIMEOUT).until(() -> proxied.activeConnections() == 1);
			proxied.drain();
			assertThat(readToEnd(client, 1024)).isEmpty();
		}
	}

	private List<GatewayServerConnectionFactory> factories(String listener) {
		Map<String, GatewayServerConnectionFactory> all = this.context.getBeansOfType(GatewayServerConnectionFactory.class);
		return all.entrySet()
			.stream()
			.filter((bean) -> bean.getKey().startsWith("gateway." + listener + "."))
			.map(Map.Entry::getValue)
			.toList();
	}

}
