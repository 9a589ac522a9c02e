package dev.socketgateway.tcp;

import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;

import dev.socketgateway.GatewayTest;
import dev.socketgateway.listener.ListenerRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

import static dev.socketgateway.GatewayClients.exchange;
import static dev.socketgateway.GatewayClients.hasIpv6Loopback;
import static dev.socketgateway.GatewayClients.tcp;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** A TCP listener with {@code bind-address: 127.0.0.1} listens on that address and no other. */
@GatewayTest
@TestPropertySource(properties = {
		"gateway.listeners.loopback.protocol=tcp",
		"gateway.listeners.loopback.port=0",
		"gateway.listeners.loopback.bind-address=127.0.0.1" })
class TcpBindAddressIntegrationTests {

	@Autowired
	private ListenerRegistry registry;

	private int port;

	@BeforeEach
	void findPort() {
		this.port = this.registry.listener("loopback").port();
	}

	@Test
	void listenerBoundToIpv4LoopbackServesIpv4Loopback() throws IOException {
		try (Socket socket = tcp("127.0.0.1", this.port)) {
			assertThat(exchange(socket, "bound to one address")).isEqualTo("BOUND TO ONE ADDRESS");
		}
	}

	@Test
	void listenerBoundToIpv4LoopbackRefusesIpv6Loopback() {
		assumeTrue(hasIpv6Loopback(), "this machine has no IPv6 loopback address ::1");
		assertThatThrownBy(() -> tcp("::1", this.port).close()).isInstanceOf(ConnectException.class);
	}

}
