package dev.socketgateway.tcp.framing;

import dev.socketgateway.config.GatewayProperties;
import dev.socketgateway.transform.CaseConverter;

/**
 * Builds the frame codec a listener's settings call for, one per connection, the way Spring Integration's
 * {@code TcpCodecs} hands out its serializers. A new framing is a new {@link FrameCodec} and a case here.
 */
public final class FrameCodecs {

	private FrameCodecs() {
	}

	/**
	 * A fresh codec for one connection.
	 * @param settings the listener's framing, frame limit and charset
	 * @param converter the listener's charset converter, which stream framing asks where characters end
	 */
	public static FrameCodec forListener(GatewayProperties.Listener settings, CaseConverter converter) {
		int max = settings.getMaxFrameBytes();
		return switch (settings.getFraming()) {
			case STREAM -> new StreamCodec(converter);
			case LINE -> new LineCodec(max, settings.getCharset());
			case STX_ETX -> new StxEtxCodec(max);
			case LENGTH_HEADER_1 -> new LengthHeaderCodec(1, max);
			case LENGTH_HEADER_2 -> new LengthHeaderCodec(2, max);
			case LENGTH_HEADER_4 -> new LengthHeaderCodec(4, max);
		};
	}

}
