package dev.socketgateway.tcp.framing;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;

import static dev.socketgateway.tcp.framing.CodecTestSupport.bytes;
import static dev.socketgateway.tcp.framing.CodecTestSupport.held;
import static dev.socketgateway.tcp.framing.CodecTestSupport.lengthFramed;
import static dev.socketgateway.tcp.framing.CodecTestSupport.stxEtx;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The buffer that every delimited and length-prefixed codec ({@link BufferingCodec}) keeps for the incomplete
 * frame at the end of a read: it never grows past the largest valid frame, and it shrinks again after one.
 */
class BufferingCodecTests {

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

	@Test
	void aFrameCutOffByTheEndOfInputIsMalformedAndLeavesNothingHeld() {
		List<Supplier<BufferingCodec>> decoders = List.of(() -> new StxEtxCodec(64), () -> new LengthHeaderCodec(1, 64),
				() -> new LengthHeaderCodec(2, 64), () -> new LengthHeaderCodec(4, 64));
		List<byte[]> cutOff = List.of(stxEtx("abc"), lengthFramed(1, "abc"), lengthFramed(2, "abc"),
				lengthFramed(4, "abc"));
		for (int d = 0; d < decoders.size(); d++) {
			BufferingCodec decoder = decoders.get(d).get();
			String name = decoder.getClass().getSimpleName() + " " + d;
			List<byte[]> frames = new ArrayList<>();
			decoder.decode(ByteBuffer.wrap(cutOff.get(d), 0, 3), frames::add);
			assertThat(held(decoder)).as(name).isNotEmpty();
			assertThatExceptionOfType(FramingException.class).as(name)
				.isThrownBy(() -> decoder.endOfInput(frames::add))
				.matches((ex) -> !ex.isTooLarge());
			assertThat(held(decoder)).as(name).isEmpty();
			decoder.endOfInput(frames::add);
			assertThat(frames).as(name).isEmpty();
		}
	}

}
