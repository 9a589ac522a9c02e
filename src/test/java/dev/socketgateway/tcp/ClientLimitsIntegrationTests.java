package dev.socketgateway.tcp;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import javax.net.ssl.SSLSocket;

import dev.socketgateway.GatewayTest;
import dev.socketgateway.listener.ListenerRegistry;
import dev.socketgateway.tcp.FramedClients.Framing;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.test.context.TestPropertySource;

import static dev.socketgateway.GatewayClients.TIMEOUT;
import static dev.socketgateway.GatewayClients.ascii;
import static dev.socketgateway.GatewayClients.concat;
import static dev.socketgateway.GatewayClients.hasIpv6Loopback;
import static dev.socketgateway.GatewayClients.readExactly;
import static dev.socketgateway.GatewayClients.send;
import static dev.socketgateway.GatewayClients.tcp;
import static dev.socketgateway.GatewayClients.text;
import static dev.socketgateway.tcp.FramedClients.assertClosedByServer;
import static dev.socketgateway.tcp.FramedClients.roundTrip;
import static dev.socketgateway.tcp.FramedClients.servedAgain;
import static dev.socketgateway.tcp.ProxyHeaderReaderTests.v1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Per-client limits on TCP listeners as clients see them: max-connections-per-client exactly reached and one over,
 * counted per IPv6 /64 and per client a PROXY header names; client-message-rate holding a client back while
 * answering every message it sent, in order, and not holding back another client; and both under a dry run.
 */
@GatewayTest
@TestPropertySource(properties = {
		"gateway.listeners.per-client.protocol=tcp", "gateway.listeners.per-client.port=0",
		"gateway.listeners.per-client.framing=line", "gateway.listeners.per-client.max-connections-per-client=2",
		"gateway.listeners.per-client.busy-message=" + ClientLimitsIntegrationTests.BUSY,
		"gateway.listeners.dry-run.protocol=tcp", "gateway.listeners.dry-run.port=0",
		"gateway.listeners.dry-run.bind-address=127.0.0.1", "gateway.listeners.dry-run.framing=line",
		"gateway.listeners.dry-run.max-connections-per-client=1",
		"gateway.listeners.dry-run.client-message-rate=1", "gateway.listeners.dry-run.client-message-burst=5",
		"gateway.listeners.dry-run.client-limits-dry-run=true",
		"gateway.listeners.proxied.protocol=tcp", "gateway.listeners.proxied.port=0",
		"gateway.listeners.proxied.bind-address=127.0.0.1", "gateway.listeners.proxied.framing=line",
		"gateway.listeners.proxied.proxy-protocol=required",
		"gateway.listeners.proxied.proxy-trusted-cidrs=127.0.0.0/8",
		"gateway.listeners.proxied.max-connections-per-client=1",
		"gateway.listeners.proxied.busy-message=" + ClientLimitsIntegrationTests.BUSY,
		"gateway.listeners.rated.protocol=tcp", "gateway.listeners.rated.port=0",
		"gateway.listeners.rated.bind-address=127.0.0.1", "gateway.listeners.rated.framing=line",
		"gateway.listeners.rated.event-loops=1", "gateway.listeners.rated.proxy-protocol=required",
		"gateway.listeners.rated.proxy-trusted-cidrs=127.0.0.0/8",
		"gateway.listeners.rated.client-message-rate=" + ClientLimitsIntegrationTests.RATE,
		"gateway.listeners.rated.client-message-burst=" + ClientLimitsIntegrationTests.BURST,
		"spring.ssl.bundle.pem.test.keystore.certificate=classpath:tls/server.crt",
		"spring.ssl.bundle.pem.test.keystore.private-key=classpath:tls/server.key",
		"gateway.listeners.rated-tls.protocol=tcp", "gateway.listeners.rated-tls.port=0",
		"gateway.listeners.rated-tls.bind-address=127.0.0.1", "gateway.listeners.rated-tls.framing=line",
		"gateway.listeners.rated-tls.ssl.bundle=test",
		"gateway.listeners.rated-tls.client-message-rate=" + ClientLimitsIntegrationTests.RATE,
		"gateway.listeners.rated-tls.client-message-burst=" + ClientLimitsIntegrationTests.BURST })
@ExtendWith(OutputCaptureExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ClientLimitsIntegrationTests {

	static final String BUSY = "too many from you";

	static final int RATE = 20;

	static final int BURST = 5;

	@Autowired
	private ListenerRegistry registry;

	@Autowired
	private MeterRegistry meters;

	@Test
	void aClientGetsExactlyItsLimitOfConnectionsAndOneMoreIsToldItIsBusyAndClosed(CapturedOutput output)
			throws IOException {
		double before = rejected("per-client", "per-client-limit");
		try (Socket first = tcp(port("per-client")); Socket second = tcp(port("per-client"))) {
			roundTrip(first, Framing.LINE_CRLF, "first");
			roundTrip(second, Framing.LINE_CRLF, "second");
			try (Socket third = tcp(port("per-client"))) {
				assertThat(text(readExactly(third, BUSY.length() + 2))).isEqualTo(BUSY + "\r\n");
				assertClosedByServer(third);
			}
			await().atMost(TIMEOUT)
				.untilAsserted(() -> assertThat(rejected("per-client", "per-client-limit")).isEqualTo(before + 1));
			assertThat(output.getOut()).contains("Listener 'per-client' peer 127.0.0.1:")
				.contains("client 127.0.0.1 has max-connections-per-client (2) open; connection refused");
			roundTrip(first, Framing.LINE_CRLF, "first again");
			roundTrip(second, Framing.LINE_CRLF, "second again");

			first.close();
			int port = port("per-client");
			await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(50)).until(() -> servedAgain(port, BUSY));
			roundTrip(second, Framing.LINE_CRLF, "second still");
		}
	}

	@Test
	void ipv6ClientsAreCountedByTheirSlash64ApartFromIpv4Clients() throws IOException {
		assumeTrue(hasIpv6Loopback(), "no IPv6 loopback on this machine");
		try (Socket first = tcp("::1", port("per-client")); Socket second = tcp("::1", port("per-client"));
				Socket ipv4 = tcp(port("per-client")); Socket ipv4Too = tcp(port("per-client"))) {
			roundTrip(first, Framing.LINE_CRLF, "first over ipv6");
			roundTrip(second, Framing.LINE_CRLF, "second over ipv6");
			roundTrip(ipv4, Framing.LINE_CRLF, "another client, over ipv4");
			roundTrip(ipv4Too, Framing.LINE_CRLF, "and its second connection");
			try (Socket third = tcp("::1", port("per-client"))) {
				assertThat(text(readExactly(third, BUSY.length() + 2))).isEqualTo(BUSY + "\r\n");
				assertClosedByServer(third);
			}
			roundTrip(ipv4, Framing.LINE_CRLF, "unaffected");
		}
	}

	@Test
	void underADryRunTheConnectionOverTheLimitIsServedAndCountedApart(CapturedOutput output) throws IOException {
		double refused = rejected("dry-run", "per-client-limit");
		double dryRun = rejected("dry-run", "per-client-limit-dry-run");
		try (Socket first = tcp(port("dry-run")); Socket second = tcp(port("dry-run"))) {
			roundTrip(first, Framing.LINE_CRLF, "first");
			roundTrip(second, Framing.LINE_CRLF, "second, over the limit");
		}
		await().atMost(TIMEOUT)
			.untilAsserted(() -> assertThat(rejected("dry-run", "per-client-limit-dry-run")).isEqualTo(dryRun + 1));
		assertThat(rejected("dry-run", "per-client-limit")).isEqualTo(refused);
		assertThat(output.getOut()).contains("Listener 'dry-run' peer 127.0.0.1:")
			.contains("client 127.0.0.1 has max-connections-per-client (1) open; connection served (client-limits-dry-run)");
	}

	@Test
	void underADryRunMessagesOverTheRateAreAnsweredAtOnceAndCountedApart(CapturedOutput output) throws IOException {
		double delayed = rateLimited("dry-run", false);
		double over = rateLimited("dry-run", true);
		int messages = 20;
		try (Socket client = tcp(port("dry-run"))) {
			send(client, concat(IntStream.range(0, messages).mapToObj((i) -> line("dry " + i)).toArray(byte[][]::new)));
			for (int i = 0; i < messages; i++) {
				assertThat(text(readExactly(client, line("dry " + i).length))).isEqualTo(upper("dry " + i));
			}
		}
		await().atMost(TIMEOUT)
			.untilAsserted(() -> assertThat(rateLimited("dry-run", true)).isEqualTo(over + messages - BURST));
		assertThat(rateLimited("dry-run", false)).isEqualTo(delayed);
		assertThat(output.getOut()).contains("client 127.0.0.1 is over client-message-rate (1/s) by")
			.contains("served (client-limits-dry-run)");
	}

	@Test
	void behindProxyProtocolEachClientTheHeaderNamesHasItsOwnCount(CapturedOutput output) throws IOException {
		double before = rejected("proxied", "per-client-limit");
		try (Socket a = tcp(port("proxied")); Socket b = tcp(port("proxied"))) {
			send(a, v1("TCP4", "203.0.113.1", "127.0.0.1", 41001, 7878));
			roundTrip(a, Framing.LINE_CRLF, "client a");
			send(b, v1("TCP4", "203.0.113.2", "127.0.0.1", 41002, 7878));
			roundTrip(b, Framing.LINE_CRLF, "client b, from the same balancer");
			try (Socket againA = tcp(port("proxied"))) {
				send(againA, v1("TCP4", "203.0.113.1", "127.0.0.1", 41003, 7878));
				assertThat(text(readExactly(againA, BUSY.length() + 2))).isEqualTo(BUSY + "\r\n");
				assertClosedByServer(againA);
			}
			await().atMost(TIMEOUT)
				.untilAsserted(() -> assertThat(rejected("proxied", "per-client-limit")).isEqualTo(before + 1));
			assertThat(output.getOut()).contains(
					"Listener 'proxied' peer 203.0.113.1:41003: client 203.0.113.1 has max-connections-per-client (1) open");
			roundTrip(a, Framing.LINE_CRLF, "a still");
			roundTrip(b, Framing.LINE_CRLF, "b still");
		}
	}

	/**
	 * The throttled client pipelines every message at once; it is answered at the rate, every message in order,
	 * while a second client on the same event loop finishes its exchanges before the first is done.
	 */
	@Test
	void aClientOverTheRateGetsEveryReplyInOrderLaterWhileAnotherIsAnsweredAtOnce(CapturedOutput output)
			throws Exception {
		int messages = 45;
		double delayed = rateLimited("rated", false);
		List<String> requests = IntStream.range(0, messages).mapToObj((i) -> String.format("m-%02d", i)).toList();
		CountDownLatch firstReplies = new CountDownLatch(BURST);
		CountDownLatch allReplies = new CountDownLatch(messages);
		try (Socket throttled = tcp(port("rated")); Socket other = tcp(port("rated"))) {
			CompletableFuture<List<String>> replies = CompletableFuture
				.supplyAsync(() -> readLines(throttled, messages, firstReplies, allReplies));
			long start = System.nanoTime();
			send(throttled, concat(v1("TCP4", "198.51.100.1", "127.0.0.1", 42001, 7878),
					concat(requests.stream().map(ClientLimitsIntegrationTests::line).toArray(byte[][]::new))));
			assertThat(firstReplies.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();

			send(other, v1("TCP4", "198.51.100.2", "127.0.0.1", 42002, 7878));
			for (int i = 0; i < BURST; i++) {
				roundTrip(other, Framing.LINE_CRLF, "other " + i);
			}
			assertThat(allReplies.getCount()).as("the throttled client is still held back").isPositive();

			assertThat(allReplies.await(30, TimeUnit.SECONDS)).isTrue();
			long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
			assertThat(replies.get()).containsExactlyElementsOf(requests.stream().map(ClientLimitsIntegrationTests::upper)
				.map((reply) -> reply.substring(0, reply.length() - 2)).toList());
			assertThat(elapsedMillis).as("no faster than the rate after the burst")
				.isGreaterThanOrEqualTo((messages - BURST - 2) * 1000L / RATE);
		}
		assertThat(rateLimited("rated", false) - delayed).as("messages delayed")
			.isBetween((double) messages - 2 * BURST - 5, (double) messages);
		assertThat(output.getOut())
			.contains("Listener 'rated' peer 198.51.100.1:42001: client 198.51.100.1 is over client-message-rate (20/s)");
	}

	/** Reads are sized to the tokens in bytes, which cut TLS records apart: every message still gets its reply. */
	@Test
	void overTlsAClientOverTheRateGetsEveryReplyInOrder() throws Exception {
		int messages = 3 * BURST;
		double delayed = rateLimited("rated-tls", false);
		List<String> requests = IntStream.range(0, messages).mapToObj((i) -> "tls " + i).toList();
		try (Socket raw = tcp(port("rated-tls"));
				SSLSocket tls = (SSLSocket) TlsIntegrationTests.clientContext(false)
					.getSocketFactory()
					.createSocket(raw, "localhost", port("rated-tls"), true)) {
			tls.startHandshake();
			long start = System.nanoTime();
			for (String request : requests) {
				send(tls, line(request)); // a TLS record each
			}
			for (String request : requests) {
				assertThat(text(readExactly(tls, line(request).length))).isEqualTo(upper(request));
			}
			assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).as("no faster than the rate")
				.isGreaterThanOrEqualTo((messages - BURST - 2) * 1000L / RATE);
		}
		assertThat(rateLimited("rated-tls", false)).as("messages delayed").isGreaterThan(delayed);
	}

	/** Reads {@code count} CRLF-terminated lines, counting each down on both latches. */
	private static List<String> readLines(Socket socket, int count, CountDownLatch first, CountDownLatch all) {
		List<String> lines = new ArrayList<>();
		try {
			InputStream in = socket.getInputStream();
			StringBuilder current = new StringBuilder();
			while (lines.size() < count) {
				int next = in.read();
				if (next < 0) {
					throw new IOException("closed after " + lines.size() + " lines: " + lines);
				}
				if (next == '\n') {
					lines.add(current.toString().strip());
					current.setLength(0);
					first.countDown();
					all.countDown();
				}
				else {
					current.append((char) next);
				}
			}
			return lines;
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static byte[] line(String text) {
		return ascii(text + "\r\n");
	}

	private static String upper(String text) {
		return text.toUpperCase(Locale.ROOT) + "\r\n";
	}

	private int port(String listener) {
		return this.registry.listener(listener).port();
	}

	private double rejected(String listener, String reason) {
		return this.meters.get("gateway.connections.rejected")
			.tags("listener", listener, "reason", reason)
			.counter()
			.count();
	}

	private double rateLimited(String listener, boolean dryRun) {
		return this.meters.get("gateway.rate-limited")
			.tags("listener", listener, "dry-run", String.valueOf(dryRun))
			.counter()
			.count();
	}

}
