package dev.socketgateway.tcp;

import java.io.IOException;
import java.io.UncheckedIOException;

/** A reply could not be written; the connection has already been closed. */
class WriteFailedException extends UncheckedIOException {

	WriteFailedException(IOException cause) {
		super(cause.getMessage(), cause);
	}

}
