package dev.socketgateway.tcp.framing;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

import static dev.socketgateway.tcp.framing.CodecTestSupport.assertEverySplitDecodesTo;
import static dev.socketgateway.tcp.framing.CodecTestSupport.assertTooLarge;
import static dev.socketgateway.tcp.framing.CodecTestSupport.bytes;
import static dev.socketgateway.tcp.framing.CodecTestSupport.frames;
import static dev.socketgateway.tcp.framing.CodecTestSupport.text;
import static dev.socketgateway.tcp.framing.CodecTestSupport.wrap;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * {@link LineCodec}: LF and CRLF terminators, each answered in kind, lines split anywhere across reads, and
 * lines at and just over the limit.
 */
class LineCodecTests {

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

}
