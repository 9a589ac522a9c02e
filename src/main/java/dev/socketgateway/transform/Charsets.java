package dev.socketgateway.transform;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CodingErrorAction;
import java.util.Locale;

/** What the case converter and the boundary finder both need to know of a charset. */
final class Charsets {

	// Decoding in bounded chunks keeps the per-thread scratch space fixed whatever the
	// message size.
	static final int CHUNK_CHARS = 1024;

	// Room for what a decoder may produce from one byte sequence: a surrogate pair, with
	// slack for charsets that map one sequence to several chars.
	static final int UNIT_CHARS = 4;

	private Charsets() {
	}

	/** Whether every ASCII byte stands for itself, both ways, whatever came before it. */
	static boolean isAsciiTransparent(Charset charset) {
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

	/** A decoder that reports bad input rather than replacing it. */
	static CharsetDecoder newDecoder(Charset charset) {
		return charset.newDecoder()
			.onMalformedInput(CodingErrorAction.REPORT)
			.onUnmappableCharacter(CodingErrorAction.REPORT);
	}

	/** An encoder that reports unmappable characters rather than replacing them. */
	static CharsetEncoder newEncoder(Charset charset) {
		return charset.newEncoder()
			.onMalformedInput(CodingErrorAction.REPORT)
			.onUnmappableCharacter(CodingErrorAction.REPORT);
	}

}
