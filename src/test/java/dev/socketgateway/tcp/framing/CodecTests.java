package dev.socketgateway.tcp.framing;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;

import dev.socketgateway.transform.CharacterBoundaries;
import org.junit.jupiter.api.Test;

import org.springframework.test.util.ReflectionTestUtils;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Edge cases of every {@link FrameCodec}, driven directly through {@code decode} with the chunks a socket
 * might deliver. Frames are compared as ISO-8859-1 strings, which map every byte to one char.
 */
class CodecTests {

	private static final Charset GBK = Charset.forName("GBK");

	private static final byte STX = 0x02;

	private static final byte ETX = 0x03;

	// ---- line ----

	@Test
	void lfAndCrlfLinesAreSplitAndEachReplyEndsWithTheTerminatorItsRequestUsed() {
		LineCodec decoder = new LineCodec(64, UTF_8);
		List<String> replies = new ArrayList<>();
		decoder.decode(wrap("first\nsecond\r\nthird\n"), (frame) -> replies.add(text(decoder.encode(frame))));
		assertThat(replies).containsExactly("first\n", "second\r\n", "third\n");
	}

	@Test
	void emptyLinesAreEmptyMessagesAnsweredWithTheirOwnTerminator() {
		LineCodec decoder = new LineCodec(64, UTF_8);
		List<String> replies = new ArrayList<>();
		decoder.decode(wrap("\n\r\n\n"), (frame) -> replies.add(text(decoder.encode(frame))));
		assertThat(replies).containsExactly("\n", "\r\n", "\n");
	}

	@Test
	void crAtTheEndOfOneReadAndLfAtTheStartOfTheNextFormOneCrlfTerminator() {
		LineCodec decoder = new LineCodec(64, UTF_8);
		List<String> replies = new ArrayList<>();
		decoder.decode(wrap("abc\r"), (frame) -> replies.add(text(decoder.encode(frame))));
		assertThat(replies).isEmpty();
		decoder.decode(wrap("\nd\n"), (frame) -> replies.add(text(decoder.encode(frame))));
		assertThat(replies).containsExactly("abc\r\n", "d\n");
	}

	@Test
	void crNotImmediatelyBeforeLfIsPayload() {
		assertThat(frames(() -> new LineCodec(64, UTF_8), "a\rb\n")).containsExactly("a\rb");
		assertThat(frames(() -> new LineCodec(64, UTF_8), "a\r", "b\n")).containsExactly("a\rb");
		assertThat(frames(() -> new LineCodec(64, UTF_8), "\r\r\n")).containsExactly("\r");
	}

	@Test
	void linesSplitAtEveryBytePositionDecodeToTheSameMessages() {
		String input = "hello\r\nworld\n\r\n\nx\r\r\nlast\n";
		List<String> expected = List.of("hello", "world", "", "", "x\r", "last");
		assertEverySplitDecodesTo(() -> new LineCodec(64, UTF_8), bytes(input), expected);
	}

	@Test
	void lineFramedRepliesBeforeAnyRequestEndWithCrlf() {
		assertThat(text(new LineCodec(64, UTF_8).encode(bytes("Welcome")))).isEqualTo("Welcome\r\n");
	}

	@Test
	void aLineOfExactlyMaxFrameBytesIsAMessageWithEitherTerminator() {
		String payload = "x".repeat(8);
		assertEverySplitDecodesTo(() -> new LineCodec(8, UTF_8), bytes(payload + "\r\n" + payload + "\n"),
				List.of(payload, payload));
	}

	@Test
	void aLineOfMaxFrameBytesEndingInCrWaitsForItsLf() {
		LineCodec decoder = new LineCodec(8, UTF_8);
		List<String> frames = new ArrayList<>();
		decoder.decode(wrap("12345678\r"), (frame) -> frames.add(text(frame)));
		assertThat(frames).isEmpty();
		decoder.decode(wrap("\n"), (frame) -> frames.add(text(frame)));
		assertThat(frames).containsExactly("12345678");
		assertThat(text(decoder.encode(bytes("x")))).isEqualTo("x\r\n");
	}

	@Test
	void aLineOneByteOverMaxFrameBytesIsTooLargeWhereverTheReadsAreSplit() {
		byte[] terminated = bytes("123456789\r\n");
		for (int cut = 0; cut <= terminated.length; cut++) {
			byte[][] chunks = { Arrays.copyOfRange(terminated, 0, cut),
					Arrays.copyOfRange(terminated, cut, terminated.length) };
			assertTooLarge(() -> new LineCodec(8, UTF_8), chunks);
		}
		// The end of the line need not arrive: nine bytes without LF can never fit.
		assertTooLarge(() -> new LineCodec(8, UTF_8), bytes("123456789"));
		assertTooLarge(() -> new LineCodec(8, UTF_8), bytes("12345678"), bytes("9"));
		assertTooLarge(() -> new LineCodec(8, UTF_8), bytes("12345678\r"), bytes("9"));
		assertTooLarge(() -> new LineCodec(8, UTF_8), bytes("ok\n123456789\n"));
	}

	@Test
	void framesBeforeAnOversizeLineInTheSameReadAreHandedOutFirst() {
		LineCodec decoder = new LineCodec(8, UTF_8);
		List<String> frames = new ArrayList<>();
		assertThatExceptionOfType(FramingException.class)
			.isThrownBy(() -> decoder.decode(wrap("one\ntwo\r\n123456789\n"), (frame) -> frames.add(text(frame))))
			.matches(FramingException::isTooLarge);
		assertThat(frames).containsExactly("one", "two");
	}

	@Test
	void theTooLargeReplyNamesTheLimit() {
		assertThat(text(new LineCodec(8, UTF_8).tooLargeReply())).isEqualTo("ERROR frame exceeds 8 bytes\r\n");
	}

	@Test
	void anUnterminatedLastLineIsAMessageAnsweredWithoutTerminator() {
		LineCodec decoder = new LineCodec(64, UTF_8);
		List<String> replies = new ArrayList<>();
		decoder.decode(wrap("done\nla"), (frame) -> replies.add(text(decoder.encode(frame))));
		decoder.decode(wrap("st"), (frame) -> replies.add(text(decoder.encode(frame))));
		decoder.endOfInput((frame) -> replies.add(text(decoder.encode(frame))));
		assertThat(replies).containsExactly("done\n", "last");
	}

	@Test
	void endOfInputAfterCompleteLinesYieldsNothing() {
		LineCodec decoder = new LineCodec(64, UTF_8);
		List<String> frames = new ArrayList<>();
		decoder.decode(wrap("done\r\n"), (frame) -> frames.add(text(frame)));
		decoder.endOfInput((frame) -> frames.add(text(frame)));
		assertThat(frames).containsExactly("done");
	}

	// ---- stx-etx ----

	@Test
	void stxEtxFramesIncludingEmptyOnesAreMessagesAndRepliesAreFramedTheSameWay() {
		StxEtxCodec decoder = new StxEtxCodec(64);
		List<String> replies = new ArrayList<>();
		decoder.decode(ByteBuffer.wrap(stxEtx("abc", "", "d")), (frame) -> replies.add(text(decoder.encode(frame))));
		assertThat(replies).containsExactly("\u0002abc\u0003", "\u0002\u0003", "\u0002d\u0003");
	}

	@Test
	void stxEtxFramesSplitAtEveryBytePositionDecodeToTheSameMessages() {
		assertEverySplitDecodesTo(() -> new StxEtxCodec(64), stxEtx("hello", "", "x", "world"),
				List.of("hello", "", "x", "world"));
	}

	@Test
	void bytesOutsideAnStxEtxFrameAreMalformed() {
		assertMalformed(() -> new StxEtxCodec(64), bytes("x"));
		assertMalformed(() -> new StxEtxCodec(64), new byte[] { ETX });
		assertMalformed(() -> new StxEtxCodec(64), bytes("\n"));
		assertMalformed(() -> new StxEtxCodec(64), stxEtx("ok"), bytes("x"));
		StxEtxCodec decoder = new StxEtxCodec(64);
		List<String> frames = new ArrayList<>();
		byte[] validThenGarbage = concat(stxEtx("ok"), bytes("junk"));
		assertThatExceptionOfType(FramingException.class)
			.isThrownBy(() -> decoder.decode(ByteBuffer.wrap(validThenGarbage), (frame) -> frames.add(text(frame))))
			.matches((ex) -> !ex.isTooLarge());
		assertThat(frames).containsExactly("ok");
	}

	@Test
	void anStxEtxFrameOfExactlyMaxFrameBytesIsAMessage() {
		String payload = "y".repeat(8);
		assertEverySplitDecodesTo(() -> new StxEtxCodec(8), stxEtx(payload, payload), List.of(payload, payload));
	}

	@Test
	void anStxEtxFrameOneByteOverMaxFrameBytesIsTooLargeEvenBeforeItsEtxArrives() {
		byte[] frame = stxEtx("123456789");
		for (int cut = 0; cut <= frame.length; cut++) {
			assertTooLarge(() -> new StxEtxCodec(8), Arrays.copyOfRange(frame, 0, cut),
					Arrays.copyOfRange(frame, cut, frame.length));
		}
		assertTooLarge(() -> new StxEtxCodec(8), Arrays.copyOf(frame, frame.length - 1));
	}

	@Test
	void inputEndingInsideAnStxEtxFrameIsMalformedAndNotAnswered() {
		StxEtxCodec decoder = new StxEtxCodec(64);
		List<String> frames = new ArrayList<>();
		decoder.decode(ByteBuffer.wrap(concat(stxEtx("ok"), new byte[] { STX, 'a' })), (frame) -> frames.add(text(frame)));
		assertThatExceptionOfType(FramingException.class).isThrownBy(() -> decoder.endOfInput((frame) -> frames.add(text(frame))))
			.matches((ex) -> !ex.isTooLarge());
		assertThat(frames).containsExactly("ok");
	}

	@Test
	void endOfInputBetweenStxEtxFramesYieldsNothing() {
		StxEtxCodec decoder = new StxEtxCodec(64);
		List<String> frames = new ArrayList<>();
		decoder.decode(ByteBuffer.wrap(stxEtx("ok")), (frame) -> frames.add(text(frame)));
		decoder.endOfInput((frame) -> frames.add(text(frame)));
		assertThat(frames).containsExactly("ok");
	}

	// ---- length headers ----

	@Test
	void lengthHeadersOfEveryWidthCarryPayloadsIncludingEmptyOnes() {
		for (int width : new int[] { 1, 2, 4 }) {
			LengthHeaderCodec decoder = new LengthHeaderCodec(width, 64);
			List<byte[]> replies = new ArrayList<>();
			decoder.decode(ByteBuffer.wrap(lengthFramed(width, "abc", "", "z")), (frame) -> replies.add(bytes(decoder.encode(frame))));
			assertThat(replies).as("length-header-%d", width)
				.containsExactly(lengthFramed(width, "abc"), lengthFramed(width, ""), lengthFramed(width, "z"));
		}
	}

	@Test
	void lengthHeadersAreBigEndianAndUnsigned() {
		byte[] payload200 = new byte[200];
		Arrays.fill(payload200, (byte) 'a');
		assertThat(frames(() -> new LengthHeaderCodec(1, 65_536), concat(new byte[] { (byte) 0xC8 }, payload200)))
			.containsExactly(text(payload200));
		byte[] payload40000 = new byte[40_000];
		Arrays.fill(payload40000, (byte) 'b');
		assertThat(frames(() -> new LengthHeaderCodec(2, 65_536), concat(new byte[] { (byte) 0x9C, 0x40 }, payload40000)))
			.containsExactly(text(payload40000));
		byte[] payload300 = new byte[300];
		Arrays.fill(payload300, (byte) 'c');
		assertThat(frames(() -> new LengthHeaderCodec(4, 65_536), concat(new byte[] { 0, 0, 0x01, 0x2C }, payload300)))
			.containsExactly(text(payload300));
		assertThat(bytes(new LengthHeaderCodec(2, 65_536).encode(payload40000))).startsWith((byte) 0x9C, (byte) 0x40, (byte) 'b');
		assertThat(bytes(new LengthHeaderCodec(4, 65_536).encode(payload300))).startsWith(0, 0, 0x01, 0x2C, 'c');
	}

	@Test
	void lengthFramedMessagesSplitAtEveryBytePositionDecodeToTheSameMessages() {
		for (int width : new int[] { 1, 2, 4 }) {
			int header = width;
			assertEverySplitDecodesTo(() -> new LengthHeaderCodec(header, 64), lengthFramed(width, "hello", "", "x", "world"),
					List.of("hello", "", "x", "world"));
		}
	}

	@Test
	void aLengthFramedMessageOfExactlyMaxFrameBytesIsAMessage() {
		String payload = "z".repeat(8);
		for (int width : new int[] { 1, 2, 4 }) {
			int header = width;
			assertEverySplitDecodesTo(() -> new LengthHeaderCodec(header, 8), lengthFramed(width, payload, payload),
					List.of(payload, payload));
		}
	}

	@Test
	void aHeaderAnnouncingOneByteOverMaxFrameBytesIsTooLargeBeforeAnyPayloadArrives() {
		for (int width : new int[] { 1, 2, 4 }) {
			int header = width;
			byte[] headerOnly = Arrays.copyOf(lengthFramed(width, "123456789"), width);
			assertTooLarge(() -> new LengthHeaderCodec(header, 8), headerOnly);
			// Split inside the header: the first bytes alone announce nothing yet.
			for (int cut = 1; cut < width; cut++) {
				LengthHeaderCodec decoder = new LengthHeaderCodec(header, 8);
				List<String> frames = new ArrayList<>();
				decoder.decode(ByteBuffer.wrap(headerOnly, 0, cut), (frame) -> frames.add(text(frame)));
				assertThat(frames).isEmpty();
				int rest = cut;
				assertThatExceptionOfType(FramingException.class)
					.isThrownBy(() -> decoder.decode(ByteBuffer.wrap(Arrays.copyOfRange(headerOnly, rest, width)),
							(frame) -> frames.add(text(frame))))
					.matches(FramingException::isTooLarge);
			}
		}
	}

	@Test
	void hugeHeadersAreTooLargeNotNegative() {
		assertTooLarge(() -> new LengthHeaderCodec(4, 65_536), new byte[] { 0x7F, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF });
		assertTooLarge(() -> new LengthHeaderCodec(4, 65_536), new byte[] { (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF });
		assertTooLarge(() -> new LengthHeaderCodec(4, 16 * 1024 * 1024), new byte[] { (byte) 0x80, 0, 0, 0 });
		assertTooLarge(() -> new LengthHeaderCodec(2, 1000), new byte[] { (byte) 0xFF, (byte) 0xFF });
	}

	@Test
	void aOneByteHeaderCarriesUpTo255BytesWhateverTheConfiguredLimit() {
		byte[] payload = new byte[255];
		Arrays.fill(payload, (byte) 'q');
		assertThat(frames(() -> new LengthHeaderCodec(1, 65_536), concat(new byte[] { (byte) 0xFF }, payload)))
			.containsExactly(text(payload));
		assertThatExceptionOfType(FramingException.class)
			.isThrownBy(() -> new LengthHeaderCodec(1, 65_536).encode(new byte[256]))
			.matches(FramingException::isTooLarge);
	}

	@Test
	void inputEndingInsideALengthFramedMessageIsMalformedAndNotAnswered() {
		for (int width : new int[] { 1, 2, 4 }) {
			byte[] frame = lengthFramed(width, "abc");
			for (int cut = 1; cut < frame.length; cut++) {
				LengthHeaderCodec decoder = new LengthHeaderCodec(width, 64);
				List<String> frames = new ArrayList<>();
				decoder.decode(ByteBuffer.wrap(concat(lengthFramed(width, "ok"), Arrays.copyOf(frame, cut))),
						(f) -> frames.add(text(f)));
				assertThatExceptionOfType(FramingException.class)
					.isThrownBy(() -> decoder.endOfInput((f) -> frames.add(text(f))))
					.matches((ex) -> !ex.isTooLarge());
				assertThat(frames).containsExactly("ok");
			}
		}
	}

	// ---- held buffer ----

	@Test
	void aBufferingDecoderNeverHoldsMoreThanTheLargestValidFrame() {
		int max = 100;
		List<Supplier<BufferingCodec>> decoders = List.of(() -> new LineCodec(max, UTF_8), () -> new StxEtxCodec(max),
				() -> new LengthHeaderCodec(1, max), () -> new LengthHeaderCodec(2, max),
				() -> new LengthHeaderCodec(4, max));
		String payload = "p".repeat(max);
		List<byte[]> streams = List.of(bytes(payload + "\r\n" + payload + "\n"), stxEtx(payload, payload),
				lengthFramed(1, payload, payload), lengthFramed(2, payload, payload), lengthFramed(4, payload, payload));
		int[] largestFrame = { max + 2, max + 2, max + 1, max + 2, max + 4 };
		for (int d = 0; d < decoders.size(); d++) {
			byte[] stream = streams.get(d);
			for (int chunk = 1; chunk <= stream.length; chunk++) {
				BufferingCodec decoder = decoders.get(d).get();
				List<byte[]> frames = new ArrayList<>();
				for (int from = 0; from < stream.length; from += chunk) {
					decoder.decode(ByteBuffer.wrap(stream, from, Math.min(chunk, stream.length - from)), frames::add);
					assertThat(held(decoder).length).as("%s, chunks of %d", decoder.getClass().getSimpleName(), chunk)
						.isLessThanOrEqualTo(largestFrame[d]);
				}
				assertThat(frames).as("%s, chunks of %d", decoder.getClass().getSimpleName(), chunk).hasSize(2);
			}
		}
	}

	@Test
	void aLargeFrameLeavesNoLargeBufferBehind() {
		LineCodec decoder = new LineCodec(65_536, UTF_8);
		List<byte[]> frames = new ArrayList<>();
		byte[] line = bytes("l".repeat(60_000) + "\n");
		decoder.decode(ByteBuffer.wrap(line, 0, 30_000), frames::add);
		assertThat(held(decoder).length).isGreaterThanOrEqualTo(30_000);
		decoder.decode(ByteBuffer.wrap(line, 30_000, line.length - 30_000), frames::add);
		assertThat(frames).hasSize(1);
		assertThat(frames.get(0)).hasSize(60_000);
		assertThat(held(decoder).length).isLessThanOrEqualTo(4096);
	}

	// ---- stream ----

	@Test
	void streamFramingAnswersEveryReadAsItIs() {
		StreamCodec decoder = new StreamCodec(CharacterBoundaries.forCharset(UTF_8));
		List<String> frames = new ArrayList<>();
		decoder.decode(wrap("hello"), (frame) -> frames.add(text(frame)));
		decoder.decode(wrap(" world\n\r\n"), (frame) -> frames.add(text(frame)));
		assertThat(frames).containsExactly("hello", " world\n\r\n");
		assertThat(text(decoder.encode(bytes("as is")))).isEqualTo("as is");
	}

	@Test
	void streamFramingHoldsBackOnlyTheStartOfAUtf8CharacterSplitAcrossReads() {
		byte[] text = "aé€😀b".getBytes(UTF_8);
		for (int cut = 0; cut <= text.length; cut++) {
			StreamCodec decoder = new StreamCodec(CharacterBoundaries.forCharset(UTF_8));
			List<byte[]> frames = new ArrayList<>();
			decoder.decode(ByteBuffer.wrap(text, 0, cut), frames::add);
			decoder.decode(ByteBuffer.wrap(text, cut, text.length - cut), frames::add);
			decoder.endOfInput(frames::add);
			ByteArrayOutputStream joined = new ByteArrayOutputStream();
			for (byte[] frame : frames) {
				assertThat(isValid(frame, UTF_8)).as("cut at %d: frame %s", cut, Arrays.toString(frame)).isTrue();
				joined.writeBytes(frame);
			}
			assertThat(joined.toByteArray()).as("cut at %d", cut).isEqualTo(text);
		}
	}

	@Test
	void streamFramingKeepsAGbkDoubleByteCharacterSplitAcrossReadsWhole() {
		StreamCodec decoder = new StreamCodec(CharacterBoundaries.forCharset(GBK));
		List<byte[]> frames = new ArrayList<>();
		decoder.decode(ByteBuffer.wrap(new byte[] { 'a', 'b', (byte) 0x81 }), frames::add);
		assertThat(frames).containsExactly(new byte[] { 'a', 'b' });
		decoder.decode(ByteBuffer.wrap(new byte[] { 0x61, 'c', 'd' }), frames::add);
		assertThat(frames).containsExactly(new byte[] { 'a', 'b' }, new byte[] { (byte) 0x81, 0x61, 'c', 'd' });
	}

	@Test
	void streamFramingPassesMalformedBytesOnWithoutHoldingThem() {
		StreamCodec decoder = new StreamCodec(CharacterBoundaries.forCharset(UTF_8));
		List<byte[]> frames = new ArrayList<>();
		decoder.decode(ByteBuffer.wrap(new byte[] { 0x61, (byte) 0xFF }), frames::add);
		assertThat(frames).containsExactly(new byte[] { 0x61, (byte) 0xFF });
	}

	@Test
	void streamFramingHandsOverAnIncompleteCharacterWhenTheInputEnds() {
		StreamCodec decoder = new StreamCodec(CharacterBoundaries.forCharset(UTF_8));
		List<byte[]> frames = new ArrayList<>();
		decoder.decode(ByteBuffer.wrap(new byte[] { 'a', (byte) 0xE2, (byte) 0x82 }), frames::add);
		assertThat(frames).containsExactly(new byte[] { 'a' });
		decoder.endOfInput(frames::add);
		assertThat(frames).containsExactly(new byte[] { 'a' }, new byte[] { (byte) 0xE2, (byte) 0x82 });
	}

	// ---- helpers ----

	private static void assertEverySplitDecodesTo(Supplier<? extends FrameCodec> decoders, byte[] input,
			List<String> expected) {
		assertThat(frames(decoders, input)).as("one read").containsExactlyElementsOf(expected);
		for (int i = 0; i <= input.length; i++) {
			assertThat(frames(decoders, Arrays.copyOfRange(input, 0, i), Arrays.copyOfRange(input, i, input.length)))
				.as("split at %d", i).containsExactlyElementsOf(expected);
			for (int j = i; j <= input.length; j++) {
				assertThat(frames(decoders, Arrays.copyOfRange(input, 0, i), Arrays.copyOfRange(input, i, j),
						Arrays.copyOfRange(input, j, input.length)))
					.as("split at %d and %d", i, j).containsExactlyElementsOf(expected);
			}
		}
		byte[][] single = new byte[input.length][];
		for (int i = 0; i < input.length; i++) {
			single[i] = new byte[] { input[i] };
		}
		assertThat(frames(decoders, single)).as("one byte per read").containsExactlyElementsOf(expected);
	}

	private static List<String> frames(Supplier<? extends FrameCodec> decoders, String... chunks) {
		return frames(decoders, Arrays.stream(chunks).map(CodecTests::bytes).toArray(byte[][]::new));
	}

	private static List<String> frames(Supplier<? extends FrameCodec> decoders, byte[]... chunks) {
		FrameCodec decoder = decoders.get();
		List<String> frames = new ArrayList<>();
		for (byte[] chunk : chunks) {
			decoder.decode(ByteBuffer.wrap(chunk), (frame) -> frames.add(text(frame)));
		}
		decoder.endOfInput((frame) -> frames.add(text(frame)));
		return frames;
	}

	private static void assertTooLarge(Supplier<? extends FrameCodec> decoders, byte[]... chunks) {
		assertThatExceptionOfType(FramingException.class).as("chunks %s", Arrays.deepToString(chunks))
			.isThrownBy(() -> feed(decoders.get(), chunks))
			.matches(FramingException::isTooLarge, "is frame-too-large");
	}

	private static void assertMalformed(Supplier<? extends FrameCodec> decoders, byte[]... chunks) {
		assertThatExceptionOfType(FramingException.class).as("chunks %s", Arrays.deepToString(chunks))
			.isThrownBy(() -> feed(decoders.get(), chunks))
			.matches((ex) -> "malformed".equals(ex.reason()), "is malformed");
	}

	private static void feed(FrameCodec decoder, byte[]... chunks) {
		for (byte[] chunk : chunks) {
			decoder.decode(ByteBuffer.wrap(chunk), (frame) -> {
			});
		}
	}

	private static byte[] held(BufferingCodec decoder) {
		return (byte[]) ReflectionTestUtils.getField(decoder, "held");
	}

	private static boolean isValid(byte[] bytes, Charset charset) {
		try {
			charset.newDecoder().decode(ByteBuffer.wrap(bytes));
			return true;
		}
		catch (java.nio.charset.CharacterCodingException ex) {
			return false;
		}
	}

	private static byte[] stxEtx(String... payloads) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		for (String payload : payloads) {
			out.write(STX);
			out.writeBytes(bytes(payload));
			out.write(ETX);
		}
		return out.toByteArray();
	}

	private static byte[] lengthFramed(int width, String... payloads) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		for (String payload : payloads) {
			byte[] bytes = bytes(payload);
			for (int shift = 8 * (width - 1); shift >= 0; shift -= 8) {
				out.write(bytes.length >>> shift);
			}
			out.writeBytes(bytes);
		}
		return out.toByteArray();
	}

	private static byte[] concat(byte[] first, byte[] second) {
		byte[] joined = Arrays.copyOf(first, first.length + second.length);
		System.arraycopy(second, 0, joined, first.length, second.length);
		return joined;
	}

	private static ByteBuffer wrap(String text) {
		return ByteBuffer.wrap(bytes(text));
	}

	private static byte[] bytes(String text) {
		return text.getBytes(ISO_8859_1);
	}

	private static byte[] bytes(ByteBuffer buffer) {
		byte[] bytes = new byte[buffer.remaining()];
		buffer.get(bytes);
		return bytes;
	}

	private static String text(byte[] bytes) {
		return new String(bytes, ISO_8859_1);
	}

	private static String text(ByteBuffer buffer) {
		return text(bytes(buffer));
	}

}
