package dev.socketgateway.tcp.framing;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.function.Consumer;

import dev.socketgateway.transform.CharacterBoundaries;

/**
 * Stream framing: every read is a message and is answered at once, so a client that never sends a
 * delimiter still gets its reply. Only the tail of a character split across reads is held back, because
 * upper-casing half a character would corrupt it.
 */
final class StreamCodec implements FrameCodec {

	private static final byte[] NONE = new byte[0];

	private final CharacterBoundaries boundaries;

	private byte[] held = NONE;

	StreamCodec(CharacterBoundaries boundaries) {
		this.boundaries = boundaries;
	}

	@Override
	public void decode(ByteBuffer in, Consumer<byte[]> frames) {
		byte[] chunk;
		int length;
		if (this.held.length == 0) {
			length = in.remaining();
			int complete = this.boundaries.completeLength(in.array(), in.arrayOffset() + in.position(), length);
			chunk = new byte[length];
			in.get(chunk);
			emit(chunk, complete, frames);
			return;
		}
		chunk = new byte[this.held.length + in.remaining()];
		System.arraycopy(this.held, 0, chunk, 0, this.held.length);
		in.get(chunk, this.held.length, in.remaining());
		emit(chunk, this.boundaries.completeLength(chunk, 0, chunk.length), frames);
	}

	private void emit(byte[] chunk, int complete, Consumer<byte[]> frames) {
		if (complete == chunk.length) {
			this.held = NONE;
			frames.accept(chunk);
			return;
		}
		this.held = Arrays.copyOfRange(chunk, complete, chunk.length);
		if (complete > 0) {
			frames.accept(Arrays.copyOf(chunk, complete));
		}
	}

	@Override
	public void endOfInput(Consumer<byte[]> frames) {
		if (this.held.length > 0) {
			byte[] rest = this.held;
			this.held = NONE;
			frames.accept(rest);
		}
	}

	@Override
	public ByteBuffer encode(byte[] reply) {
		return ByteBuffer.wrap(reply);
	}

	@Override
	public boolean encode(byte[] reply, ByteBuffer out) {
		if (reply.length > out.remaining()) {
			return false;
		}
		out.put(reply);
		return true;
	}

}
