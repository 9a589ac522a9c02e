package dev.socketgateway.config;

import java.util.Locale;

/** Whether a TCP listener expects a PROXY protocol header before the client's bytes. */
public enum ProxyProtocol {

	/** No header is expected; bytes that look like one are the client's data. */
	OFF,

	/** A header is read if the connection starts with one; otherwise it is served as plain. */
	OPTIONAL,

	/** A connection that does not start with a header is closed. */
	REQUIRED;

	@Override
	public String toString() {
		return name().toLowerCase(Locale.ROOT);
	}

}
