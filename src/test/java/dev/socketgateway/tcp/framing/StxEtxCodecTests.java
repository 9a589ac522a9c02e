package dev.socketgateway.tcp.framing;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

import static dev.socketgateway.tcp.framing.CodecTestSupport.ETX;
import static dev.socketgateway.tcp.framing.CodecTestSupport.STX;
import static dev.socketgateway.tcp.framing.CodecTestSupport.assertEverySplitDecodesTo;
import static dev.socketgateway.tcp.framing.CodecTestSupport.assertMalformed;
import static dev.socketgateway.tcp.framing.CodecTestSupport.assertTooLarge;
import static dev.socketgateway.tcp.framing.CodecTestSupport.bytes;
import static dev.socketgateway.tcp.framing.CodecTestSupport.concat;
import static dev.socketgateway.tcp.framing.CodecTestSupport.stxEtx;
import static dev.socketgateway.tcp.framing.CodecTestSupport.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * {@link StxEtxCodec}: frames split anywhere across reads, bytes outside a frame, frames at and just over the
 * limit, and input that ends inside a frame.
 */
class StxEtxCodecTests {

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

}
