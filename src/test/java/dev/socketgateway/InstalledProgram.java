package dev.socketgateway;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A program from the operating system's packages that integration tests run beside the gateway, found as an
 * operator's shell finds it, or where a system property names it.
 * @param name the executable's file name, such as {@code haproxy}
 * @param property the system property that names another binary, or a missing one to try the skip
 * @param systemLocations where Debian puts it outside a normal user's PATH, such as {@code /usr/sbin/haproxy}
 */
public record InstalledProgram(String name, String property, List<Path> systemLocations) {

	/**
	 * The binary: the one {@link #property()} names if that is set, else the first on the PATH, else the first
	 * of the {@link #systemLocations()}.
	 */
	public Optional<Path> binary() {
		String named = System.getProperty(this.property, "");
		if (!named.isBlank()) {
			return Optional.of(Path.of(named)).filter(Files::isExecutable);
		}
		String path = Optional.ofNullable(System.getenv("PATH")).orElse("");
		return Stream.concat(Arrays.stream(path.split(File.pathSeparator))
			.filter((directory) -> !directory.isEmpty())
			.map((directory) -> Path.of(directory, this.name)), this.systemLocations.stream())
			.filter(Files::isExecutable)
			.findFirst();
	}

	/** Where {@link #binary()} looked, for the message that says it found nothing. */
	public String searched() {
		String named = System.getProperty(this.property, "");
		return named.isBlank() ? "the PATH, " + this.systemLocations : this.property + "=" + named;
	}

}
