package dev.socketgateway.tcp.framing;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;

import dev.socketgateway.config.Framing;
import dev.socketgateway.transform.CharacterBoundaries;
import org.junit.jupiter.api.Test;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Random input against every decoder, bounded by a fixed seed, a fixed number of iterations and a time
 * limit: garbage either decodes or is rejected with a {@link FramingException}, and well-formed frames
 * survive any chunking unchanged.
 */
class FramingFuzzTests {

	private static final long SEED = 0x5EED_F4A3L;

	/** A guard against a decoder that loops forever; the tests take a second or two. */
	private static final Duration LIMIT = Duration.ofSeconds(20);

	private static final Charset GBK = Charset.forName("GBK");

	/** Bytes that mean something to some framing, drawn more often than chance would. */
	private static final byte[] SPECIAL = { '\n', '\r', 0x02, 0x03, 0x00, (byte) 0xFF, (byte) 0x80, 0x7F, (byte) 0x81,
			(byte) 0xC3, (byte) 0xE2, (byte) 0xF0 };

	private static final String TEXT = "abcxyzABC 0189,.-\téßŉΐ你好乤€😀𐐨";

	@Test
	void randomBytesInRandomChunksEitherDecodeOrAreRejectedAsBadFraming() {
		assertTimeoutPreemptively(LIMIT, () -> {
			Random random = new Random(SEED);
			for (Kind kind : Kind.values()) {
				for (int iteration = 0; iteration < 600; iteration++) {
					byte[] input = randomBytes(random, kind);
					int[] cuts = randomCuts(random, input.length);
					FrameCodec decoder = kind.decoder.get();
					int consumed = 0;
					try {
						for (int c = 0; c + 1 < cuts.length; c++) {
							ByteBuffer chunk = ByteBuffer.wrap(input, cuts[c], cuts[c + 1] - cuts[c]);
							decoder.decode(chunk, (frame) -> assertThat(frame).isNotNull());
							assertThat(chunk.hasRemaining()).as("decode consumes every byte").isFalse();
							consumed = cuts[c + 1];
							assertHeldWithinLimit(kind, decoder);
						}
						decoder.endOfInput((frame) -> assertThat(frame).isNotNull());
					}
					catch (FramingException expected) {
						assertThat(expected.reason()).isIn("frame-too-large", "malformed");
					}
					catch (Throwable other) {
						fail(String.format("%s iteration %d threw %s after %d of %d bytes; input %s, cuts %s", kind,
								iteration, other, consumed, input.length, HexFormat.of().formatHex(input),
								Arrays.toString(cuts)), other);
					}
				}
			}
		});
	}

	@Test
	void validFramesInRandomChunksDecodeToExactlyTheFramesSent() {
		assertTimeoutPreemptively(LIMIT, () -> {
			Random random = new Random(SEED + 1);
			for (Kind kind : Kind.values()) {
				if (kind.framing == null) {
					continue;
				}
				for (int iteration = 0; iteration < 600; iteration++) {
					List<byte[]> payloads = new ArrayList<>();
					List<byte[]> terminators = new ArrayList<>();
					ByteArrayOutputStream wire = new ByteArrayOutputStream();
					int count = random.nextInt(8);
					for (int i = 0; i < count; i++) {
						byte[] payload = kind.framing.payload(random, kind.max);
						byte[] framed = kind.framing.frame(random, payload);
						payloads.add(payload);
						terminators.add(kind.framing.terminator(framed));
						wire.writeBytes(framed);
					}
					byte[] input = wire.toByteArray();
					int[] cuts = randomCuts(random, input.length);
					FrameCodec decoder = kind.decoder.get();
					List<byte[]> frames = new ArrayList<>();
					List<byte[]> replyTerminators = new ArrayList<>();
					for (int c = 0; c + 1 < cuts.length; c++) {
						decoder.decode(ByteBuffer.wrap(input, cuts[c], cuts[c + 1] - cuts[c]), (frame) -> {
							frames.add(frame);
							replyTerminators.add(kind.framing.terminator(bytes(decoder.encode(frame))));
						});
						assertHeldWithinLimit(kind, decoder);
					}
					decoder.endOfInput(frames::add);
					String context = kind + " iteration " + iteration + ", input " + HexFormat.of().formatHex(input)
							+ ", cuts " + Arrays.toString(cuts);
					assertThat(frames).as(context).containsExactlyElementsOf(payloads);
					assertThat(replyTerminators).as(context).containsExactlyElementsOf(terminators);
				}
			}
		});
	}

	@Test
	void textInRandomChunksOnAStreamListenerComesOutWholeCharactersInOrder() {
		assertTimeoutPreemptively(LIMIT, () -> {
			Random random = new Random(SEED + 2);
			int[] codePoints = TEXT.codePoints().toArray();
			for (Charset charset : List.of(UTF_8, GBK)) {
				CharacterBoundaries boundaries = CharacterBoundaries.forCharset(charset);
				for (int iteration = 0; iteration < 500; iteration++) {
					StringBuilder text = new StringBuilder();
					int length = random.nextInt(40);
					for (int i = 0; i < length; i++) {
						int codePoint = codePoints[random.nextInt(codePoints.length)];
						if (charset.newEncoder().canEncode(new String(Character.toChars(codePoint)))) {
							text.appendCodePoint(codePoint);
						}
					}
					byte[] input = text.toString().getBytes(charset);
					int[] cuts = randomCuts(random, input.length);
					StreamCodec decoder = new StreamCodec(boundaries);
					ByteArrayOutputStream joined = new ByteArrayOutputStream();
					String context = charset + " iteration " + iteration + ", input " + HexFormat.of().formatHex(input)
							+ ", cuts " + Arrays.toString(cuts);
					for (int c = 0; c + 1 < cuts.length; c++) {
						decoder.decode(ByteBuffer.wrap(input, cuts[c], cuts[c + 1] - cuts[c]), (frame) -> {
							assertThat(isWholeText(frame, charset)).as(context + ", frame " + HexFormat.of().formatHex(frame))
								.isTrue();
							joined.writeBytes(frame);
						});
					}
					decoder.endOfInput((frame) -> fail("nothing is left over from whole text, got %s in %s",
							HexFormat.of().formatHex(frame), context));
					assertThat(joined.toByteArray()).as(context).isEqualTo(input);
				}
			}
		});
	}

	// ---- input ----

	private static byte[] randomBytes(Random random, Kind kind) {
		int length = switch (random.nextInt(4)) {
			case 0 -> random.nextInt(8);
			case 1 -> random.nextInt(64);
			case 2 -> random.nextInt(kind.max + 8);
			default -> random.nextInt(3 * kind.max + 16);
		};
		byte[] bytes = new byte[length];
		for (int i = 0; i < length; i++) {
			bytes[i] = (random.nextInt(4) == 0) ? SPECIAL[random.nextInt(SPECIAL.length)] : (byte) random.nextInt(256);
		}
		if (length > 0 && kind.framing != null && random.nextBoolean()) {
			// Start like a frame, so that decoders get past their first check.
			byte[] start = kind.framing.frame(random, kind.framing.payload(random, kind.max));
			System.arraycopy(start, 0, bytes, 0, Math.min(start.length, length));
		}
		return bytes;
	}

	/** Chunk boundaries from 0 to length: single bytes, small runs, whole input, or runs past the held buffer. */
	private static int[] randomCuts(Random random, int length) {
		List<Integer> cuts = new ArrayList<>();
		cuts.add(0);
		int style = random.nextInt(4);
		int at = 0;
		while (at < length) {
			int step = switch (style) {
				case 0 -> 1;
				case 1 -> 1 + random.nextInt(7);
				case 2 -> length;
				default -> 1 + random.nextInt(Math.max(1, length));
			};
			at = Math.min(length, at + step);
			cuts.add(at);
		}
		if (cuts.size() == 1) {
			cuts.add(0);
		}
		return cuts.stream().mapToInt(Integer::intValue).toArray();
	}

	private static void assertHeldWithinLimit(Kind kind, FrameCodec decoder) {
		if (decoder instanceof BufferingCodec buffering) {
			byte[] held = CodecTestSupport.held(buffering);
			assertThat(held.length).as("%s held buffer", kind).isLessThanOrEqualTo(kind.largestFrame);
		}
	}

	private static boolean isWholeText(byte[] bytes, Charset charset) {
		try {
			charset.newDecoder()
				.onMalformedInput(CodingErrorAction.REPORT)
				.onUnmappableCharacter(CodingErrorAction.REPORT)
				.decode(ByteBuffer.wrap(bytes));
			return true;
		}
		catch (CharacterCodingException ex) {
			return false;
		}
	}

	private static byte[] bytes(ByteBuffer buffer) {
		byte[] bytes = new byte[buffer.remaining()];
		buffer.get(bytes);
		return bytes;
	}

	/** Decoders under test, each with the largest frame it may buffer. */
	private enum Kind {

		LINE_SMALL(() -> new LineCodec(16, UTF_8), Framing.LINE, 16, 18),

		LINE(() -> new LineCodec(300, UTF_8), Framing.LINE, 300, 302),

		STX_ETX_SMALL(() -> new StxEtxCodec(16), Framing.STX_ETX, 16, 18),

		STX_ETX(() -> new StxEtxCodec(300), Framing.STX_ETX, 300, 302),

		LENGTH_HEADER_1(() -> new LengthHeaderCodec(1, 300), Framing.LENGTH_1, 255, 256),

		LENGTH_HEADER_2(() -> new LengthHeaderCodec(2, 300), Framing.LENGTH_2, 300, 302),

		LENGTH_HEADER_4(() -> new LengthHeaderCodec(4, 300), Framing.LENGTH_4, 300, 304),

		LENGTH_HEADER_4_SMALL(() -> new LengthHeaderCodec(4, 5), Framing.LENGTH_4, 5, 9),

		STREAM_UTF_8(() -> new StreamCodec(CharacterBoundaries.forCharset(UTF_8)), null, 300, 0),

		STREAM_GBK(() -> new StreamCodec(CharacterBoundaries.forCharset(GBK)), null, 300, 0);

		private final Supplier<FrameCodec> decoder;

		private final Framing framing;

		private final int max;

		private final int largestFrame;

		Kind(Supplier<FrameCodec> decoder, Framing framing, int max, int largestFrame) {
			this.decoder = decoder;
			this.framing = framing;
			this.max = max;
			this.largestFrame = largestFrame;
		}

	}

	/** How a client frames a payload, and what terminator a framed message ends with. */
	private enum Framing {

		LINE {
			@Override
			byte[] payload(Random random, int max) {
				byte[] payload = randomPayload(random, max);
				for (int i = 0; i < payload.length; i++) {
					if (payload[i] == '\n') {
						payload[i] = 'n';
					}
				}
				if (payload.length > 0 && payload[payload.length - 1] == '\r') {
					// A CR at the end of a line is part of its terminator, so it cannot end a payload.
					payload[payload.length - 1] = 'r';
				}
				return payload;
			}

			@Override
			byte[] frame(Random random, byte[] payload) {
				byte[] terminator = random.nextBoolean() ? new byte[] { '\r', '\n' } : new byte[] { '\n' };
				return concat(new byte[0], payload, terminator);
			}

			@Override
			byte[] terminator(byte[] framed) {
				boolean crlf = framed.length >= 2 && framed[framed.length - 2] == '\r';
				return crlf ? new byte[] { '\r', '\n' } : new byte[] { '\n' };
			}
		},

		STX_ETX {
			@Override
			byte[] payload(Random random, int max) {
				byte[] payload = randomPayload(random, max);
				for (int i = 0; i < payload.length; i++) {
					if (payload[i] == 0x03) {
						payload[i] = 'e';
					}
				}
				return payload;
			}

			@Override
			byte[] frame(Random random, byte[] payload) {
				return concat(new byte[] { 0x02 }, payload, new byte[] { 0x03 });
			}
		},

		LENGTH_1 {
			@Override
			byte[] frame(Random random, byte[] payload) {
				return lengthFramed(1, payload);
			}
		},

		LENGTH_2 {
			@Override
			byte[] frame(Random random, byte[] payload) {
				return lengthFramed(2, payload);
			}
		},

		LENGTH_4 {
			@Override
			byte[] frame(Random random, byte[] payload) {
				return lengthFramed(4, payload);
			}
		};

		byte[] payload(Random random, int max) {
			return randomPayload(random, max);
		}

		abstract byte[] frame(Random random, byte[] payload);

		/** The line terminator a framed message ends with; the same for every message elsewhere. */
		byte[] terminator(byte[] framed) {
			return new byte[0];
		}

		private static byte[] randomPayload(Random random, int max) {
			int length = switch (random.nextInt(4)) {
				case 0 -> 0;
				case 1 -> max;
				default -> random.nextInt(max + 1);
			};
			byte[] payload = new byte[length];
			for (int i = 0; i < length; i++) {
				payload[i] = (random.nextInt(3) == 0) ? SPECIAL[random.nextInt(SPECIAL.length)] : (byte) random.nextInt(256);
			}
			return payload;
		}

		private static byte[] lengthFramed(int width, byte[] payload) {
			byte[] header = new byte[width];
			for (int i = 0; i < width; i++) {
				header[i] = (byte) (payload.length >>> (8 * (width - 1 - i)));
			}
			return concat(header, payload, new byte[0]);
		}

		private static byte[] concat(byte[] a, byte[] b, byte[] c) {
			byte[] joined = Arrays.copyOf(a, a.length + b.length + c.length);
			System.arraycopy(b, 0, joined, a.length, b.length);
			System.arraycopy(c, 0, joined, a.length + b.length, c.length);
			return joined;
		}

	}

}
