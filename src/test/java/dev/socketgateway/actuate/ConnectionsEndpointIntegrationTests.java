package dev.socketgateway.actuate;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.Socket;
import java.net.http.HttpResponse;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;


import static dev.socketgateway.GatewayClients.TIMEOUT;
import static dev.socketgateway.GatewayClients.exchange;
import static dev.socketgateway.GatewayClients.tcp;
import static dev.socketgateway.GatewayClients.udp;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code /actuator/connections} with its default, read-only access: operators see who is connected and
 * what each client sent and received, and cannot close anything.
 */
@ObservedGateway
class ConnectionsEndpointIntegrationTests extends ActuatorTestSupport {

	@Test
	void aConnectedClientIsListedWithItsPortAndWhatItSentAndReceived() throws IOException {
		try (Socket client = tcp(this.registry.listener("tcp").port())) {
			assertThat(exchange(client, "hello".getBytes(UTF_8), 5)).asString(UTF_8).isEqualTo("HELLO");
			int clientPort = client.getLocalPort();
			await().atMost(TIMEOUT).untilAsserted(() -> {
				JsonNode tcp = this.actuator.json("/actuator/connections").path("tcp");
				assertThat(tcp.path("protocol").asString()).isEqualTo("tcp");
				assertThat(tcp.path("port").asInt()).isEqualTo(this.registry.listener("tcp").port());
				assertThat(tcp.path("active").asInt()).isGreaterThanOrEqualTo(1);
				JsonNode connection = connectionFrom(tcp, clientPort);
				assertThat(connection).as("connection from port %d in %s", clientPort, tcp).isNotNull();
				assertThat(connection.path("id").asLong()).isPositive();
				assertThat(connection.path("remoteAddress").asString()).isEqualTo("127.0.0.1");
				assertThat(connection.path("bytesReceived").asLong()).isEqualTo(5);
				assertThat(connection.path("bytesSent").asLong()).isEqualTo(5);
				assertThat(connection.path("messagesReceived").asLong()).isEqualTo(1);
				assertThat(connection.path("messagesSent").asLong()).isEqualTo(1);
				assertThat(connection.path("openedAt").asString()).isNotBlank();
				assertThat(connection.path("lastActivity").asString()).isNotBlank();
			});
			JsonNode one = this.actuator.json("/actuator/connections/tcp");
			assertThat(one.path("protocol").asString()).isEqualTo("tcp");
			assertThat(connectionFrom(one, clientPort)).isNotNull();
		}
	}

	@Test
	void aClientBehindAProxyProtocolBalancerIsListedWithItsOwnAddressAndTheBalancers() throws IOException {
		try (Socket balancer = tcp(this.registry.listener("proxied").port())) {
			balancer.getOutputStream().write("PROXY TCP4 203.0.113.7 127.0.0.1 40123 7878\r\n".getBytes(UTF_8));
			assertThat(exchange(balancer, "proxied".getBytes(UTF_8), 7)).asString(UTF_8).isEqualTo("PROXIED");
			await().atMost(TIMEOUT).untilAsserted(() -> {
				JsonNode connection = connectionFrom(this.actuator.json("/actuator/connections/proxied"), 40123);
				assertThat(connection).isNotNull();
				assertThat(connection.path("remoteAddress").asString()).isEqualTo("203.0.113.7");
				assertThat(connection.path("proxiedBy").asString()).isEqualTo("127.0.0.1:" + balancer.getLocalPort());
			});
		}
	}

	@Test
	void aUdpPeerIsListedWithItsPortAndDatagramCount() throws IOException {
		try (DatagramSocket client = udp(this.registry.listener("udp").port())) {
			for (String text : new String[] { "one", "two", "three" }) {
				assertThat(exchange(client, text.getBytes(UTF_8))).asString(UTF_8).isEqualTo(text.toUpperCase());
			}
			JsonNode udp = this.actuator.json("/actuator/connections/udp");
			assertThat(udp.path("protocol").asString()).isEqualTo("udp");
			assertThat(udp.path("port").asInt()).isEqualTo(this.registry.listener("udp").port());
			assertThat(udp.path("connections")).as("UDP has no connections").isEmpty();
			assertThat(udp.path("active").asInt()).isGreaterThanOrEqualTo(1);
			JsonNode peer = null;
			for (JsonNode candidate : udp.path("peers")) {
				if (candidate.path("port").asInt() == client.getLocalPort()) {
					peer = candidate;
				}
			}
			assertThat(peer).as("peer from port %d in %s", client.getLocalPort(), udp).isNotNull();
			assertThat(peer.path("address").asString()).isEqualTo("127.0.0.1");
			assertThat(peer.path("datagrams").asLong()).isEqualTo(3);
			assertThat(peer.path("lastSeen").asString()).isNotBlank();
		}
	}

	@Test
	void anUnknownListenerIsNotFound() {
		assertThat(this.actuator.get("/actuator/connections/no-such-listener").statusCode()).isEqualTo(404);
	}

	@Test
	void closingAConnectionIsRefusedWhileTheEndpointIsReadOnly() throws IOException {
		try (Socket client = tcp(this.registry.listener("tcp").port())) {
			assertThat(exchange(client, "hello".getBytes(UTF_8), 5)).asString(UTF_8).isEqualTo("HELLO");
			long id = await().atMost(TIMEOUT)
				.until(() -> connectionFrom(this.actuator.json("/actuator/connections/tcp"), client.getLocalPort()),
						(connection) -> connection != null)
				.path("id")
				.asLong();

			HttpResponse<String> delete = this.actuator.delete("/actuator/connections/tcp/" + id);
			assertThat(delete.statusCode()).as(delete.body()).isBetween(400, 499);

			assertThat(exchange(client, "still open".getBytes(UTF_8), 10)).asString(UTF_8).isEqualTo("STILL OPEN");
			assertThat(connectionFrom(this.actuator.json("/actuator/connections/tcp"), client.getLocalPort()))
				.isNotNull();
		}
	}

	/** The listed connection whose remote port is the client's local port, or null. */
	static JsonNode connectionFrom(JsonNode listener, int clientPort) {
		for (JsonNode connection : listener.path("connections")) {
			if (connection.path("remotePort").asInt() == clientPort) {
				return connection;
			}
		}
		return null;
	}

}
