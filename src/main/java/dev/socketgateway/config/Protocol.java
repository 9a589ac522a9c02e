package dev.socketgateway.config;

import java.util.Locale;

/** Transport of a listener. */
public enum Protocol {

	TCP, UDP;

	@Override
	public String toString() {
		return name().toLowerCase(Locale.ROOT);
	}

}
