package dev.socketgateway.transform;

import java.nio.charset.Charset;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The transformer service every listener calls to upper-case a message in its configured
 * charset.
 * <p>
 * It exists so that nothing upper-cases raw bytes: byte-wise upper-casing corrupts
 * multi-byte charsets such as GBK, whose trail bytes can look like ASCII letters. The work
 * is done by {@link CaseConverter}, which never drops or rewrites bytes it cannot decode.
 * Converters are costly to set up and cheap to use, so one is kept per charset; listeners
 * should fetch theirs once with {@link #forCharset(Charset)} rather than per message.
 */
public final class UppercaseTransformer {

	// Charsets come from configuration, so this stays a handful of entries.
	private final ConcurrentMap<Charset, CaseConverter> converters = new ConcurrentHashMap<>();

	/**
	 * Return the converter for the given charset, creating it on first use.
	 * @param charset the charset clients send and receive
	 * @return the shared converter for that charset
	 * @throws IllegalArgumentException if the charset can only decode
	 */
	public CaseConverter forCharset(Charset charset) {
		Objects.requireNonNull(charset, "charset");
		return this.converters.computeIfAbsent(charset, CaseConverter::forCharset);
	}

	/**
	 * Upper-case a whole message.
	 * @param payload the encoded text, left untouched
	 * @param charset the charset it is encoded in
	 * @return a new array holding the upper-cased text
	 * @see CaseConverter#uppercase(byte[])
	 */
	public byte[] transform(byte[] payload, Charset charset) {
		return forCharset(charset).uppercase(payload);
	}

}
