package dev.socketgateway.tcp.framing;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.function.Consumer;

/** STX/ETX framing: each message is 0x02, the payload, 0x03. Bytes outside a frame are malformed input. */
final class StxEtxCodec extends BufferingCodec {

	static final byte STX = 0x02;

	static final byte ETX = 0x03;

	private final int maxFrameBytes;

	/** Leading bytes of the next call known to hold no ETX; see {@link LineCodec}. */
	private int scanned;

	StxEtxCodec(int maxFrameBytes) {
		super(maxFrameBytes + 2);
		this.maxFrameBytes = maxFrameBytes;
	}

	@Override
	int extract(byte[] bytes, int offset, int length, Consumer<byte[]> frames) {
		int start = offset;
		int end = offset + length;
		int from = start + Math.max(this.scanned, 1);
		while (start < end) {
			if (bytes[start] != STX) {
				throw FramingException.malformed(String.format("expected STX, got 0x%02x", bytes[start] & 0xff));
			}
			int etx = -1;
			for (int i = from; i < end; i++) {
				if (bytes[i] == ETX) {
					etx = i;
					break;
				}
			}
			if (etx < 0) {
				break;
			}
			if (etx - start - 1 > this.maxFrameBytes) {
				throw FramingException.tooLarge(this.maxFrameBytes);
			}
			frames.accept(Arrays.copyOfRange(bytes, start + 1, etx));
			start = etx + 1;
			from = start + 1;
		}
		int tail = end - start;
		if (tail - 1 > this.maxFrameBytes) {
			throw FramingException.tooLarge(this.maxFrameBytes);
		}
		this.scanned = tail;
		return start - offset;
	}

	@Override
	public ByteBuffer encode(byte[] reply) {
		ByteBuffer framed = ByteBuffer.allocate(reply.length + 2);
		encode(reply, framed);
		return framed.flip();
	}

	@Override
	public boolean encode(byte[] reply, ByteBuffer out) {
		if (reply.length + 2 > out.remaining()) {
			return false;
		}
		out.put(STX).put(reply).put(ETX);
		return true;
	}

}
