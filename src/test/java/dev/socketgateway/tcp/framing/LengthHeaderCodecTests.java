package dev.socketgateway.tcp.framing;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

import static dev.socketgateway.tcp.framing.CodecTestSupport.assertEverySplitDecodesTo;
import static dev.socketgateway.tcp.framing.CodecTestSupport.assertTooLarge;
import static dev.socketgateway.tcp.framing.CodecTestSupport.bytes;
import static dev.socketgateway.tcp.framing.CodecTestSupport.concat;
import static dev.socketgateway.tcp.framing.CodecTestSupport.frames;
import static dev.socketgateway.tcp.framing.CodecTestSupport.lengthFramed;
import static dev.socketgateway.tcp.framing.CodecTestSupport.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * {@link LengthHeaderCodec} with 1, 2 and 4 byte headers: big-endian unsigned lengths, messages split
 * anywhere across reads, and headers that announce more than the limit before any payload arrives.
 */
class LengthHeaderCodecTests {

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

}
