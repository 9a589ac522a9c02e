package dev.socketgateway.transform;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.util.Objects;

/**
 * Finds where the characters in a run of received bytes end, in one fixed charset, so that a character
 * split across two reads is held back rather than answered in halves. Upper-casing half a GBK or UTF-8
 * character would corrupt it; a stream has no other boundaries to go by.
 * <p>
 * Everything that depends only on the charset is decided once, in {@link #forCharset(Charset)}, because
 * the boundary is looked for on every read. Instances are immutable and thread-safe.
 */
public final class CharacterBoundaries {

	// Bounds the search for a continuation of a held-back tail; found within a few dozen
	// decodes for real charsets.
	private static final int PROBE_BUDGET = 4096;

	private final Charset charset;

	private final boolean asciiTransparent;

	private final boolean asciiByteEndsCharacter;

	private final int maxHeldBytes;

	private final ThreadLocal<Scratch> scratch;

	private CharacterBoundaries(Charset charset) {
		this.charset = charset;
		this.asciiTransparent = Charsets.isAsciiTransparent(charset);
		this.asciiByteEndsCharacter = this.asciiTransparent && asciiByteAlwaysEndsCharacter(charset);
		// A code point can take two chars (a surrogate pair), so one char's worth of
		// bytes is not a safe bound: UTF-16BE holds back up to three bytes.
		this.maxHeldBytes = 2 * (int) Math.ceil(charset.newEncoder().maxBytesPerChar()) - 1;
		// Decoders are not thread-safe and too costly to build per read; a listener reads on
		// its event loops only, so one set per loop thread stays bounded.
		int probeLength = this.maxHeldBytes + 1;
		this.scratch = ThreadLocal.withInitial(() -> new Scratch(charset, probeLength));
	}

	/**
	 * Create the boundary finder for the given charset. Meant to be called once per listener, at startup.
	 * @param charset the charset clients send
	 * @return the boundary finder
	 */
	public static CharacterBoundaries forCharset(Charset charset) {
		return new CharacterBoundaries(Objects.requireNonNull(charset, "charset"));
	}

	/**
	 * Return the charset whose characters this finds.
	 * @return the charset
	 */
	public Charset charset() {
		return this.charset;
	}

	/**
	 * Return how many leading bytes of {@code buf[off, off + len)} end on a character
	 * boundary. The remaining bytes, if any, are a valid but incomplete start of a
	 * character (one split across reads) and should be held back until more bytes
	 * arrive. A tail that can never become valid is not held back: it counts as complete
	 * and {@link CaseConverter#uppercase(byte[], int, int)} passes it through unchanged.
	 * @param buf the received bytes
	 * @param off where they start
	 * @param len how many there are
	 * @return the number of bytes that can be converted now
	 */
	public int completeLength(byte[] buf, int off, int len) {
		Objects.checkFromIndexSize(off, len, buf.length);
		if (len == 0) {
			return 0;
		}
		int end = off + len;
		int start = off;
		if (this.asciiByteEndsCharacter) {
			if (buf[end - 1] >= 0) {
				return len;
			}
			// An ASCII byte always ends a character (GBK trail bytes included), so
			// there is a known boundary right after the last one.
			for (int i = end - 2; i >= off; i--) {
				if (buf[i] >= 0) {
					start = i + 1;
					break;
				}
			}
		}
		else if (this.asciiTransparent && isAscii(buf, Math.max(off, end - this.maxHeldBytes), end)) {
			// Any incomplete tail would have to start with one of these bytes, and each
			// of them is a whole character.
			return len;
		}
		// Decoding from a known boundary is the only reliable way to find the last
		// one: in GBK a byte such as 0xE3 can be a lead byte or the end of '你'.
		Scratch coders = this.scratch.get();
		int held = incompleteTail(coders, buf, start, end);
		// Decoders may wait for more input before rejecting bytes that can never become
		// a character (the JDK's GBK decoder does for a lone 0x80, its UTF-8 decoder for
		// ED A0, which could only start a surrogate). Holding those back would only delay
		// them, so give up on the first byte and look again from the next. Only done where
		// any byte can start a character: in UTF-16 that would misalign everything after.
		while (held > 0 && this.asciiTransparent && !canBeCompleted(coders, buf, end - held, held)) {
			held = incompleteTail(coders, buf, end - held + 1, end);
		}
		return (held <= this.maxHeldBytes) ? len - held : len;
	}

	private static int incompleteTail(Scratch coders, byte[] buf, int from, int to) {
		CharsetDecoder decoder = coders.decoder.reset();
		CharBuffer chars = coders.chars;
		ByteBuffer src = ByteBuffer.wrap(buf, from, to - from);
		while (true) {
			chars.clear();
			CoderResult result = decoder.decode(src, chars, false);
			if (result.isError()) {
				src.position(src.position() + result.length());
			}
			else if (result.isUnderflow()) {
				return src.remaining();
			}
		}
	}

	private static boolean canBeCompleted(Scratch coders, byte[] buf, int from, int count) {
		byte[] probe = coders.probe;
		if (count >= probe.length) {
			return false;
		}
		System.arraycopy(buf, from, probe, 0, count);
		int[] budget = { PROBE_BUDGET };
		return canBeCompleted(coders.unitDecoder, coders.unit, probe, count, budget);
	}

	// Depth-first search for any continuation the decoder accepts. Continuation bytes are
	// tried first because in most multi-byte charsets that is what completes a character.
	private static boolean canBeCompleted(CharsetDecoder decoder, CharBuffer out, byte[] probe, int count,
			int[] budget) {
		if (count >= probe.length) {
			return false;
		}
		for (int i = 0; i < 0x100; i++) {
			if (budget[0]-- <= 0) {
				// Undecided: holding back a few bytes is the harmless choice.
				return true;
			}
			probe[count] = (byte) (0x80 + i);
			decoder.reset();
			out.clear();
			ByteBuffer src = ByteBuffer.wrap(probe, 0, count + 1);
			CoderResult result = decoder.decode(src, out, false);
			if (src.position() > 0) {
				return true;
			}
			if (result.isUnderflow() && canBeCompleted(decoder, out, probe, count + 1, budget)) {
				return true;
			}
		}
		return false;
	}

	private static boolean isAscii(byte[] bytes, int from, int to) {
		for (int i = from; i < to; i++) {
			if (bytes[i] < 0) {
				return false;
			}
		}
		return true;
	}

	// "The last byte is ASCII, so the text is complete" holds for UTF-8 and GBK but not
	// everywhere: GB18030's four-byte form has an ASCII digit as its second byte, and
	// EUC-JP's decoder waits for a third byte before judging 0x8F followed by ASCII.
	// Probing every lead byte with every ASCII follower finds such charsets.
	private static boolean asciiByteAlwaysEndsCharacter(Charset charset) {
		CharsetDecoder decoder = Charsets.newDecoder(charset);
		CharBuffer out = CharBuffer.allocate(Charsets.UNIT_CHARS);
		byte[] pair = new byte[2];
		for (int lead = 0x80; lead <= 0xFF; lead++) {
			pair[0] = (byte) lead;
			if (!isIncomplete(decoder, pair, 1, out)) {
				continue;
			}
			for (int next = 0; next < 0x80; next++) {
				pair[1] = (byte) next;
				if (isIncomplete(decoder, pair, 2, out)) {
					return false;
				}
			}
		}
		return true;
	}

	private static boolean isIncomplete(CharsetDecoder decoder, byte[] bytes, int len, CharBuffer out) {
		decoder.reset();
		out.clear();
		ByteBuffer src = ByteBuffer.wrap(bytes, 0, len);
		return decoder.decode(src, out, false).isUnderflow() && src.hasRemaining();
	}

	@Override
	public String toString() {
		return "CharacterBoundaries[" + this.charset.name() + "]";
	}

	/** One thread's decoders and scratch buffers. */
	private static final class Scratch {

		private final CharsetDecoder decoder;

		// Separate from the decoder above: the probe runs while that one holds a position.
		private final CharsetDecoder unitDecoder;

		private final CharBuffer chars = CharBuffer.allocate(Charsets.CHUNK_CHARS);

		private final CharBuffer unit = CharBuffer.allocate(Charsets.UNIT_CHARS);

		private final byte[] probe;

		Scratch(Charset charset, int probeLength) {
			this.probe = new byte[probeLength];
			this.decoder = Charsets.newDecoder(charset);
			this.unitDecoder = Charsets.newDecoder(charset);
		}

	}

}
