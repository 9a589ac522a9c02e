package dev.socketgateway.reliability;

import java.io.IOException;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static dev.socketgateway.GatewayClients.ascii;
import static dev.socketgateway.GatewayClients.send;
import static dev.socketgateway.GatewayClients.tcp;
import static org.assertj.core.api.Assertions.assertThat;

/** Clients that vanish in the middle of a frame, with a reset rather than a close. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class HalfFrameResetIntegrationTests extends ReliabilityTestSupport {

	private static final int CLIENTS = 1_000;

	private static final int BATCH = 100;

	@Test
	void aThousandClientsThatResetInTheMiddleOfALineLeaveNoConnectionBehind() throws IOException {
		double opened = count("gateway.connections.opened", "line");
		double closed = count("gateway.connections.closed", "line");
		double resets = errors("line", "reset");
		for (int batch = 0; batch < CLIENTS / BATCH; batch++) {
			List<Socket> clients = new ArrayList<>(BATCH);
			try {
				for (int i = 0; i < BATCH; i++) {
					Socket client = tcp(port("line"));
					clients.add(client);
					send(client, ascii("half a line, no line feed " + i));
				}
			}
			finally {
				for (Socket client : clients) {
					client.setSoLinger(true, 0);
					client.close();
				}
			}
		}
		awaiting(SETTLE).untilAsserted(() -> {
			assertThat(count("gateway.connections.opened", "line") - opened).as("opened").isEqualTo(CLIENTS);
			assertThat(count("gateway.connections.closed", "line") - closed).as("closed").isEqualTo(CLIENTS);
		});
		assertThat(errors("line", "reset") - resets).as("resets counted").isBetween(0.0, (double) CLIENTS);
		assertThat(errors("line", "malformed")).isZero();
		assertThat(errors("line", "frame-too-large")).isZero();
		System.out.printf("half-frame resets: %d clients, %.0f counted as reset%n", CLIENTS,
				errors("line", "reset") - resets);
		assertHealthy("line", true);
	}

}
