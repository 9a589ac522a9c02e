package dev.socketgateway.listener;

import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;

import dev.socketgateway.SocketGatewayApplication;
import org.junit.jupiter.api.Test;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A listener that cannot bind stops startup, naming the listener, the protocol and the port. */
class BusyPortIntegrationTests {

	@Test
	void aBusyTcpPortFailsStartupWithOneEventLoop() throws Exception {
		try (ServerSocket squatter = new ServerSocket()) {
			squatter.bind(new InetSocketAddress(0));
			int port = squatter.getLocalPort();
			assertThatThrownBy(() -> start("--gateway.listeners.tcp.port=" + port,
					"--gateway.listeners.tcp.event-loops=1", "--gateway.listeners.udp.port=0"))
				.hasStackTraceContaining("Listener 'tcp' (tcp, port " + port);
		}
	}

	@Test
	void aBusyTcpPortFailsStartupWithSeveralEventLoopsSharingThePort() throws Exception {
		try (ServerSocket squatter = new ServerSocket()) {
			squatter.bind(new InetSocketAddress(0));
			int port = squatter.getLocalPort();
			assertThatThrownBy(() -> start("--gateway.listeners.tcp.port=" + port,
					"--gateway.listeners.tcp.event-loops=3", "--gateway.listeners.udp.port=0"))
				.hasStackTraceContaining("Listener 'tcp' (tcp, port " + port);
		}
	}

	@Test
	void aBusyUdpPortFailsStartup() throws Exception {
		try (DatagramSocket squatter = new DatagramSocket(0)) {
			int port = squatter.getLocalPort();
			assertThatThrownBy(() -> start("--gateway.listeners.tcp.port=0", "--gateway.listeners.udp.port=" + port))
				.hasStackTraceContaining("Listener 'udp' (udp, port " + port);
		}
	}

	@Test
	void aBusyUdpPortFailsStartupWithSeveralReceiveThreadsSharingThePort() throws Exception {
		try (DatagramSocket squatter = new DatagramSocket(0)) {
			int port = squatter.getLocalPort();
			assertThatThrownBy(() -> start("--gateway.listeners.tcp.port=0", "--gateway.listeners.udp.port=" + port,
					"--gateway.listeners.udp.receive-threads=4"))
				.hasStackTraceContaining("Listener 'udp' (udp, port " + port);
		}
	}

	@Test
	void aUdpPortHeldBySoReusePortSocketsOfAnotherProgramFailsStartupRatherThanJoiningThem() throws Exception {
		try (DatagramSocket squatter = new DatagramSocket((SocketAddress) null)) {
			squatter.setOption(StandardSocketOptions.SO_REUSEPORT, true);
			squatter.bind(new InetSocketAddress(0));
			int port = squatter.getLocalPort();
			assertThatThrownBy(() -> start("--gateway.listeners.tcp.port=0", "--gateway.listeners.udp.port=" + port,
					"--gateway.listeners.udp.receive-threads=4"))
				.hasStackTraceContaining("Listener 'udp' (udp, port " + port);
		}
	}

	private static void start(String... args) {
		new SpringApplicationBuilder(SocketGatewayApplication.class).web(WebApplicationType.NONE).run(args).close();
	}

}
