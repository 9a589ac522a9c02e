package dev.socketgateway.tcp.framing;

import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Line framing: a message ends at LF, and a CR just before it belongs to the terminator. Each reply ends
 * with the terminator its request used, so telnet (CRLF) and nc (LF) both get what they sent.
 */
final class LineCodec extends BufferingCodec {

	private static final byte CR = '\r';

	private static final byte LF = '\n';

	private static final byte[] CRLF = { CR, LF };

	private static final byte[] JUST_LF = { LF };

	private final int maxFrameBytes;

	private final Charset charset;

	/**
	 * Leading bytes of the next extract call already known to hold no LF: the tail left by the last call,
	 * which is what a held buffer starts with. Rescanning it would make a long line sent in many small
	 * reads cost quadratic time.
	 */
	private int scanned;

	/** The terminator of the request being answered; CRLF before the first one, as a network default. */
	private byte[] terminator = CRLF;

	LineCodec(int maxFrameBytes, Charset charset) {
		super(maxFrameBytes + 2);
		this.maxFrameBytes = maxFrameBytes;
		this.charset = charset;
	}

	@Override
	int extract(byte[] bytes, int offset, int length, Consumer<byte[]> frames) {
		int start = offset;
		int end = offset + length;
		for (int i = start + this.scanned; i < end; i++) {
			if (bytes[i] != LF) {
				continue;
			}
			boolean crlf = i > start && bytes[i - 1] == CR;
			int payloadEnd = crlf ? i - 1 : i;
			if (payloadEnd - start > this.maxFrameBytes) {
				throw FramingException.tooLarge(this.maxFrameBytes);
			}
			this.terminator = crlf ? CRLF : JUST_LF;
			frames.accept(Arrays.copyOfRange(bytes, start, payloadEnd));
			start = i + 1;
		}
		int tail = end - start;
		this.scanned = tail;
		// A CR at the very end may still be followed by its LF, so it does not count yet.
		int tailPayload = (tail > 0 && bytes[end - 1] == CR) ? tail - 1 : tail;
		if (tailPayload > this.maxFrameBytes) {
			throw FramingException.tooLarge(this.maxFrameBytes);
		}
		return start - offset;
	}

	/** An unterminated last line is still a message: the client gets its reply, without a terminator. */
	@Override
	public void endOfInput(Consumer<byte[]> frames) {
		if (holding()) {
			this.terminator = new byte[0];
			frames.accept(heldBytes());
		}
	}

	@Override
	public ByteBuffer encode(byte[] reply) {
		ByteBuffer framed = ByteBuffer.allocate(reply.length + this.terminator.length);
		encode(reply, framed);
		return framed.flip();
	}

	@Override
	public boolean encode(byte[] reply, ByteBuffer out) {
		if (reply.length + this.terminator.length > out.remaining()) {
			return false;
		}
		out.put(reply).put(this.terminator);
		return true;
	}

	/** Sent before closing a connection whose line is too long, so a person at a terminal sees why. */
	@Override
	public ByteBuffer tooLargeReply() {
		return encode(("ERROR frame exceeds " + this.maxFrameBytes + " bytes").getBytes(this.charset));
	}

}
