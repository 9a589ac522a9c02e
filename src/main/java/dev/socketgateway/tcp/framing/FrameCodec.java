package dev.socketgateway.tcp.framing;

import java.nio.ByteBuffer;
import java.util.function.Consumer;

/**
 * The framing state of one connection: splits what arrives into messages and frames each reply the way
 * the client framed its request. Instances are per connection and used by one thread at a time.
 */
public interface FrameCodec {

	/** Consumes every remaining byte of {@code in}, handing each complete message to {@code frames}. */
	public void decode(ByteBuffer in, Consumer<byte[]> frames);

	/** The client sent its last byte; hand over whatever is still held. */
	public void endOfInput(Consumer<byte[]> frames);

	/** Frames a reply to the message most recently handed out. */
	public ByteBuffer encode(byte[] reply);

	/**
	 * Frames a reply as {@link #encode(byte[])} does, into the end of a buffer the caller reuses, so that a reply
	 * costs one copy and no allocation.
	 * @return false, with {@code out} unchanged, if the framed reply does not fit in what remains of {@code out}
	 */
	public boolean encode(byte[] reply, ByteBuffer out);

	/**
	 * What to send before closing a connection whose frame is over the limit, or null for nothing: a
	 * framing meant for people at a terminal says why; a binary framing just closes.
	 */
	public default ByteBuffer tooLargeReply() {
		return null;
	}

}
