package dev.socketgateway.transform;

import java.nio.charset.Charset;

import org.springframework.integration.core.GenericTransformer;

/**
 * The transformer service that every listener's flow calls to turn a message into its reply: the
 * transformer step of inbound adapter → transformer → outbound adapter. The gateway's default upper-cases
 * ({@link UppercaseTransformer}); an application that declares its own bean of this type replaces it on
 * every TCP and UDP listener, keeping the framing, limits, metrics and everything else.
 * <p>
 * It is asked once per listener, when the listener starts, for the function it then applies to every
 * message, so that whatever depends only on the listener (a charset's decoders, a lookup table) is set up
 * once and not per message. The function is called on the listener's event loops and receive threads,
 * several at once, and must not block.
 * <p>
 * The payload array it is given is its own: each message gets a new array, which the gateway neither reuses nor
 * reads once the function returns. The function may keep it, or change it and return it as the reply, as the
 * default does for plain ASCII text, saving an array per message.
 */
@FunctionalInterface
public interface GatewayTransformer {

	/**
	 * The payload function for one listener.
	 * @param listener the listener's name, as configured under {@code gateway.listeners}
	 * @param charset the listener's charset, in which its clients' text is encoded
	 * @return the function from a message's payload (one frame, without framing) to its reply's payload
	 */
	GenericTransformer<byte[], byte[]> forListener(String listener, Charset charset);

}
