package dev.socketgateway.tcp.framing;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Length-prefixed framing: a big-endian unsigned length of 1, 2 or 4 bytes, then that many payload bytes.
 * A header that announces more than the limit ends the connection before any of the payload is buffered.
 */
final class LengthHeaderCodec extends BufferingCodec {

	private final int headerBytes;

	private final int maxFrameBytes;

	LengthHeaderCodec(int headerBytes, int maxFrameBytes) {
		super(headerBytes + effectiveLimit(headerBytes, maxFrameBytes));
		this.headerBytes = headerBytes;
		this.maxFrameBytes = effectiveLimit(headerBytes, maxFrameBytes);
	}

	/** A header cannot announce more than its width allows, whatever the configured limit. */
	static int effectiveLimit(int headerBytes, int maxFrameBytes) {
		long widest = (headerBytes == 4) ? Integer.MAX_VALUE : (1L << (8 * headerBytes)) - 1;
		return (int) Math.min(widest, maxFrameBytes);
	}

	@Override
	int extract(byte[] bytes, int offset, int length, Consumer<byte[]> frames) {
		int start = offset;
		int end = offset + length;
		while (end - start >= this.headerBytes) {
			long announced = 0;
			for (int i = 0; i < this.headerBytes; i++) {
				announced = (announced << 8) | (bytes[start + i] & 0xff);
			}
			if (announced > this.maxFrameBytes) {
				throw FramingException.tooLarge(this.maxFrameBytes);
			}
			int frameEnd = start + this.headerBytes + (int) announced;
			if (frameEnd > end) {
				break;
			}
			frames.accept(Arrays.copyOfRange(bytes, start + this.headerBytes, frameEnd));
			start = frameEnd;
		}
		return start - offset;
	}

	@Override
	public ByteBuffer encode(byte[] reply) {
		ByteBuffer framed = ByteBuffer.allocate(this.headerBytes + reply.length);
		encode(reply, framed);
		return framed.flip();
	}

	@Override
	public boolean encode(byte[] reply, ByteBuffer out) {
		if (reply.length > this.maxFrameBytes) {
			// Upper case can be longer than the request ('ß' becomes "SS"); a header too narrow cannot carry it.
			throw FramingException.tooLarge(this.maxFrameBytes);
		}
		if (this.headerBytes + reply.length > out.remaining()) {
			return false;
		}
		for (int shift = 8 * (this.headerBytes - 1); shift >= 0; shift -= 8) {
			out.put((byte) (reply.length >>> shift));
		}
		out.put(reply);
		return true;
	}

}
