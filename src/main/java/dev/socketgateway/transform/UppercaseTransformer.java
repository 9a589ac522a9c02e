package dev.socketgateway.transform;

import java.nio.charset.Charset;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

import org.springframework.integration.core.GenericTransformer;

/**
 * The default transformer service: upper-cases each message in its listener's charset.
 * <p>
 * It exists so that nothing upper-cases raw bytes: byte-wise upper-casing corrupts multi-byte charsets
 * such as GBK, whose trail bytes can look like ASCII letters. The work is done by {@link CaseConverter},
 * which never drops or rewrites bytes it cannot decode. Converters are costly to set up and cheap to use,
 * so one is kept per charset and handed to each listener when it starts.
 */
public final class UppercaseTransformer implements GatewayTransformer {

	// Charsets come from configuration, so this stays a handful of entries.
	private final ConcurrentMap<Charset, CaseConverter> converters = new ConcurrentHashMap<>();

	/**
	 * Upper-cases each payload in place when it is plain ASCII ({@link CaseConverter#uppercaseInPlace}): the payload
	 * is the function's own (see {@link GatewayTransformer}), and the reply then costs no array of its own.
	 */
	@Override
	public GenericTransformer<byte[], byte[]> forListener(String listener, Charset charset) {
		return converter(charset)::uppercaseInPlace;
	}

	/**
	 * The converter for the given charset, created on first use.
	 * @throws IllegalArgumentException if the charset can only decode
	 */
	CaseConverter converter(Charset charset) {
		Objects.requireNonNull(charset, "charset");
		return this.converters.computeIfAbsent(charset, CaseConverter::forCharset);
	}

}
