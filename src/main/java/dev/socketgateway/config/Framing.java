package dev.socketgateway.config;

import java.util.Locale;

/** How a TCP listener delimits messages; the reply uses the same framing. */
public enum Framing {

	/** Every read is a message, answered at once; split multi-byte characters are held back. */
	STREAM,

	/** A message ends at LF; a CR before it is part of the terminator, which the reply repeats. */
	LINE,

	/** A message is 0x02, the payload, 0x03. */
	STX_ETX,

	/** A one-byte big-endian payload length, then the payload (so at most 255 bytes). */
	LENGTH_HEADER_1,

	/** A two-byte big-endian payload length, then the payload. */
	LENGTH_HEADER_2,

	/** A four-byte big-endian payload length, then the payload. */
	LENGTH_HEADER_4;

	@Override
	public String toString() {
		return name().toLowerCase(Locale.ROOT).replace('_', '-');
	}

}
