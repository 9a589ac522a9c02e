package dev.socketgateway.listener;

import java.io.IOException;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

import dev.socketgateway.SocketGatewayApplication;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;

import static dev.socketgateway.GatewayClients.exchange;
import static dev.socketgateway.GatewayClients.send;
import static dev.socketgateway.GatewayClients.tcp;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Shutdown turns readiness DOWN while the listeners still accept, so a load balancer stops sending before
 * anything is refused; then requests already received are answered and connections closed.
 */
@ExtendWith(OutputCaptureExtension.class)
class DrainingShutdownIntegrationTests {

	@Test
	void readinessTurnsDownWhileListenersStillAcceptThenInFlightRequestsAreAnswered(CapturedOutput output)
			throws IOException {
		List<String> seen = new ArrayList<>();
		ConfigurableApplicationContext context = new SpringApplicationBuilder(SocketGatewayApplication.class)
			.run("--server.port=0", "--gateway.listeners.tcp.port=0", "--gateway.listeners.udp.port=0");
		ListenerRegistry registry = context.getBean(ListenerRegistry.class);
		context.addApplicationListener((ApplicationListener<AvailabilityChangeEvent<?>>) (event) -> {
			if (event.getState() == ReadinessState.REFUSING_TRAFFIC) {
				seen.add("readiness down, tcp listening=" + registry.listener("tcp").isListening());
			}
		});
		try (Socket client = tcp(registry.listener("tcp").port())) {
			assertThat(exchange(client, "before")).isEqualTo("BEFORE");
			send(client, "in flight".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
			context.close();
			assertThat(new String(client.getInputStream().readNBytes(9), java.nio.charset.StandardCharsets.US_ASCII))
				.isEqualTo("IN FLIGHT");
			assertThat(client.getInputStream().read()).as("closed after the drain").isEqualTo(-1);
		}
		assertThat(seen).containsExactly("readiness down, tcp listening=true");
		assertThat(output.getOut()).as("the drain accounts for every request")
			.contains("Listener 'tcp' drained: 2 messages received, 2 replies sent");
		assertThat(registry.listener("tcp").isListening()).isFalse();
	}

}
