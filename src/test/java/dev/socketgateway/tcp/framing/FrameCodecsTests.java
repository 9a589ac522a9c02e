package dev.socketgateway.tcp.framing;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import dev.socketgateway.config.Framing;
import dev.socketgateway.config.ListenerProperties;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static dev.socketgateway.tcp.framing.CodecTestSupport.bytes;
import static dev.socketgateway.tcp.framing.CodecTestSupport.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * {@link FrameCodecs#forListener} and {@link FrameCodecs#newCodec}: each {@link Framing} a listener can be set to gets the codec that frames
 * messages that way, seen in the bytes of a reply and in what a framed request decodes to.
 */
class FrameCodecsTests {

	/** "abc" framed the way each framing puts it on the wire, before any request has been answered. */
	private static final Map<Framing, String> ABC_ON_THE_WIRE = new EnumMap<>(Map.of(
			Framing.STREAM, "616263",
			Framing.LINE, "6162630d0a",
			Framing.STX_ETX, "0261626303",
			Framing.LENGTH_HEADER_1, "03616263",
			Framing.LENGTH_HEADER_2, "0003616263",
			Framing.LENGTH_HEADER_4, "00000003616263"));

	@ParameterizedTest
	@EnumSource(Framing.class)
	void eachFramingGetsACodecThatFramesRepliesAndReadsRequestsThatWay(Framing framing) {
		assertThat(ABC_ON_THE_WIRE).as("an expectation for every framing").containsKey(framing);
		byte[] wire = HexFormat.of().parseHex(ABC_ON_THE_WIRE.get(framing));
		assertThat(bytes(codecFor(framing, 64).encode(bytes("abc")))).isEqualTo(wire);

		FrameCodec codec = codecFor(framing, 64);
		List<String> frames = new ArrayList<>();
		codec.decode(ByteBuffer.wrap(wire), (frame) -> frames.add(text(frame)));
		codec.endOfInput((frame) -> frames.add(text(frame)));
		assertThat(frames).containsExactly("abc");
	}

	@ParameterizedTest
	@EnumSource(Framing.class)
	void eachFramingFramesAReplyIntoAReusedBufferOnlyWhenItFitsWhole(Framing framing) {
		byte[] wire = HexFormat.of().parseHex(ABC_ON_THE_WIRE.get(framing));
		FrameCodec codec = codecFor(framing, 64);
		ByteBuffer out = ByteBuffer.allocate(wire.length + 2).put((byte) '>');
		assertThat(codec.encode(bytes("abc"), out)).isTrue();
		assertThat(bytes(out.flip())).as("after what the buffer held").isEqualTo(concat(new byte[] { '>' }, wire));

		ByteBuffer tooSmall = ByteBuffer.allocate(wire.length - 1);
		assertThat(codec.encode(bytes("abc"), tooSmall)).isFalse();
		assertThat(tooSmall.position()).as("nothing written").isZero();
	}

	@ParameterizedTest
	@EnumSource(value = Framing.class, names = "STREAM", mode = EnumSource.Mode.EXCLUDE)
	void everyFramingButStreamHoldsRequestsToTheListenersFrameLimit(Framing framing) {
		byte[] fits = HexFormat.of().parseHex(ABC_ON_THE_WIRE.get(framing));
		FrameCodec roomy = codecFor(framing, 3);
		List<String> frames = new ArrayList<>();
		roomy.decode(ByteBuffer.wrap(fits), (frame) -> frames.add(text(frame)));
		assertThat(frames).containsExactly("abc");

		byte[] oneOver = bytes(codecFor(framing, 64).encode(bytes("abcd")));
		assertThatExceptionOfType(FramingException.class)
			.isThrownBy(() -> codecFor(framing, 3).decode(ByteBuffer.wrap(oneOver), (frame) -> {
			}))
			.matches(FramingException::isTooLarge, "is frame-too-large");
	}

	private static byte[] concat(byte[] first, byte[] second) {
		byte[] both = Arrays.copyOf(first, first.length + second.length);
		System.arraycopy(second, 0, both, first.length, second.length);
		return both;
	}

	private static FrameCodec codecFor(Framing framing, int maxFrameBytes) {
		ListenerProperties settings = new ListenerProperties();
		settings.setFraming(framing);
		settings.setMaxFrameBytes(maxFrameBytes);
		return FrameCodecs.forListener(settings).newCodec();
	}

}
