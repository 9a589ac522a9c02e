package dev.socketgateway.config;

import java.util.Locale;

/** Whether a TLS listener asks its clients for a certificate. */
public enum ClientAuth {

	/** No client certificate is asked for. */
	NONE,

	/** A client certificate is asked for; a client without one is still served. */
	WANT,

	/** A client without a trusted certificate fails the handshake. */
	NEED;

	@Override
	public String toString() {
		return name().toLowerCase(Locale.ROOT);
	}

}
