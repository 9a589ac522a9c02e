package dev.socketgateway.tcp.framing;

import java.nio.ByteBuffer;
import java.util.function.Consumer;

/**
 * Shared by the delimited and length-prefixed framings. Frames are cut straight out of the loop's read
 * buffer; only the incomplete frame at the end of a read is copied into this connection's own buffer,
 * which never grows past the largest valid frame (payload limit plus framing overhead).
 */
abstract class BufferingCodec implements FrameCodec {

	private static final byte[] NONE = new byte[0];

	private static final int SMALL = 4096;

	/** The largest a complete frame may be on the wire, header or delimiters included. */
	private final int capacity;

	private byte[] held = NONE;

	private int heldLength;

	BufferingCodec(int capacity) {
		this.capacity = capacity;
	}

	/**
	 * Hands every complete frame at the start of {@code bytes[offset, offset+length)} to {@code frames}.
	 * @return how many bytes those frames took; the rest is the start of an incomplete frame
	 * @throws FramingException when the bytes cannot start a frame within the limits
	 */
	abstract int extract(byte[] bytes, int offset, int length, Consumer<byte[]> frames);

	@Override
	public final void decode(ByteBuffer in, Consumer<byte[]> frames) {
		if (this.heldLength == 0) {
			int consumed = extract(in.array(), in.arrayOffset() + in.position(), in.remaining(), frames);
			in.position(in.position() + consumed);
			hold(in);
			return;
		}
		while (in.hasRemaining()) {
			int take = Math.min(in.remaining(), this.capacity - this.heldLength);
			ensureRoom(this.heldLength + take);
			in.get(this.held, this.heldLength, take);
			this.heldLength += take;
			int consumed = extract(this.held, 0, this.heldLength, frames);
			if (consumed == 0 && this.heldLength == this.capacity) {
				throw FramingException.malformed("no frame in " + this.capacity + " bytes");
			}
			System.arraycopy(this.held, consumed, this.held, 0, this.heldLength - consumed);
			this.heldLength -= consumed;
			if (this.heldLength == 0) {
				release();
				decode(in, frames);
				return;
			}
		}
	}

	/** Idle connections keep no large buffer after a large frame. */
	private void release() {
		if (this.held.length > SMALL) {
			this.held = NONE;
		}
	}

	private void hold(ByteBuffer in) {
		int rest = in.remaining();
		if (rest == 0) {
			return;
		}
		if (rest > this.capacity) {
			throw FramingException.malformed("no frame in " + this.capacity + " bytes");
		}
		ensureRoom(rest);
		in.get(this.held, 0, rest);
		this.heldLength = rest;
	}

	private void ensureRoom(int needed) {
		if (this.held.length < needed) {
			byte[] grown = new byte[Math.min(this.capacity, Math.max(needed, 2 * this.held.length))];
			System.arraycopy(this.held, 0, grown, 0, this.heldLength);
			this.held = grown;
		}
	}

	/** A frame cut off by the end of input was never complete; it is dropped, not answered. */
	@Override
	public void endOfInput(Consumer<byte[]> frames) {
		if (holding()) {
			discardHeld();
			throw FramingException.malformed("input ended inside a frame");
		}
	}

	/** What is held when the input ends: an incomplete frame. */
	protected final byte[] heldBytes() {
		byte[] copy = new byte[this.heldLength];
		System.arraycopy(this.held, 0, copy, 0, this.heldLength);
		discardHeld();
		return copy;
	}

	private void discardHeld() {
		this.heldLength = 0;
		this.held = NONE;
	}

	protected final boolean holding() {
		return this.heldLength > 0;
	}

}
