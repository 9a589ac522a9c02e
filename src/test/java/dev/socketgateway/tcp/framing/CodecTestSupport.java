package dev.socketgateway.tcp.framing;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;

import org.springframework.test.util.ReflectionTestUtils;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * What the codec tests share: a codec driven directly through {@code decode} with the chunks a socket might
 * deliver, and framed input built by hand. Frames are compared as ISO-8859-1 strings, which map every byte
 * to one char.
 */
final class CodecTestSupport {

	static final byte STX = 0x02;

	static final byte ETX = 0x03;

	private CodecTestSupport() {
	}

	/** The input decodes to {@code expected} in one read, split once, split twice, and one byte per read. */
	static void assertEverySplitDecodesTo(Supplier<? extends FrameCodec> decoders, byte[] input,
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

	static List<String> frames(Supplier<? extends FrameCodec> decoders, String... chunks) {
		return frames(decoders, Arrays.stream(chunks).map(CodecTestSupport::bytes).toArray(byte[][]::new));
	}

	/** Every frame a fresh codec hands out for these reads followed by the end of input. */
	static List<String> frames(Supplier<? extends FrameCodec> decoders, byte[]... chunks) {
		FrameCodec decoder = decoders.get();
		List<String> frames = new ArrayList<>();
		for (byte[] chunk : chunks) {
			decoder.decode(ByteBuffer.wrap(chunk), (frame) -> frames.add(text(frame)));
		}
		decoder.endOfInput((frame) -> frames.add(text(frame)));
		return frames;
	}

	static void assertTooLarge(Supplier<? extends FrameCodec> decoders, byte[]... chunks) {
		assertThatExceptionOfType(FramingException.class).as("chunks %s", Arrays.deepToString(chunks))
			.isThrownBy(() -> feed(decoders.get(), chunks))
			.matches(FramingException::isTooLarge, "is frame-too-large");
	}

	static void assertMalformed(Supplier<? extends FrameCodec> decoders, byte[]... chunks) {
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

	/** The codec's own buffer for an incomplete frame, whose size is the memory a connection keeps. */
	static byte[] held(BufferingCodec decoder) {
		return (byte[]) ReflectionTestUtils.getField(decoder, "held");
	}

	static boolean isValid(byte[] bytes, Charset charset) {
		try {
			charset.newDecoder().decode(ByteBuffer.wrap(bytes));
			return true;
		}
		catch (CharacterCodingException ex) {
			return false;
		}
	}

	static byte[] stxEtx(String... payloads) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		for (String payload : payloads) {
			out.write(STX);
			out.writeBytes(bytes(payload));
			out.write(ETX);
		}
		return out.toByteArray();
	}

	static byte[] lengthFramed(int width, String... payloads) {
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

	static byte[] concat(byte[] first, byte[] second) {
		byte[] joined = Arrays.copyOf(first, first.length + second.length);
		System.arraycopy(second, 0, joined, first.length, second.length);
		return joined;
	}

	static ByteBuffer wrap(String text) {
		return ByteBuffer.wrap(bytes(text));
	}

	static byte[] bytes(String text) {
		return text.getBytes(ISO_8859_1);
	}

	static byte[] bytes(ByteBuffer buffer) {
		byte[] bytes = new byte[buffer.remaining()];
		buffer.get(bytes);
		return bytes;
	}

	static String text(byte[] bytes) {
		return new String(bytes, ISO_8859_1);
	}

	static String text(ByteBuffer buffer) {
		return text(bytes(buffer));
	}

}
