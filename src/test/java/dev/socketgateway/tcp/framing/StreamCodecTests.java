package dev.socketgateway.tcp.framing;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import dev.socketgateway.transform.CharacterBoundaries;
import org.junit.jupiter.api.Test;

import static dev.socketgateway.tcp.framing.CodecTestSupport.bytes;
import static dev.socketgateway.tcp.framing.CodecTestSupport.isValid;
import static dev.socketgateway.tcp.framing.CodecTestSupport.text;
import static dev.socketgateway.tcp.framing.CodecTestSupport.wrap;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link StreamCodec}: every read is a message answered as it is, except the start of a character split
 * across reads, which waits for the rest of it.
 */
class StreamCodecTests {

	private static final Charset GBK = Charset.forName("GBK");

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

}
