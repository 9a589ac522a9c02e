package dev.socketgateway.tcp;

import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.socketgateway.GatewayProcess;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static dev.socketgateway.GatewayClients.exchange;
import static dev.socketgateway.GatewayClients.tcp;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The session log as a log pipeline reads it: the service run as an operator runs it, with
 * {@code LOGGING_STRUCTURED_FORMAT_CONSOLE=ecs}, writes each session as one JSON line whose fields are JSON fields
 * (numbers as numbers) and whose message does not repeat them; and a connection still open at SIGTERM ends with
 * {@code shutdown}.
 */
class SessionLogProcessIntegrationTests {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	@Test
	void anEcsConsoleWritesEachSessionAsJsonFieldsAndSigtermEndsOpenOnesWithShutdown() throws Exception {
		try (GatewayProcess process = GatewayProcess.start(Map.of("LOGGING_STRUCTURED_FORMAT_CONSOLE", "ecs",
				"GATEWAY_LISTENERS_TCP_PORT", "0", "GATEWAY_LISTENERS_TCP_BINDADDRESS", "127.0.0.1",
				"GATEWAY_LISTENERS_TCP_SESSIONLOG", "true", "GATEWAY_LISTENERS_UDP_ENABLED", "false"))) {
			await().atMost(Duration.ofSeconds(60)).until(() -> process.listening().containsKey("tcp") || !process.isAlive());
			int port = process.listening().get("tcp");
			int closedPort;
			try (Socket closed = tcp(port)) {
				closedPort = closed.getLocalPort();
				assertThat(exchange(closed, "hello")).isEqualTo("HELLO");
			}
			try (Socket open = tcp(port)) {
				assertThat(exchange(open, "still here")).isEqualTo("STILL HERE");
				await().atMost(Duration.ofSeconds(10)).until(() -> sessionOf(process, closedPort) != null);
				process.terminate();
				assertThat(open.getInputStream().read()).as("closed by the shutdown").isEqualTo(-1);
				assertThat(process.waitFor(Duration.ofSeconds(30))).as("exited").isTrue();

				JsonNode clientClosed = sessionOf(process, closedPort);
				assertThat(clientClosed.path("log").path("level").asString()).isEqualTo("INFO");
				assertThat(clientClosed.path("message").asString()).isEqualTo(SessionLog.STRUCTURED_MESSAGE);
				assertThat(clientClosed.path("listener").asString()).isEqualTo("tcp");
				assertThat(clientClosed.path("remoteAddress").asString()).isEqualTo("127.0.0.1");
				assertThat(clientClosed.path("remotePort").isNumber()).isTrue();
				assertThat(clientClosed.path("durationMs").isNumber()).isTrue();
				assertThat(clientClosed.path("bytesReceived").asLong()).isEqualTo(5);
				assertThat(clientClosed.path("bytesSent").asLong()).isEqualTo(5);
				assertThat(clientClosed.path("messagesReceived").asLong()).isEqualTo(1);
				assertThat(clientClosed.path("messagesSent").asLong()).isEqualTo(1);
				assertThat(clientClosed.path("reason").asString()).isEqualTo("client-closed");

				JsonNode shutdown = sessionOf(process, open.getLocalPort());
				assertThat(shutdown).as(process::output).isNotNull();
				assertThat(shutdown.path("bytesReceived").asLong()).isEqualTo(10);
				assertThat(shutdown.path("messagesSent").asLong()).isEqualTo(1);
				assertThat(shutdown.path("reason").asString()).isEqualTo("shutdown");
			}
		}
	}

	/** The JSON session line of the connection from {@code remotePort}, or null while there is none. */
	private static JsonNode sessionOf(GatewayProcess process, int remotePort) {
		List<JsonNode> sessions = process.output().lines()
			.filter((line) -> line.startsWith("{") && line.contains("\"" + SessionLog.LOGGER + "\""))
			.map(JSON::readTree)
			.filter((line) -> line.path("remotePort").asInt() == remotePort)
			.toList();
		assertThat(sessions).as("session lines of port %d", remotePort).hasSizeLessThanOrEqualTo(1);
		return sessions.isEmpty() ? null : sessions.get(0);
	}

}
