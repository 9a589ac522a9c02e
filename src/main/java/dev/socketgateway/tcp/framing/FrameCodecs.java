package dev.socketgateway.tcp.framing;

import dev.socketgateway.config.Framing;
import dev.socketgateway.config.ListenerProperties;
import dev.socketgateway.transform.CharacterBoundaries;

/**
 * Builds the frame codec a listener's settings call for, a fresh one per connection, the way Spring
 * Integration's {@code TcpCodecs} hands out its serializers. Made once per listener, so that what the
 * codecs share (stream framing's knowledge of where the charset's characters end) is set up once. A new
 * framing is a new {@link FrameCodec}, a {@code Framing} value and a case here.
 */
public final class FrameCodecs {

	private final ListenerProperties settings;

	/** Only stream framing needs it, and finding a charset's boundaries costs some thousand decodes. */
	private final CharacterBoundaries boundaries;

	private FrameCodecs(ListenerProperties settings, CharacterBoundaries boundaries) {
		this.settings = settings;
		this.boundaries = boundaries;
	}

	/** The codecs of one listener: its framing, frame limit and charset. */
	public static FrameCodecs forListener(ListenerProperties settings) {
		boolean stream = settings.getFraming() == Framing.STREAM;
		return new FrameCodecs(settings, stream ? CharacterBoundaries.forCharset(settings.getCharset()) : null);
	}

	/** A codec for one new connection; codecs hold per-connection state and are never shared. */
	public FrameCodec newCodec() {
		int max = this.settings.getMaxFrameBytes();
		return switch (this.settings.getFraming()) {
			case STREAM -> new StreamCodec(this.boundaries);
			case LINE -> new LineCodec(max, this.settings.getCharset());
			case STX_ETX -> new StxEtxCodec(max);
			case LENGTH_HEADER_1 -> new LengthHeaderCodec(1, max);
			case LENGTH_HEADER_2 -> new LengthHeaderCodec(2, max);
			case LENGTH_HEADER_4 -> new LengthHeaderCodec(4, max);
		};
	}

}
