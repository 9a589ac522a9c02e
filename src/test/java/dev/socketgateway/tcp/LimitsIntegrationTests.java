package dev.socketgateway.tcp;

import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.socketgateway.LoopbackGatewayTest;
import dev.socketgateway.listener.ListenerRegistry;
import dev.socketgateway.tcp.FramedClients.Framing;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.test.context.TestPropertySource;

import static dev.socketgateway.GatewayClients.ascii;
import static dev.socketgateway.GatewayClients.readExactly;
import static dev.socketgateway.GatewayClients.send;
import static dev.socketgateway.GatewayClients.tcp;
import static dev.socketgateway.GatewayClients.text;
import static dev.socketgateway.tcp.FramedClients.assertClosedByServer;
import static dev.socketgateway.tcp.FramedClients.readUntilClosed;
import static dev.socketgateway.tcp.FramedClients.roundTrip;
import static dev.socketgateway.tcp.FramedClients.servedAgain;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * max-frame-bytes, idle-timeout and max-connections as a client sees them: what is answered, what closes
 * the connection, and that only the offending connection is affected.
 */
@LoopbackGatewayTest
@TestPropertySource(properties = {
		"gateway.listeners.line.protocol=tcp",
		"gateway.listeners.line.port=0",
		"gateway.listeners.line.bind-address=127.0.0.1",
		"gateway.listeners.line.framing=line",
		"gateway.listeners.line.max-frame-bytes=1000",
		"gateway.listeners.stx.protocol=tcp",
		"gateway.listeners.stx.port=0",
		"gateway.listeners.stx.bind-address=127.0.0.1",
		"gateway.listeners.stx.framing=stx-etx",
		"gateway.listeners.stx.max-frame-bytes=1000",
		"gateway.listeners.len2.protocol=tcp",
		"gateway.listeners.len2.port=0",
		"gateway.listeners.len2.bind-address=127.0.0.1",
		"gateway.listeners.len2.framing=length-header-2",
		"gateway.listeners.len2.max-frame-bytes=1000",
		"gateway.listeners.len4.protocol=tcp",
		"gateway.listeners.len4.port=0",
		"gateway.listeners.len4.bind-address=127.0.0.1",
		"gateway.listeners.len4.framing=length-header-4",
		"gateway.listeners.len4.max-frame-bytes=1000",
		"gateway.listeners.bigline.protocol=tcp",
		"gateway.listeners.bigline.port=0",
		"gateway.listeners.bigline.bind-address=127.0.0.1",
		"gateway.listeners.bigline.framing=line",
		"gateway.listeners.bigstx.protocol=tcp",
		"gateway.listeners.bigstx.port=0",
		"gateway.listeners.bigstx.bind-address=127.0.0.1",
		"gateway.listeners.bigstx.framing=stx-etx",
		"gateway.listeners.biglen4.protocol=tcp",
		"gateway.listeners.biglen4.port=0",
		"gateway.listeners.biglen4.bind-address=127.0.0.1",
		"gateway.listeners.biglen4.framing=length-header-4",
		"gateway.listeners.warned.protocol=tcp",
		"gateway.listeners.warned.port=0",
		"gateway.listeners.warned.bind-address=127.0.0.1",
		"gateway.listeners.warned.framing=line",
		"gateway.listeners.warned.max-frame-bytes=8",
		"gateway.listeners.idle.protocol=tcp",
		"gateway.listeners.idle.port=0",
		"gateway.listeners.idle.bind-address=127.0.0.1",
		"gateway.listeners.idle.framing=line",
		"gateway.listeners.idle.idle-timeout=500ms",
		"gateway.listeners.capped.protocol=tcp",
		"gateway.listeners.capped.port=0",
		"gateway.listeners.capped.bind-address=127.0.0.1",
		"gateway.listeners.capped.framing=line",
		"gateway.listeners.capped.max-connections=2",
		"gateway.listeners.capped.busy-message=busy, try later" })
@ExtendWith(OutputCaptureExtension.class)
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class LimitsIntegrationTests {

	@Autowired
	private ListenerRegistry registry;

	@ParameterizedTest
	@EnumSource(Limited.class)
	void aFrameOfExactlyMaxFrameBytesIsAnswered(Limited limited) throws IOException {
		try (Socket client = connect(limited.listener)) {
			byte[] request = limited.frame(payload('m', limited.max));
			byte[] expected = limited.frame(payload('M', limited.max));
			send(client, request);
			assertThat(readExactly(client, expected.length)).isEqualTo(expected);
			roundTrip(client, limited.framing, "and after it");
		}
	}

	@ParameterizedTest
	@EnumSource(Limited.class)
	void oneByteOverTheLimitClosesOnlyThatConnection(Limited limited) throws IOException {
		try (Socket bystander = connect(limited.listener); Socket offender = connect(limited.listener)) {
			roundTrip(bystander, limited.framing, "before");
			roundTrip(offender, limited.framing, "valid first");
			sendTolerantly(offender, limited.frame(payload('o', limited.max + 1)));
			if (limited.isLine()) {
				assertThat(text(readExactly(offender, limited.errorLine().length()))).isEqualTo(limited.errorLine());
			}
			assertClosedByServer(offender);
			roundTrip(bystander, limited.framing, "after");
		}
	}

	@Test
	void aLineOfExactlyMaxFrameBytesIsAnsweredWhateverItsTerminator() throws IOException {
		try (Socket client = connect("line")) {
			send(client, ascii("l".repeat(1000) + "\n"));
			assertThat(text(readExactly(client, 1001))).isEqualTo("L".repeat(1000) + "\n");
			send(client, ascii("l".repeat(999) + "\r"));
			send(client, ascii("\n"));
			assertThat(text(readExactly(client, 1001))).isEqualTo("L".repeat(999) + "\r\n");
		}
	}

	@Test
	void anOversizeLineIsRefusedBeforeItsEndArrives() throws IOException {
		try (Socket bystander = connect("line"); Socket offender = connect("line")) {
			sendTolerantly(offender, ascii("x".repeat(1001)));
			assertThat(text(readExactly(offender, Limited.LINE.errorLine().length()))).isEqualTo(Limited.LINE.errorLine());
			assertClosedByServer(offender);
			roundTrip(bystander, Framing.LINE_CRLF, "unaffected");
		}
	}

	/** Like every line the server sends, the ERROR line ends the way the client ends its lines. */
	@Test
	void theErrorLineEndsWithTheTerminatorTheClientUses() throws IOException {
		try (Socket client = connect("line")) {
			send(client, ascii("lf only\n"));
			assertThat(text(readExactly(client, 8))).isEqualTo("LF ONLY\n");
			sendTolerantly(client, ascii("x".repeat(1001) + "\n"));
			assertThat(visible(readUntilClosed(client))).isEqualTo("ERROR frame exceeds 1000 bytes\\n");
		}
	}

	@ParameterizedTest
	@EnumSource(value = Limited.class, names = { "STX_ETX", "BIG_STX_ETX" })
	void anStxEtxFrameOverTheLimitIsRefusedBeforeItsEtxArrives(Limited limited) throws IOException {
		try (Socket bystander = connect(limited.listener); Socket offender = connect(limited.listener)) {
			byte[] unfinished = limited.frame(payload('s', limited.max + 1));
			sendTolerantly(offender, Arrays.copyOf(unfinished, unfinished.length - 1));
			assertClosedByServer(offender);
			roundTrip(bystander, limited.framing, "unaffected");
		}
	}

	@ParameterizedTest
	@EnumSource(value = Limited.class, names = { "LENGTH_HEADER_2", "LENGTH_HEADER_4", "BIG_LENGTH_HEADER_4" })
	void aHeaderAnnouncingAHugeFrameClosesTheConnectionWithoutWaitingForThePayload(Limited limited) throws IOException {
		byte[] huge = (limited.framing.headerBytes() == 2) ? new byte[] { (byte) 0xFF, (byte) 0xFF }
				: new byte[] { 0x7F, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF };
		byte[] oneOver = limited.frame(payload('h', limited.max + 1));
		try (Socket bystander = connect(limited.listener)) {
			for (byte[] header : List.of(huge, Arrays.copyOf(oneOver, limited.framing.headerBytes()))) {
				try (Socket offender = connect(limited.listener)) {
					send(offender, header);
					assertClosedByServer(offender);
				}
				roundTrip(bystander, limited.framing, "unaffected");
			}
		}
	}

	@Test
	void oversizeFramesAreLoggedAtMostOnceASecondNamingListenerAndPeer(CapturedOutput output) throws IOException {
		long start = System.nanoTime();
		List<Integer> peers = new ArrayList<>();
		for (int i = 0; i < 5; i++) {
			try (Socket client = connect("warned")) {
				peers.add(client.getLocalPort());
				sendTolerantly(client, ascii("123456789\r\n"));
				assertThat(text(readExactly(client, 29))).isEqualTo("ERROR frame exceeds 8 bytes\r\n");
				assertClosedByServer(client);
			}
		}
		long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
		List<String> warnings = output.getAll()
			.lines()
			.filter((line) -> line.contains("WARN") && line.contains("Listener 'warned'"))
			.toList();
		assertThat(warnings).isNotEmpty();
		assertThat(warnings.get(0)).contains("Listener 'warned' peer 127.0.0.1:" + peers.get(0))
			.contains("frame exceeds 8 bytes");
		assertThat(warnings).as("five events within %d ms", elapsedMillis)
			.hasSizeLessThanOrEqualTo(1 + (int) (elapsedMillis / 1000));
	}

	@Test
	void aSilentConnectionIsClosedOnceIdleForLongerThanTheIdleTimeout() throws IOException {
		try (Socket client = connect("idle")) {
			send(client, ascii("hello\n"));
			assertThat(text(readExactly(client, 6))).isEqualTo("HELLO\n");
			long answeredAt = System.nanoTime();
			client.setSoTimeout(50);
			await().atMost(Duration.ofSeconds(5)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(10))
				.until(() -> readOrNothing(client) == -1);
			long closedAfterMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - answeredAt);
			assertThat(closedAfterMillis).as("closed only after the idle timeout").isGreaterThanOrEqualTo(400);
		}
	}

	@Test
	void aConnectionWithTrafficOutlivesTheIdleTimeoutWhileASilentOneBesideItIsClosed() throws IOException {
		try (Socket active = connect("idle"); Socket silent = connect("idle")) {
			AtomicInteger round = new AtomicInteger();
			await().atMost(Duration.ofSeconds(10)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(100))
				.until(() -> {
					String request = "ping " + round.incrementAndGet() + "\n";
					send(active, ascii(request));
					assertThat(text(readExactly(active, request.length()))).isEqualTo(request.toUpperCase(Locale.ROOT));
					return round.get() >= 20; // 2 s of traffic, four times the idle timeout
				});
			assertThat(text(readUntilClosed(silent))).isEmpty();
			roundTrip(active, Framing.LINE_CRLF, "still open");
		}
	}

	@Test
	void aConnectionOverMaxConnectionsGetsTheBusyMessageAndIsClosedWhileTheOthersKeepWorking() throws IOException {
		try (Socket first = connect("capped"); Socket second = connect("capped")) {
			roundTrip(first, Framing.LINE_CRLF, "first");
			roundTrip(second, Framing.LINE_CRLF, "second");
			try (Socket third = connect("capped")) {
				assertThat(text(readExactly(third, 17))).isEqualTo("busy, try later\r\n");
				assertThat(third.getInputStream().read()).as("end of stream").isEqualTo(-1);
			}
			roundTrip(first, Framing.LINE_CRLF, "first again");
			roundTrip(second, Framing.LINE_CRLF, "second again");

			first.close();
			int port = this.registry.listener("capped").port();
			await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
				.until(() -> servedAgain(port, "busy, try later"));
			roundTrip(second, Framing.LINE_CRLF, "second still");
		}
	}

	// ---- helpers ----

	/** The listeners with a frame limit, and how their clients frame a payload. */
	enum Limited {

		LINE("line", 1000, Framing.LINE_CRLF),

		BIG_LINE("bigline", 65_536, Framing.LINE_CRLF),

		STX_ETX("stx", 1000, Framing.STX_ETX),

		BIG_STX_ETX("bigstx", 65_536, Framing.STX_ETX),

		LENGTH_HEADER_2("len2", 1000, Framing.LENGTH_HEADER_2),

		LENGTH_HEADER_4("len4", 1000, Framing.LENGTH_HEADER_4),

		BIG_LENGTH_HEADER_4("biglen4", 65_536, Framing.LENGTH_HEADER_4);

		private final String listener;

		private final int max;

		private final Framing framing;

		Limited(String listener, int max, Framing framing) {
			this.listener = listener;
			this.max = max;
			this.framing = framing;
		}

		boolean isLine() {
			return this.framing == Framing.LINE_CRLF;
		}

		String errorLine() {
			return "ERROR frame exceeds " + this.max + " bytes\r\n";
		}

		byte[] frame(byte[] payload) {
			return this.framing.frame(payload);
		}

	}

	private Socket connect(String listener) throws IOException {
		return tcp(this.registry.listener(listener).port());
	}

	/** For input the server may refuse, and close the connection, while it is still being written. */
	private static void sendTolerantly(Socket socket, byte[] bytes) {
		try {
			send(socket, bytes);
		}
		catch (IOException ex) {
			// what the server did about it is asserted by reading
		}
	}

	/** -1 at the end of the stream, -2 if nothing arrived within the socket timeout. */
	private static int readOrNothing(Socket socket) throws IOException {
		try {
			int next = socket.getInputStream().read();
			assertThat(next).as("no bytes expected, only the end of the stream").isEqualTo(-1);
			return next;
		}
		catch (SocketTimeoutException ex) {
			return -2;
		}
	}

	private static byte[] payload(char letter, int length) {
		return ascii(String.valueOf(letter).repeat(length));
	}

	/** CR and LF spelled out, so a failure shows which line end arrived. */
	private static String visible(byte[] bytes) {
		return text(bytes).replace("\r", "\\r").replace("\n", "\\n");
	}

}
