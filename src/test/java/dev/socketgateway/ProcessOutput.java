package dev.socketgateway;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Everything a child process prints, standard error included, kept in a temporary file that a test can read
 * at any time. A file rather than a pipe: when a process exits, the JDK closes the pipe under a thread still
 * reading it, and the last lines (those a test wants after a SIGTERM) are lost.
 */
public final class ProcessOutput {

	private final Path file;

	private ProcessOutput(Path file) {
		this.file = file;
	}

	/** Sends the standard output and error of the process that {@code builder} starts to a new file. */
	public static ProcessOutput of(ProcessBuilder builder, String name) throws IOException {
		Path file = Files.createTempFile(name + "-", ".log");
		file.toFile().deleteOnExit();
		builder.redirectErrorStream(true).redirectOutput(file.toFile());
		return new ProcessOutput(file);
	}

	/** The output so far; all of it once the process has ended. */
	public String text() {
		try {
			return new String(Files.readAllBytes(this.file), StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	@Override
	public String toString() {
		return text();
	}

}
