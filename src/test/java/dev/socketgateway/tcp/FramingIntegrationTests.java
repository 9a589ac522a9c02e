package dev.socketgateway.tcp;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.Charset;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.socketgateway.LoopbackGatewayTest;
import dev.socketgateway.listener.GatewayListener;
import dev.socketgateway.listener.ListenerRegistry;
import dev.socketgateway.tcp.FramedClients.Framing;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.EnumSource.Mode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

import static dev.socketgateway.GatewayClients.ascii;
import static dev.socketgateway.GatewayClients.concat;
import static dev.socketgateway.GatewayClients.readExactly;
import static dev.socketgateway.GatewayClients.readToEnd;
import static dev.socketgateway.GatewayClients.send;
import static dev.socketgateway.GatewayClients.tcp;
import static dev.socketgateway.GatewayClients.text;
import static dev.socketgateway.tcp.FramedClients.assertClosedByServer;
import static dev.socketgateway.tcp.FramedClients.roundTrip;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every framing, several listeners in one context, as a client sees them on the wire: requests framed the
 * listener's way come back upper-cased and framed the same way.
 */
@LoopbackGatewayTest
@TestPropertySource(properties = {
		"gateway.listeners.lines.protocol=tcp",
		"gateway.listeners.lines.port=0",
		"gateway.listeners.lines.bind-address=127.0.0.1",
		"gateway.listeners.lines.framing=line",
		"gateway.listeners.stx.protocol=tcp",
		"gateway.listeners.stx.port=0",
		"gateway.listeners.stx.bind-address=127.0.0.1",
		"gateway.listeners.stx.framing=stx-etx",
		"gateway.listeners.len1.protocol=tcp",
		"gateway.listeners.len1.port=0",
		"gateway.listeners.len1.bind-address=127.0.0.1",
		"gateway.listeners.len1.framing=length-header-1",
		"gateway.listeners.len2.protocol=tcp",
		"gateway.listeners.len2.port=0",
		"gateway.listeners.len2.bind-address=127.0.0.1",
		"gateway.listeners.len2.framing=length-header-2",
		"gateway.listeners.len4.protocol=tcp",
		"gateway.listeners.len4.port=0",
		"gateway.listeners.len4.bind-address=127.0.0.1",
		"gateway.listeners.len4.framing=length-header-4",
		"gateway.listeners.gbk.protocol=tcp",
		"gateway.listeners.gbk.port=0",
		"gateway.listeners.gbk.bind-address=127.0.0.1",
		"gateway.listeners.gbk.charset=GBK",
		"gateway.listeners.greeted.protocol=tcp",
		"gateway.listeners.greeted.port=0",
		"gateway.listeners.greeted.bind-address=127.0.0.1",
		"gateway.listeners.greeted.framing=line",
		"gateway.listeners.greeted.banner=Welcome to socket-gateway",
		"gateway.listeners.greeted.quit-command=bye",
		"gateway.listeners.greetedstx.protocol=tcp",
		"gateway.listeners.greetedstx.port=0",
		"gateway.listeners.greetedstx.bind-address=127.0.0.1",
		"gateway.listeners.greetedstx.framing=stx-etx",
		"gateway.listeners.greetedstx.banner=hello" })
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class FramingIntegrationTests {

	private static final Charset GBK = Charset.forName("GBK");

	/** The listener configured above for each framing the parameterized tests use. */
	private static final Map<Framing, String> LISTENERS = Map.of(Framing.LINE_CRLF, "lines", Framing.LINE_LF, "lines",
			Framing.STX_ETX, "stx", Framing.LENGTH_HEADER_1, "len1", Framing.LENGTH_HEADER_2, "len2",
			Framing.LENGTH_HEADER_4, "len4");

	@Autowired
	private ListenerRegistry registry;

	@Test
	void severalListenersRunInOneContextEachOnItsOwnPort() {
		List<GatewayListener> listeners = this.registry.listeners();
		assertThat(listeners).extracting(GatewayListener::name)
			.containsExactlyInAnyOrder("tcp", "udp", "lines", "stx", "len1", "len2", "len4", "gbk", "greeted",
					"greetedstx");
		assertThat(listeners).allMatch(GatewayListener::isListening, "is listening");
		assertThat(listeners.stream().filter((listener) -> listener.protocol().toString().equals("tcp")).map(GatewayListener::port))
			.doesNotHaveDuplicates()
			.allMatch((port) -> port > 0);
	}

	@Test
	void streamFramingAnswersEveryReadAtOnceWithoutAnyDelimiter() throws IOException {
		try (Socket client = connect("tcp")) {
			send(client, ascii("hello"));
			assertThat(text(readExactly(client, 5))).isEqualTo("HELLO");
			send(client, ascii("World 42"));
			assertThat(text(readExactly(client, 8))).isEqualTo("WORLD 42");
		}
	}

	@Test
	void lineFramingAnswersCrlfAndLfLinesInOneConnectionEachWithItsOwnTerminator() throws IOException {
		try (Socket client = connect("lines")) {
			send(client, ascii("first\r\n"));
			assertThat(text(readExactly(client, 7))).isEqualTo("FIRST\r\n");
			send(client, ascii("second\n"));
			assertThat(text(readExactly(client, 7))).isEqualTo("SECOND\n");
			send(client, ascii("third\nfourth\r\nfifth\n"));
			assertThat(text(readExactly(client, 20))).isEqualTo("THIRD\nFOURTH\r\nFIFTH\n");
		}
	}

	@Test
	void anEmptyLineGetsAnEmptyLineBack() throws IOException {
		try (Socket client = connect("lines")) {
			send(client, ascii("\r\n"));
			assertThat(text(readExactly(client, 2))).isEqualTo("\r\n");
			send(client, ascii("\n"));
			assertThat(text(readExactly(client, 1))).isEqualTo("\n");
			send(client, ascii("\n\r\nx\n"));
			assertThat(text(readExactly(client, 5))).isEqualTo("\n\r\nX\n");
		}
	}

	@Test
	void aCrNotFollowedByLfIsPartOfTheLine() throws IOException {
		try (Socket client = connect("lines")) {
			send(client, ascii("a\rb\r\n"));
			assertThat(text(readExactly(client, 5))).isEqualTo("A\rB\r\n");
		}
	}

	@Test
	void anUnterminatedLastLineIsAnsweredWithoutTerminatorWhenTheClientHalfCloses() throws IOException {
		try (Socket client = connect("lines")) {
			send(client, ascii("done\r\nlast words"));
			client.shutdownOutput();
			assertThat(text(readToEnd(client, 1024))).isEqualTo("DONE\r\nLAST WORDS");
		}
	}

	@ParameterizedTest
	@EnumSource(value = Framing.class, mode = Mode.EXCLUDE, names = "STREAM")
	void everyFramingRoundTripsAFrame(Framing framing) throws IOException {
		try (Socket client = connect(framing)) {
			send(client, framing.frame(ascii("hello, World")));
			assertThat(readExactly(client, framing.frame(ascii("HELLO, WORLD")).length))
				.isEqualTo(framing.frame(ascii("HELLO, WORLD")));
		}
	}

	@ParameterizedTest
	@EnumSource(value = Framing.class, mode = Mode.EXCLUDE, names = "STREAM")
	void anEmptyPayloadRoundTrips(Framing framing) throws IOException {
		try (Socket client = connect(framing)) {
			send(client, framing.frame(new byte[0]));
			assertThat(readExactly(client, framing.frame(new byte[0]).length)).isEqualTo(framing.frame(new byte[0]));
			roundTrip(client, framing, "still there");
		}
	}

	@ParameterizedTest
	@EnumSource(value = Framing.class, mode = Mode.EXCLUDE, names = "STREAM")
	void severalFramesInOneWriteAreEachAnsweredInOrder(Framing framing) throws IOException {
		try (Socket client = connect(framing)) {
			send(client, concat(framing.frame(ascii("one")), framing.frame(new byte[0]), framing.frame(ascii("two")),
					framing.frame(ascii("three"))));
			byte[] expected = concat(framing.frame(ascii("ONE")), framing.frame(new byte[0]), framing.frame(ascii("TWO")),
					framing.frame(ascii("THREE")));
			assertThat(readExactly(client, expected.length)).isEqualTo(expected);
		}
	}

	/**
	 * The first part of the split frame travels with a complete frame, so reading that frame's reply shows
	 * the read was handled; had the part been answered on its own, its reply would come next and spoil the
	 * exact reply expected once the frame is complete.
	 */
	@ParameterizedTest
	@EnumSource(value = Framing.class, mode = Mode.EXCLUDE, names = "STREAM")
	void aFrameSplitOverSeveralWritesIsAnsweredOnlyOnceComplete(Framing framing) throws IOException {
		try (Socket client = connect(framing)) {
			byte[] split = framing.frame(ascii("second part"));
			int[] cuts = { 1, split.length / 2, split.length - 1 };
			send(client, concat(framing.frame(ascii("first")), Arrays.copyOfRange(split, 0, cuts[0])));
			byte[] firstReply = framing.frame(ascii("FIRST"));
			assertThat(readExactly(client, firstReply.length)).isEqualTo(firstReply);
			send(client, Arrays.copyOfRange(split, cuts[0], cuts[1]));
			send(client, Arrays.copyOfRange(split, cuts[1], cuts[2]));
			send(client, Arrays.copyOfRange(split, cuts[2], split.length));
			byte[] splitReply = framing.frame(ascii("SECOND PART"));
			assertThat(readExactly(client, splitReply.length)).isEqualTo(splitReply);
			roundTrip(client, framing, "third");
		}
	}

	@ParameterizedTest
	@EnumSource(value = Framing.class, names = { "STX_ETX", "LENGTH_HEADER_1", "LENGTH_HEADER_2", "LENGTH_HEADER_4" })
	void aConnectionEndingInsideAFrameGetsItsEarlierRepliesAndIsClosedWithoutAnsweringThePart(Framing framing)
			throws IOException {
		try (Socket client = connect(framing)) {
			byte[] unfinished = framing.frame(ascii("never finished"));
			send(client, concat(framing.frame(ascii("complete")), Arrays.copyOf(unfinished, unfinished.length - 1)));
			client.shutdownOutput();
			assertThat(text(readToEnd(client, 1024))).isEqualTo(text(framing.frame(ascii("COMPLETE"))));
		}
	}

	@Test
	void lengthHeadersAreBigEndianUnsignedPayloadLengths() throws IOException {
		try (Socket len1 = connect("len1"); Socket len2 = connect("len2"); Socket len4 = connect("len4")) {
			byte[] payload200 = ascii("a".repeat(200));
			send(len1, concat(new byte[] { (byte) 0xC8 }, payload200));
			assertThat(readExactly(len1, 201)).isEqualTo(concat(new byte[] { (byte) 0xC8 }, ascii("A".repeat(200))));

			byte[] payload40000 = ascii("b".repeat(40_000));
			send(len2, concat(new byte[] { (byte) 0x9C, 0x40 }, payload40000));
			assertThat(readExactly(len2, 40_002)).isEqualTo(concat(new byte[] { (byte) 0x9C, 0x40 }, ascii("B".repeat(40_000))));

			byte[] payload65536 = ascii("c".repeat(65_536));
			send(len4, concat(new byte[] { 0, 1, 0, 0 }, payload65536));
			assertThat(readExactly(len4, 65_540)).isEqualTo(concat(new byte[] { 0, 1, 0, 0 }, ascii("C".repeat(65_536))));
		}
	}

	@Test
	void gbkTextIsUppercasedWithoutCorruptingDoubleByteCharacters() throws IOException {
		byte[] zha = "乤".getBytes(GBK);
		assertThat(zha).containsExactly(0x81, 0x61);
		try (Socket client = connect("gbk")) {
			send(client, zha);
			assertThat(readExactly(client, 2)).containsExactly(0x81, 0x61);
			byte[] request = "你好abc".getBytes(GBK);
			send(client, request);
			assertThat(new String(readExactly(client, request.length), GBK)).isEqualTo("你好ABC");
		}
	}

	@Test
	void aGbkCharacterSplitAcrossReadsOnAStreamListenerComesBackWhole() throws IOException {
		try (Socket client = connect("gbk")) {
			send(client, new byte[] { 'a', 'b', (byte) 0x81 });
			assertThat(text(readExactly(client, 2))).isEqualTo("AB");
			send(client, new byte[] { 0x61, 'c', 'd' });
			assertThat(readExactly(client, 4)).containsExactly(0x81, 0x61, 'C', 'D');
			assertThat(new String(new byte[] { (byte) 0x81, 0x61, 'C', 'D' }, GBK)).isEqualTo("乤CD");
		}
	}

	@Test
	void aUtf8CharacterSplitAcrossReadsOnAStreamListenerComesBackWholeAndUppercased() throws IOException {
		try (Socket client = connect("tcp")) {
			send(client, new byte[] { 'a', (byte) 0xC3 });
			assertThat(text(readExactly(client, 1))).isEqualTo("A");
			send(client, new byte[] { (byte) 0xA9, 'b' });
			assertThat(new String(readExactly(client, 3), UTF_8)).isEqualTo("ÉB");
		}
	}

	@Test
	void malformedUtf8PassesThroughUnchanged() throws IOException {
		try (Socket stream = connect("tcp"); Socket lines = connect("lines")) {
			send(stream, new byte[] { 0x61, (byte) 0xFF, 0x62 });
			assertThat(readExactly(stream, 3)).containsExactly(0x41, 0xFF, 0x42);
			send(lines, new byte[] { 0x61, (byte) 0xFF, 0x62, '\n' });
			assertThat(readExactly(lines, 4)).containsExactly(0x41, 0xFF, 0x42, '\n');
		}
	}

	@Test
	void bytesOutsideAnStxEtxFrameCloseTheConnectionAfterEarlierFramesAreAnswered() throws IOException {
		try (Socket bad = connect("stx"); Socket good = connect("stx")) {
			send(bad, concat(Framing.STX_ETX.frame(ascii("ok")), ascii("junk")));
			assertThat(readExactly(bad, 4)).isEqualTo(Framing.STX_ETX.frame(ascii("OK")));
			assertClosedByServer(bad);
			roundTrip(good, Framing.STX_ETX, "unaffected");
		}
		try (Socket bad = connect("stx")) {
			send(bad, ascii("no frame at all"));
			assertClosedByServer(bad);
		}
	}

	@Test
	void theBannerComesBeforeAnythingElseFramedTheListenersWay() throws IOException {
		try (Socket client = connect("greeted")) {
			// Sent before the banner is read: its reply must still come after the banner.
			send(client, ascii("hi\r\n"));
			assertThat(text(readExactly(client, 27))).isEqualTo("Welcome to socket-gateway\r\n");
			assertThat(text(readExactly(client, 4))).isEqualTo("HI\r\n");
		}
		try (Socket client = connect("greetedstx")) {
			assertThat(readExactly(client, 7)).isEqualTo(Framing.STX_ETX.frame(ascii("hello")));
			roundTrip(client, Framing.STX_ETX, "after the banner");
		}
	}

	@Test
	void theQuitCommandIsAnsweredThenTheConnectionIsClosed() throws IOException {
		try (Socket client = connect("greeted")) {
			assertThat(text(readExactly(client, 27))).isEqualTo("Welcome to socket-gateway\r\n");
			send(client, ascii("hello\n"));
			assertThat(text(readExactly(client, 6))).isEqualTo("HELLO\n");
			send(client, ascii("Bye\r\nnot answered\r\n"));
			assertThat(text(readExactly(client, 5))).isEqualTo("BYE\r\n");
			assertClosedByServer(client);
		}
		try (Socket client = connect("greeted")) {
			assertThat(text(readExactly(client, 27))).isEqualTo("Welcome to socket-gateway\r\n");
			send(client, ascii("BYE\n"));
			assertThat(text(readExactly(client, 4))).isEqualTo("BYE\n");
			assertClosedByServer(client);
		}
	}

	@Test
	void aLineMerelyContainingTheQuitCommandIsAnsweredLikeAnyOther() throws IOException {
		try (Socket client = connect("greeted")) {
			assertThat(text(readExactly(client, 27))).isEqualTo("Welcome to socket-gateway\r\n");
			send(client, ascii("bye bye\n"));
			assertThat(text(readExactly(client, 8))).isEqualTo("BYE BYE\n");
			send(client, ascii("still here\n"));
			assertThat(text(readExactly(client, 11))).isEqualTo("STILL HERE\n");
		}
	}

	// ---- helpers ----

	private Socket connect(Framing framing) throws IOException {
		return connect(LISTENERS.get(framing));
	}

	private Socket connect(String listener) throws IOException {
		return tcp(this.registry.listener(listener).port());
	}

}
