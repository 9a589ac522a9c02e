package dev.socketgateway.tcp;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.net.ssl.SSLSocket;

import dev.socketgateway.GatewayTest;
import dev.socketgateway.listener.ConnectionInfo;
import dev.socketgateway.listener.ListenerRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.test.context.TestPropertySource;

import static dev.socketgateway.GatewayClients.TIMEOUT;
import static dev.socketgateway.GatewayClients.ascii;
import static dev.socketgateway.GatewayClients.concat;
import static dev.socketgateway.GatewayClients.exchange;
import static dev.socketgateway.GatewayClients.send;
import static dev.socketgateway.GatewayClients.tcp;
import static dev.socketgateway.tcp.FramedClients.readUntilClosed;
import static dev.socketgateway.tcp.ProxyHeaderReaderTests.v1;
import static dev.socketgateway.tcp.TlsIntegrationTests.clientContext;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The session log over real sockets: one line per finished connection on listeners with session-log on, refused
 * ones included, with the client, the TLS details, the duration, the bytes and messages each way as the client
 * counted them, and the reason it closed; every reason is provoked here (shutdown is in
 * {@link SessionLogProcessIntegrationTests}). The packaged {@code tcp} listener has it off, and logs nothing.
 */
@GatewayTest
@TestPropertySource(properties = {
		"gateway.listeners.s-line.protocol=tcp", "gateway.listeners.s-line.port=0",
		"gateway.listeners.s-line.framing=line", "gateway.listeners.s-line.quit-command=bye",
		"gateway.listeners.s-line.max-frame-bytes=16", "gateway.listeners.s-line.session-log=true",
		"gateway.listeners.s-idle.protocol=tcp", "gateway.listeners.s-idle.port=0",
		"gateway.listeners.s-idle.idle-timeout=300ms", "gateway.listeners.s-idle.session-log=true",
		"gateway.listeners.s-stx.protocol=tcp", "gateway.listeners.s-stx.port=0",
		"gateway.listeners.s-stx.framing=stx-etx", "gateway.listeners.s-stx.session-log=true",
		"gateway.listeners.s-hoard.protocol=tcp", "gateway.listeners.s-hoard.port=0",
		"gateway.listeners.s-hoard.max-pending-write-bytes=1024", "gateway.listeners.s-hoard.session-log=true",
		"gateway.listeners.s-allow.protocol=tcp", "gateway.listeners.s-allow.port=0",
		"gateway.listeners.s-allow.allowed-cidrs=192.0.2.0/24", "gateway.listeners.s-allow.session-log=true",
		"gateway.listeners.s-busy.protocol=tcp", "gateway.listeners.s-busy.port=0",
		"gateway.listeners.s-busy.max-connections=1", "gateway.listeners.s-busy.busy-message=busy",
		"gateway.listeners.s-busy.session-log=true",
		"gateway.listeners.s-client.protocol=tcp", "gateway.listeners.s-client.port=0",
		"gateway.listeners.s-client.max-connections-per-client=1", "gateway.listeners.s-client.busy-message=busy",
		"gateway.listeners.s-client.session-log=true",
		"gateway.listeners.s-drain.protocol=tcp", "gateway.listeners.s-drain.port=0",
		"gateway.listeners.s-drain.framing=line", "gateway.listeners.s-drain.drain-message=bye for now",
		"gateway.listeners.s-drain.drain-window=100ms", "gateway.listeners.s-drain.session-log=true",
		"gateway.listeners.s-proxy.protocol=tcp", "gateway.listeners.s-proxy.port=0",
		"gateway.listeners.s-proxy.proxy-protocol=required", "gateway.listeners.s-proxy.proxy-trusted-cidrs=127.0.0.0/8",
		"gateway.listeners.s-proxy.allowed-cidrs=192.0.2.0/24", "gateway.listeners.s-proxy.session-log=true",
		"spring.ssl.bundle.pem.test.keystore.certificate=classpath:tls/server.crt",
		"spring.ssl.bundle.pem.test.keystore.private-key=classpath:tls/server.key",
		"spring.ssl.bundle.pem.test.truststore.certificate=classpath:tls/client.crt",
		"gateway.listeners.s-tls.protocol=tcp", "gateway.listeners.s-tls.port=0",
		"gateway.listeners.s-tls.framing=line", "gateway.listeners.s-tls.ssl.bundle=test",
		"gateway.listeners.s-tls.ssl.client-auth=need", "gateway.listeners.s-tls.session-log=true" })
@ExtendWith(OutputCaptureExtension.class)
class SessionLogIntegrationTests {

	@RegisterExtension
	final SessionLines lines = new SessionLines();

	@Autowired
	private ListenerRegistry registry;

	@Autowired
	private MeterRegistry meters;

	@Test
	void aClientThatClosesGetsALineWithItsCountsItsDurationAndClientClosed() throws IOException {
		long started = System.nanoTime();
		int clientPort;
		try (Socket client = tcp(port("s-line"))) {
			clientPort = client.getLocalPort();
			assertThat(exchange(client, "hello\nworld\n")).isEqualTo("HELLO\nWORLD\n");
		}
		Map<String, Object> line = this.lines.awaitLine("s-line", clientPort);
		assertThat(line).containsEntry("remoteAddress", "127.0.0.1")
			.containsEntry("bytesReceived", 12L)
			.containsEntry("bytesSent", 12L)
			.containsEntry("messagesReceived", 2L)
			.containsEntry("messagesSent", 2L)
			.containsEntry("reason", "client-closed")
			.doesNotContainKeys("proxiedBy", "tlsProtocol");
		assertThat((long) line.get("connection")).isPositive();
		assertDuration(line, 0, started);
	}

	@Test
	void theQuitCommandEndsTheSessionWithQuit() throws IOException {
		Map<String, Object> line = closedByServer("s-line", ascii("hello\nbye\n"), "HELLO\nBYE\n".length());
		assertThat(line).containsEntry("messagesReceived", 2L).containsEntry("messagesSent", 2L)
			.containsEntry("reason", "quit");
	}

	@Test
	void aFrameOverMaxFrameBytesEndsWithFrameTooLarge() throws IOException {
		Map<String, Object> line = closedByServer("s-line", ascii("a".repeat(17)), "ERROR frame exceeds 16 bytes".length());
		assertThat(line).containsEntry("messagesReceived", 0L).containsEntry("reason", "frame-too-large");
	}

	@Test
	void bytesOutsideAFrameEndWithMalformed() throws IOException {
		Map<String, Object> line = closedByServer("s-stx", concat(new byte[] { 2, 'h', 'i', 3 }, ascii("x")), 4);
		assertThat(line).containsEntry("messagesReceived", 1L).containsEntry("messagesSent", 1L)
			.containsEntry("reason", "malformed");
	}

	@Test
	void anIdleConnectionEndsWithIdleTimeoutOnceTheTimeoutHasPassed() throws IOException {
		long started = System.nanoTime();
		int clientPort;
		try (Socket client = tcp(port("s-idle"))) {
			clientPort = client.getLocalPort();
			assertThat(exchange(client, "hi")).isEqualTo("HI");
			assertThat(readUntilClosed(client)).isEmpty();
		}
		Map<String, Object> line = this.lines.awaitLine("s-idle", clientPort);
		assertThat(line).containsEntry("bytesReceived", 2L).containsEntry("bytesSent", 2L)
			.containsEntry("reason", "idle-timeout");
		assertDuration(line, 300, started);
	}

	@Test
	void aResetEndsWithReset() throws IOException {
		int clientPort;
		try (Socket client = tcp(port("s-line"))) {
			clientPort = client.getLocalPort();
			assertThat(exchange(client, "hi\n")).isEqualTo("HI\n");
			client.setSoLinger(true, 0); // close() sends RST instead of FIN
		}
		assertThat(this.lines.awaitLine("s-line", clientPort)).containsEntry("bytesReceived", 3L)
			.containsEntry("messagesSent", 1L)
			.containsEntry("reason", "reset");
	}

	@Test
	void aClientThatDoesNotReadItsRepliesEndsWithWriteFailed() throws Exception {
		try (Socket hoarder = new Socket()) {
			hoarder.setReceiveBufferSize(4096);
			hoarder.connect(new InetSocketAddress("127.0.0.1", port("s-hoard")), (int) TIMEOUT.toMillis());
			CompletableFuture<Void> flood = CompletableFuture.runAsync(() -> {
				byte[] chunk = new byte[64 * 1024];
				Arrays.fill(chunk, (byte) 'a');
				try {
					OutputStream out = hoarder.getOutputStream();
					for (int i = 0; i < 1024; i++) {
						out.write(chunk);
					}
				}
				catch (IOException ex) {
					// the server closed the connection: what the test waits for
				}
			});
			flood.get(30, TimeUnit.SECONDS);
			Map<String, Object> line = this.lines.awaitLine("s-hoard", hoarder.getLocalPort());
			assertThat(line).containsEntry("reason", "write-failed");
			assertThat((long) line.get("messagesReceived")).isPositive();
			assertThat((long) line.get("bytesSent")).isGreaterThan(1024);
		}
	}

	@Test
	void aFailedTlsHandshakeEndsWithTlsHandshake() throws IOException {
		Map<String, Object> line = closedByServer("s-tls", ascii("not a client hello\r\n"), -1);
		assertThat(line).containsEntry("reason", "tls-handshake").doesNotContainKey("tlsProtocol");
	}

	@Test
	void aTlsSessionNamesItsProtocolCipherAndClientCertificate() throws IOException {
		int clientPort;
		try (SSLSocket client = TlsIntegrationTests.connect(clientContext(true), port("s-tls"))) {
			clientPort = client.getLocalPort();
			send(client, ascii("secret\n"));
			assertThat(new String(client.getInputStream().readNBytes(7), UTF_8)).isEqualTo("SECRET\n");
		}
		Map<String, Object> line = this.lines.awaitLine("s-tls", clientPort);
		assertThat(line).containsEntry("tlsProtocol", "TLSv1.3")
			.containsEntry("tlsClientSubject", "CN=gateway-test-client")
			.containsEntry("messagesReceived", 1L)
			.containsEntry("reason", "client-closed");
		assertThat((String) line.get("tlsCipher")).startsWith("TLS_");
		assertThat((String) line.get(SessionLines.MESSAGE)).contains(" tlsProtocol=TLSv1.3 ")
			.contains(" tlsClientSubject=\"CN=gateway-test-client\" ");
	}

	@Test
	void aBadRecordAfterTheTlsHandshakeEndsWithMalformed() throws IOException {
		try (Socket plain = tcp(port("s-tls"));
				SSLSocket client = (SSLSocket) clientContext(true).getSocketFactory()
					.createSocket(plain, "127.0.0.1", plain.getPort(), false)) {
			send(client, ascii("hi\n"));
			assertThat(new String(client.getInputStream().readNBytes(3), UTF_8)).isEqualTo("HI\n");
			byte[] forged = new byte[5 + 32];
			forged[0] = 23; // application data, TLS 1.2 on the wire, 32 bytes that no key made
			forged[1] = 3;
			forged[2] = 3;
			forged[4] = 32;
			send(plain, forged);
			readUntilClosed(plain);
			assertThat(this.lines.awaitLine("s-tls", plain.getLocalPort())).containsEntry("tlsProtocol", "TLSv1.3")
				.containsEntry("messagesSent", 1L)
				.containsEntry("reason", "malformed");
		}
	}

	@Test
	void aBadProxyHeaderEndsWithProxyHeader() throws IOException {
		Map<String, Object> line = closedByServer("s-proxy", ascii("GET / HTTP/1.0\r\n\r\n"), 0);
		assertThat(line).containsEntry("reason", "proxy-header").doesNotContainKey("proxiedBy");
	}

	@Test
	void aProxiedClientIsLoggedAsTheHeaderNamesItWithItsBalancer() throws IOException {
		int balancerPort;
		try (Socket balancer = tcp(port("s-proxy"))) {
			balancerPort = balancer.getLocalPort();
			send(balancer, concat(v1("TCP4", "192.0.2.7", "127.0.0.1", 40008, 7878), ascii("hello")));
			assertThat(new String(balancer.getInputStream().readNBytes(5), UTF_8)).isEqualTo("HELLO");
		}
		assertThat(this.lines.awaitLine("s-proxy", 40008)).containsEntry("remoteAddress", "192.0.2.7")
			.containsEntry("proxiedBy", "127.0.0.1:" + balancerPort)
			.containsEntry("messagesSent", 1L)
			.containsEntry("reason", "client-closed");
	}

	@Test
	void aProxiedClientOutsideAllowedCidrsEndsWithNotAllowed() throws IOException {
		try (Socket balancer = tcp(port("s-proxy"))) {
			send(balancer, v1("TCP4", "203.0.113.7", "127.0.0.1", 40007, 7878));
			assertThat(readUntilClosed(balancer)).isEmpty();
			assertThat(this.lines.awaitLine("s-proxy", 40007)).containsEntry("remoteAddress", "203.0.113.7")
				.containsEntry("proxiedBy", "127.0.0.1:" + balancer.getLocalPort())
				.containsEntry("reason", "not-allowed");
		}
	}

	@Test
	void aClientRefusedByAllowedCidrsGetsALineWithNotAllowed() throws IOException {
		Map<String, Object> line = closedByServer("s-allow", new byte[0], 0);
		assertThat(line).containsEntry("reason", "not-allowed");
	}

	@Test
	void aClientOverMaxConnectionsGetsALineWithTheBusyMessageCountedAndMaxConnections() throws IOException {
		try (Socket first = tcp(port("s-busy"))) {
			assertThat(exchange(first, "first")).isEqualTo("FIRST");
			Map<String, Object> line = closedByServer("s-busy", new byte[0], "busy".length());
			assertThat(line).containsEntry("reason", "max-connections");
		}
	}

	@Test
	void aConnectionOverMaxConnectionsPerClientIsRefusedWithPerClientLimit() throws IOException {
		try (Socket first = tcp(port("s-client"))) {
			assertThat(exchange(first, "first")).isEqualTo("FIRST");
			Map<String, Object> line = closedByServer("s-client", new byte[0], "busy".length());
			assertThat(line).containsEntry("reason", "per-client-limit").containsEntry("messagesReceived", 0L);
		}
	}

	@Test
	void aConnectionOfADrainedListenerEndsWithDrainedAfterItsRepliesAndTheDrainMessage() throws IOException {
		try (Socket client = tcp(port("s-drain"))) {
			assertThat(exchange(client, "one\n")).isEqualTo("ONE\n");
			this.registry.listener("s-drain").drain();
			try {
				assertThat(new String(readUntilClosed(client), UTF_8)).isEqualTo("bye for now\n");
				assertThat(this.lines.awaitLine("s-drain", client.getLocalPort())).containsEntry("reason", "drained")
					.containsEntry("messagesReceived", 1L)
					.containsEntry("messagesSent", 1L);
			}
			finally {
				this.registry.listener("s-drain").resume();
			}
		}
	}

	@Test
	void aConnectionClosedByAnOperatorEndsWithClosedByOperator() throws IOException {
		try (Socket client = tcp(port("s-line"))) {
			assertThat(exchange(client, "hi\n")).isEqualTo("HI\n");
			long id = this.registry.listener("s-line").connections().stream()
				.filter((info) -> info.remotePort() == client.getLocalPort())
				.mapToLong(ConnectionInfo::id)
				.findFirst()
				.orElseThrow();
			assertThat(this.registry.listener("s-line").closeConnection(id)).isTrue();
			assertThat(readUntilClosed(client)).isEmpty();
			assertThat(this.lines.awaitLine("s-line", client.getLocalPort())).containsEntry("connection", id)
				.containsEntry("reason", "closed-by-operator");
		}
	}

	@Test
	void aListenerWithTheSessionLogOffLogsNothing() throws IOException {
		double closed = closedCount("tcp");
		try (Socket client = tcp(port("tcp"))) {
			assertThat(exchange(client, "quiet")).isEqualTo("QUIET");
		}
		await().atMost(TIMEOUT).until(() -> closedCount("tcp") > closed);
		await().during(Duration.ofMillis(300)).atMost(TIMEOUT).until(() -> this.lines.of("tcp").isEmpty());
	}

	@Test
	void thePlainConsoleLineSpellsOutTheFieldsAsKeyValuePairs(CapturedOutput output) throws IOException {
		int clientPort;
		try (Socket client = tcp(port("s-line"))) {
			clientPort = client.getLocalPort();
			assertThat(exchange(client, "hello\n")).isEqualTo("HELLO\n");
		}
		Pattern pattern = Pattern.compile("^.*remotePort=" + clientPort + " .*$", Pattern.MULTILINE);
		String line = await().atMost(TIMEOUT).until(() -> {
			Matcher matcher = pattern.matcher(output.getOut());
			return matcher.find() ? matcher.group() : null;
		}, (found) -> found != null);
		assertThat(line).contains(" INFO ", "dev.socketgateway.session")
			.containsPattern(" : listener=s-line connection=\\d+ remoteAddress=127.0.0.1 remotePort=" + clientPort
					+ " durationMs=\\d+ bytesReceived=6 bytesSent=6 messagesReceived=1 messagesSent=1"
					+ " reason=client-closed$");
	}

	/**
	 * Connects, sends {@code request}, reads until the server closes, and returns the connection's line, having
	 * checked its byte counts against what the client sent and read.
	 * @param expectedReply the bytes the client is to read before the close, or -1 for any number
	 */
	private Map<String, Object> closedByServer(String listener, byte[] request, int expectedReply) throws IOException {
		long started = System.nanoTime();
		try (Socket client = tcp(port(listener))) {
			if (request.length > 0) {
				send(client, request);
			}
			byte[] reply = readUntilClosed(client);
			if (expectedReply >= 0) {
				assertThat(reply).as("bytes before the close").hasSizeGreaterThanOrEqualTo(expectedReply);
			}
			Map<String, Object> line = this.lines.awaitLine(listener, client.getLocalPort());
			assertThat(line).containsEntry("bytesReceived", (long) request.length)
				.containsEntry("bytesSent", (long) reply.length);
			assertDuration(line, 0, started);
			return line;
		}
	}

	/** The line's duration lies between {@code atLeastMillis} and the time since the client started connecting. */
	private static void assertDuration(Map<String, Object> line, long atLeastMillis, long startedNanos) {
		long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos);
		assertThat((long) line.get("durationMs")).isBetween(atLeastMillis, elapsed);
	}

	private double closedCount(String listener) {
		return this.meters.get("gateway.connections.closed").tags("listener", listener).counter().count();
	}

	private int port(String listener) {
		return this.registry.listener(listener).port();
	}

}
