package dev.socketgateway.security;

import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;

import dev.socketgateway.GatewayTest;
import dev.socketgateway.listener.ListenerRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

import static dev.socketgateway.GatewayClients.ascii;
import static dev.socketgateway.GatewayClients.exchange;
import static dev.socketgateway.GatewayClients.send;
import static dev.socketgateway.GatewayClients.tcp;
import static dev.socketgateway.GatewayClients.udp;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/** Listeners that allow only other networks refuse the loopback client; one that allows it serves it. */
@GatewayTest
@TestPropertySource(properties = {
		"gateway.listeners.tcp.allowed-cidrs=10.0.0.0/8,2001:db8::/32",
		"gateway.listeners.udp.allowed-cidrs=10.0.0.0/8",
		"gateway.listeners.open.protocol=tcp", "gateway.listeners.open.port=0",
		"gateway.listeners.open.allowed-cidrs=127.0.0.0/8,::1/128" })
class AllowListIntegrationTests {

	@Autowired
	private ListenerRegistry registry;

	@Autowired
	private MeterRegistry meters;

	@Test
	void aTcpClientOutsideTheListIsClosedBeforeAnyReadAndCounted() throws IOException {
		double before = rejected("tcp");
		try (Socket client = tcp(this.registry.listener("tcp").port())) {
			InputStream in = client.getInputStream();
			int read;
			try {
				send(client, ascii("let me in"));
				read = in.read();
			}
			catch (SocketException reset) {
				read = -1;
			}
			assertThat(read).as("the server closed without answering").isEqualTo(-1);
		}
		await().untilAsserted(() -> assertThat(rejected("tcp")).isEqualTo(before + 1));
		assertThat(this.registry.listener("tcp").activeConnections()).isZero();
	}

	@Test
	void aClientInsideTheListIsServed() throws IOException {
		try (Socket client = tcp(this.registry.listener("open").port())) {
			assertThat(exchange(client, "inside")).isEqualTo("INSIDE");
		}
	}

	@Test
	void aDatagramFromOutsideTheListIsDroppedAndCounted() throws IOException {
		double before = rejected("udp");
		try (DatagramSocket client = udp(this.registry.listener("udp").port())) {
			client.setSoTimeout(500);
			send(client, ascii("let me in"));
			assertThatExceptionOfType(SocketTimeoutException.class).isThrownBy(() -> client.receive(
					new java.net.DatagramPacket(new byte[64], 64)));
		}
		await().untilAsserted(() -> assertThat(rejected("udp")).isEqualTo(before + 1));
	}

	private double rejected(String listener) {
		return this.meters.get("gateway.connections.rejected")
			.tag("listener", listener)
			.tag("reason", "not-allowed")
			.counter()
			.count();
	}

}
