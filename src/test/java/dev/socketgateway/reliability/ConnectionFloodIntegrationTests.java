package dev.socketgateway.reliability;

import java.io.EOFException;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static dev.socketgateway.GatewayClients.ascii;
import static dev.socketgateway.GatewayClients.exchange;
import static dev.socketgateway.GatewayClients.readExactly;
import static dev.socketgateway.GatewayClients.send;
import static dev.socketgateway.GatewayClients.tcp;
import static org.assertj.core.api.Assertions.assertThat;

/** Ten times max-connections at once: exactly the surplus is refused, and the admitted ones all work. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ConnectionFloodIntegrationTests extends ReliabilityTestSupport {

	private static final int MAX = 50;

	private static final int CLIENTS = 500;

	@Test
	void fiveHundredClientsAtOnceOnAListenerOfFiftyRefuseExactlyTheSurplus() throws IOException {
		double rejected = count("gateway.connections.rejected", "capped", "reason", "max-connections");
		double opened = count("gateway.connections.opened", "capped");
		List<Socket> clients = new ArrayList<>(CLIENTS);
		int admitted = 0;
		int refused = 0;
		try {
			for (int i = 0; i < CLIENTS; i++) {
				clients.add(tcp(port("capped")));
			}
			awaiting(SETTLE).untilAsserted(() -> {
				assertThat(count("gateway.connections.rejected", "capped", "reason", "max-connections") - rejected)
					.as("rejected").isEqualTo(CLIENTS - MAX);
				assertThat(count("gateway.connections.opened", "capped") - opened).as("opened").isEqualTo(MAX);
			});
			assertThat(active("capped")).isEqualTo(MAX);
			for (int i = 0; i < CLIENTS; i++) {
				if (answers(clients.get(i), "client " + i)) {
					admitted++;
				}
				else {
					refused++;
				}
			}
			assertThat(admitted).as("clients answered").isEqualTo(MAX);
			assertThat(refused).as("clients closed by the server").isEqualTo(CLIENTS - MAX);
		}
		finally {
			for (Socket client : clients) {
				client.close();
			}
		}
		awaitNoConnections("capped");
		List<Socket> next = new ArrayList<>(MAX);
		try {
			for (int i = 0; i < MAX; i++) {
				next.add(tcp(port("capped")));
			}
			for (int i = 0; i < MAX; i++) {
				assertThat(exchange(next.get(i), "next " + i)).isEqualTo("NEXT " + i);
			}
		}
		finally {
			for (Socket client : next) {
				client.close();
			}
		}
		assertThat(count("gateway.connections.rejected", "capped", "reason", "max-connections") - rejected)
			.as("rejected after the flood").isEqualTo(CLIENTS - MAX);
		// The listener is full until it has seen the 50 closes; a fresh client before that is rightly refused.
		awaitNoConnections("capped");
		assertHealthy("capped", false);
	}

	/** @return true if the request is answered, false if the server closed the connection */
	private static boolean answers(Socket client, String request) throws IOException {
		try {
			send(client, ascii(request));
			byte[] reply = readExactly(client, request.length());
			assertThat(reply).as("reply to %s", request).isEqualTo(ascii(request.toUpperCase()));
			return true;
		}
		catch (EOFException ex) {
			assertThat(ex.getMessage()).as("nothing before the close").startsWith("Stream ended after 0 of");
			return false;
		}
		catch (SocketException ex) {
			// a reset: the refused connection was gone before the request reached it
			if (ex.getMessage() != null
					&& (ex.getMessage().contains("Connection reset") || ex.getMessage().contains("Broken pipe"))) {
				return false;
			}
			throw ex;
		}
	}

}
