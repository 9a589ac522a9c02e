package dev.socketgateway.transform;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;

/**
 * Upper-cases text that arrives as bytes in one fixed charset, without damaging anything
 * it does not understand.
 * <p>
 * Upper-casing byte by byte (the {@code data.upper()} of socket tutorials) corrupts
 * multi-byte charsets: the second byte of a GBK character can be an ASCII letter ('乤' is
 * {@code 0x81 0x61}), so "upper-casing" it silently turns it into a different character.
 * This class decodes, upper-cases with Unicode rules under {@link Locale#ROOT} (never the
 * JVM default locale, which would turn 'i' into 'İ' on a Turkish host) and re-encodes. It
 * never loses data: bytes that do not decode, and characters whose upper-case form the
 * charset cannot express, come back exactly as they were sent.
 * <p>
 * Everything that depends only on the charset is decided once, in
 * {@link #forCharset(Charset)}, because conversion runs for every message. Instances are
 * immutable and thread-safe.
 *
 * @see UppercaseTransformer
 */
public final class CaseConverter {

	// Decoding in bounded chunks keeps the per-thread scratch space fixed whatever the
	// message size.
	private static final int CHUNK_CHARS = 1024;

	// Room for what a decoder may produce from one byte sequence: a surrogate pair, with
	// slack for charsets that map one sequence to several chars.
	private static final int UNIT_CHARS = 4;

	// Bounds the search for a continuation of a held-back tail; found within a few dozen
	// decodes for real charsets.
	private static final int PROBE_BUDGET = 4096;

	private final Charset charset;

	private final boolean asciiTransparent;

	private final boolean asciiByteEndsCharacter;

	private final int maxHeldBytes;

	private final ThreadLocal<Coders> coders;

	private CaseConverter(Charset charset) {
		this.charset = charset;
		this.asciiTransparent = isAsciiTransparent(charset);
		this.asciiByteEndsCharacter = this.asciiTransparent && asciiByteAlwaysEndsCharacter(charset);
		// A code point can take two chars (a surrogate pair), so one char's worth of
		// bytes is not a safe bound: UTF-16BE holds back up to three bytes.
		this.maxHeldBytes = 2 * (int) Math.ceil(charset.newEncoder().maxBytesPerChar()) - 1;
		// Coders are not thread-safe and too costly to build per message; the worker
		// pools are fixed, so one set per thread stays bounded.
		int probeLength = this.maxHeldBytes + 1;
		this.coders = ThreadLocal.withInitial(() -> new Coders(charset, probeLength));
	}

	/**
	 * Create the converter for the given charset. Meant to be called at startup; keep the
	 * instance rather than calling this per message.
	 * @param charset the charset clients send and receive
	 * @return the converter
	 * @throws IllegalArgumentException if the charset can only decode
	 */
	public static CaseConverter forCharset(Charset charset) {
		Objects.requireNonNull(charset, "charset");
		if (!charset.canEncode()) {
			throw new IllegalArgumentException(
					"Charset " + charset.name() + " can only decode, so upper-cased text could not be sent back");
		}
		return new CaseConverter(charset);
	}

	/**
	 * Return the charset this converter reads and writes.
	 * @return the charset
	 */
	public Charset charset() {
		return this.charset;
	}

	/**
	 * Upper-case all of {@code in}.
	 * @param in the encoded text, left untouched
	 * @return a new array holding the upper-cased text
	 * @see #uppercase(byte[], int, int)
	 */
	public byte[] uppercase(byte[] in) {
		return uppercase(in, 0, in.length);
	}

	/**
	 * Upper-case {@code in[off, off + len)} into a new array. Characters are upper-cased
	 * with {@link String#toUpperCase(Locale) toUpperCase(Locale.ROOT)}, so the result can
	 * be longer than the input ('ß' becomes "SS"). Malformed or unmappable bytes, including
	 * an incomplete sequence at the end, are copied unchanged; so is any character whose
	 * upper-case form cannot be encoded in the charset.
	 * @param in the encoded text, left untouched
	 * @param off where the text starts
	 * @param len how many bytes to convert
	 * @return a new array holding the upper-cased text
	 */
	public byte[] uppercase(byte[] in, int off, int len) {
		Objects.checkFromIndexSize(off, len, in.length);
		byte[] out = new byte[len];
		int done = 0;
		if (this.asciiTransparent) {
			// Here every byte below 0x80 seen from a character boundary is a whole
			// character, so plain ASCII needs no decoder at all.
			for (; done < len; done++) {
				byte b = in[off + done];
				if (b < 0) {
					break;
				}
				out[done] = (b >= 'a' && b <= 'z') ? (byte) (b - ('a' - 'A')) : b;
			}
			if (done == len) {
				return out;
			}
		}
		// The ASCII prefix ends on a character boundary, so decoding can pick up there.
		return uppercaseByDecoding(in, off + done, off + len, new Output(out, done));
	}

	/**
	 * Return how many leading bytes of {@code buf[off, off + len)} end on a character
	 * boundary. The remaining bytes, if any, are a valid but incomplete start of a
	 * character (one split across reads) and should be held back until more bytes
	 * arrive. A tail that can never become valid is not held back: it counts as complete
	 * and {@link #uppercase(byte[], int, int)} passes it through unchanged.
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
		Coders coders = this.coders.get();
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

	private static int incompleteTail(Coders coders, byte[] buf, int from, int to) {
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

	private static boolean canBeCompleted(Coders coders, byte[] buf, int from, int count) {
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

	private byte[] uppercaseByDecoding(byte[] in, int from, int to, Output out) {
		Coders coders = this.coders.get();
		CharsetDecoder decoder = coders.decoder.reset();
		CharBuffer chars = coders.chars;
		ByteBuffer src = ByteBuffer.wrap(in, from, to - from);
		while (true) {
			int runStart = src.position();
			chars.clear();
			// With endOfInput set the decoder reports a truncated final sequence as
			// malformed, so it is copied through like any other bad bytes.
			CoderResult result = decoder.decode(src, chars, true);
			chars.flip();
			appendUppercased(in, runStart, src.position(), chars, coders, out);
			if (result.isError()) {
				out.append(in, src.position(), result.length());
				src.position(src.position() + result.length());
			}
			else if (result.isUnderflow()) {
				out.append(in, src.position(), src.remaining());
				return out.toArray();
			}
		}
	}

	private static void appendUppercased(byte[] in, int start, int end, CharBuffer chars, Coders coders,
			Output out) {
		String original = chars.toString();
		String upper = original.toUpperCase(Locale.ROOT);
		if (upper.equals(original)) {
			// Copying rather than re-encoding also keeps bytes that decode to nothing,
			// such as a byte-order mark.
			out.append(in, start, end - start);
			return;
		}
		// Re-encoding the run is trusted only if it reproduces the bytes we were sent;
		// charsets with several encodings of one character must not have them rewritten.
		int mark = out.length;
		if (encode(coders.encoder, original, out) && out.endsWith(mark, in, start, end - start)) {
			out.length = mark;
			if (encode(coders.encoder, upper, out)) {
				return;
			}
		}
		out.length = mark;
		appendUppercasedPerCharacter(in, start, end, coders, out);
	}

	// The slow lane for runs where some upper-case form cannot be encoded (Latin-1 'ÿ'
	// has no 'Ÿ'): going one character at a time keeps the original bytes of exactly the
	// characters that cannot be converted.
	private static void appendUppercasedPerCharacter(byte[] in, int start, int end, Coders coders, Output out) {
		CharsetDecoder decoder = coders.unitDecoder.reset();
		CharBuffer unit = coders.unit;
		ByteBuffer src = ByteBuffer.wrap(in, start, end - start);
		while (src.hasRemaining()) {
			int unitStart = src.position();
			CoderResult result = decodeOneCharacter(decoder, src, unit);
			if (result.isError() || src.position() == unitStart) {
				// These bytes decoded a moment ago, so this should not happen; keeping
				// them beats looping or dropping them.
				out.append(in, unitStart, end - unitStart);
				return;
			}
			int count = src.position() - unitStart;
			String original = unit.flip().toString();
			String upper = original.toUpperCase(Locale.ROOT);
			if (!upper.equals(original)) {
				int mark = out.length;
				if (encode(coders.encoder, original, out) && out.endsWith(mark, in, unitStart, count)) {
					out.length = mark;
					if (encode(coders.encoder, upper, out)) {
						continue;
					}
				}
				out.length = mark;
			}
			out.append(in, unitStart, count);
		}
	}

	// A decoder stops when its output is full, so a one-char window consumes exactly one
	// character; widen it only when the character needs more chars than that.
	private static CoderResult decodeOneCharacter(CharsetDecoder decoder, ByteBuffer src, CharBuffer unit) {
		unit.clear();
		int limit = 0;
		CoderResult result;
		do {
			unit.limit(++limit);
			result = decoder.decode(src, unit, true);
		}
		while (result.isOverflow() && unit.position() == 0 && limit < unit.capacity());
		return result;
	}

	private static boolean encode(CharsetEncoder encoder, String text, Output out) {
		encoder.reset();
		CharBuffer chars = CharBuffer.wrap(text);
		boolean flushing = false;
		while (true) {
			ByteBuffer window = out.window();
			CoderResult result = flushing ? encoder.flush(window) : encoder.encode(chars, window, true);
			out.length = window.position();
			if (result.isOverflow()) {
				out.grow();
			}
			else if (result.isError()) {
				return false;
			}
			else if (flushing) {
				return true;
			}
			else {
				flushing = true;
			}
		}
	}

	private static boolean isAscii(byte[] bytes, int from, int to) {
		for (int i = from; i < to; i++) {
			if (bytes[i] < 0) {
				return false;
			}
		}
		return true;
	}

	private static boolean isAsciiTransparent(Charset charset) {
		// Stateful charsets can give ASCII bytes another meaning after a shift sequence.
		String name = charset.name().toUpperCase(Locale.ROOT);
		if (name.contains("2022") || name.contains("UTF-7") || name.contains("HZ")) {
			return false;
		}
		byte[] bytes = new byte[0x80];
		char[] chars = new char[0x80];
		for (int i = 0; i < 0x80; i++) {
			bytes[i] = (byte) i;
			chars[i] = (char) i;
		}
		try {
			CharBuffer decoded = newDecoder(charset).decode(ByteBuffer.wrap(bytes));
			ByteBuffer encoded = newEncoder(charset).encode(CharBuffer.wrap(chars));
			return CharBuffer.wrap(chars).equals(decoded) && ByteBuffer.wrap(bytes).equals(encoded);
		}
		catch (CharacterCodingException ex) {
			return false;
		}
	}

	// "The last byte is ASCII, so the text is complete" holds for UTF-8 and GBK but not
	// everywhere: GB18030's four-byte form has an ASCII digit as its second byte, and
	// EUC-JP's decoder waits for a third byte before judging 0x8F followed by ASCII.
	// Probing every lead byte with every ASCII follower finds such charsets.
	private static boolean asciiByteAlwaysEndsCharacter(Charset charset) {
		CharsetDecoder decoder = newDecoder(charset);
		CharBuffer out = CharBuffer.allocate(UNIT_CHARS);
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

	private static CharsetDecoder newDecoder(Charset charset) {
		return charset.newDecoder()
			.onMalformedInput(CodingErrorAction.REPORT)
			.onUnmappableCharacter(CodingErrorAction.REPORT);
	}

	private static CharsetEncoder newEncoder(Charset charset) {
		return charset.newEncoder()
			.onMalformedInput(CodingErrorAction.REPORT)
			.onUnmappableCharacter(CodingErrorAction.REPORT);
	}

	@Override
	public String toString() {
		return "CaseConverter[" + this.charset.name() + "]";
	}

	/**
	 * One thread's coders and scratch buffers.
	 */
	private static final class Coders {

		private final CharsetDecoder decoder;

		// Separate from the decoder above, which is mid-way through the message while
		// a run is being redone character by character.
		private final CharsetDecoder unitDecoder;

		private final CharsetEncoder encoder;

		private final CharBuffer chars = CharBuffer.allocate(CHUNK_CHARS);

		private final CharBuffer unit = CharBuffer.allocate(UNIT_CHARS);

		private final byte[] probe;

		Coders(Charset charset, int probeLength) {
			this.probe = new byte[probeLength];
			this.decoder = newDecoder(charset);
			this.unitDecoder = newDecoder(charset);
			this.encoder = newEncoder(charset);
		}

	}

	/**
	 * A growable byte array that starts as the result array, so output the same length as
	 * the input (by far the usual case) is returned without another copy.
	 */
	private static final class Output {

		private byte[] bytes;

		private int length;

		Output(byte[] bytes, int length) {
			this.bytes = bytes;
			this.length = length;
		}

		void append(byte[] src, int from, int count) {
			if (this.length + count > this.bytes.length) {
				this.bytes = Arrays.copyOf(this.bytes, Math.max(this.length + count, this.bytes.length * 2));
			}
			System.arraycopy(src, from, this.bytes, this.length, count);
			this.length += count;
		}

		ByteBuffer window() {
			return ByteBuffer.wrap(this.bytes, this.length, this.bytes.length - this.length);
		}

		void grow() {
			this.bytes = Arrays.copyOf(this.bytes, Math.max(16, this.bytes.length * 2));
		}

		boolean endsWith(int from, byte[] expected, int expectedFrom, int count) {
			return this.length - from == count
					&& Arrays.equals(this.bytes, from, this.length, expected, expectedFrom, expectedFrom + count);
		}

		byte[] toArray() {
			return (this.length == this.bytes.length) ? this.bytes : Arrays.copyOf(this.bytes, this.length);
		}

	}

}
