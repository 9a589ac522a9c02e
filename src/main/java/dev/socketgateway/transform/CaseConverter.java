package dev.socketgateway.transform;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CoderResult;
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

	private final Charset charset;

	private final boolean asciiTransparent;

	private final ThreadLocal<Coders> coders;

	private CaseConverter(Charset charset) {
		this.charset = charset;
		this.asciiTransparent = Charsets.isAsciiTransparent(charset);
		// Coders are not thread-safe and too costly to build per message; messages are
		// transformed on the listeners' event loops and receive threads, so one set per
		// such thread stays bounded.
		this.coders = ThreadLocal.withInitial(() -> new Coders(charset));
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
	 * Upper-case all of {@code in}, in place when it is plain ASCII in an ASCII-transparent charset (the upper case
	 * then has as many bytes), saving the reply's array; otherwise into a new array, as {@link #uppercase(byte[])}
	 * does. For a caller that owns {@code in} and does not read it afterwards, such as a listener's transformer,
	 * which gets an array of its own for every message.
	 * @param in the encoded text; its contents are undefined afterwards, unless it is what is returned
	 * @return {@code in} upper-cased, or a new array holding the upper-cased text
	 */
	public byte[] uppercaseInPlace(byte[] in) {
		if (!this.asciiTransparent) {
			return uppercase(in);
		}
		int done = uppercaseAscii(in, 0, in.length, in);
		if (done == in.length) {
			return in;
		}
		// The prefix is upper-cased already, and ends on a character boundary.
		return uppercaseByDecoding(in, done, in.length, new Output(Arrays.copyOf(in, in.length), done));
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
			done = uppercaseAscii(in, off, len, out);
			if (done == len) {
				return out;
			}
		}
		// The ASCII prefix ends on a character boundary, so decoding can pick up there.
		return uppercaseByDecoding(in, off + done, off + len, new Output(out, done));
	}

	/**
	 * Upper-cases the plain ASCII prefix of {@code in[off, off + len)} into {@code out} from its start, which may be
	 * {@code in} itself when {@code off} is 0. In an ASCII-transparent charset every byte below 0x80 seen from a
	 * character boundary is a whole character, so plain ASCII needs no decoder at all.
	 * @return the length of the prefix
	 */
	private static int uppercaseAscii(byte[] in, int off, int len, byte[] out) {
		int done = 0;
		for (; done < len; done++) {
			byte b = in[off + done];
			if (b < 0) {
				break;
			}
			out[done] = (b >= 'a' && b <= 'z') ? (byte) (b - ('a' - 'A')) : b;
		}
		return done;
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

		private final CharBuffer chars = CharBuffer.allocate(Charsets.CHUNK_CHARS);

		private final CharBuffer unit = CharBuffer.allocate(Charsets.UNIT_CHARS);

		Coders(Charset charset) {
			this.decoder = Charsets.newDecoder(charset);
			this.unitDecoder = Charsets.newDecoder(charset);
			this.encoder = Charsets.newEncoder(charset);
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
