package dev.socketgateway.monitoring;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import static org.assertj.core.api.Assertions.fail;

/**
 * The Prometheus server and {@code promtool}, from the operating system's packages ({@code apt-get install
 * prometheus}). Tests that need them are skipped, with a WARNING, when they are missing, unless
 * {@value #REQUIRED_PROPERTY} is true (the {@code it-prometheus} profile sets it): then they fail.
 */
final class PrometheusBinaries {

	static final String REQUIRED_PROPERTY = "it.prometheus.required";

	static final String NOT_INSTALLED = "prometheus and promtool are not installed: apt-get install prometheus "
			+ "(or bash .ci/run), then ./mvnw -Pit-prometheus verify";

	/** The directory holding both binaries, when they are not on the PATH. */
	static final String DIRECTORY_PROPERTY = "it.prometheus.directory";

	private static final Logger logger = LoggerFactory.getLogger(PrometheusBinaries.class);

	private static final Duration PROMTOOL_TIMEOUT = Duration.ofSeconds(60);

	private PrometheusBinaries() {
	}

	static boolean required() {
		return Boolean.getBoolean(REQUIRED_PROPERTY);
	}

	/**
	 * For {@code @EnabledIf}: whether the test can run, or must run and fail. Says on the console which test is
	 * skipped and why, since its report file is not read.
	 */
	static boolean installedOrRequired(ExtensionContext context) {
		if (promtool().isPresent() && prometheus().isPresent() || required()) {
			return true;
		}
		logger.warn("WARNING: {} SKIPPED: {} (looked in {})", context.getDisplayName(), NOT_INSTALLED, searched());
		return false;
	}

	static Optional<Path> promtool() {
		return find("promtool");
	}

	static Optional<Path> prometheus() {
		return find("prometheus");
	}

	/** The binary, or a failure saying it is missing and how to get it. */
	static Path require(Optional<Path> binary) {
		return binary.orElseGet(() -> fail(NOT_INSTALLED + " (looked in " + searched() + "); " + REQUIRED_PROPERTY
				+ "=true makes that a failure"));
	}

	private static Optional<Path> find(String name) {
		return directories().map((directory) -> directory.resolve(name)).filter(Files::isExecutable).findFirst();
	}

	private static Stream<Path> directories() {
		String named = System.getProperty(DIRECTORY_PROPERTY, "");
		if (!named.isBlank()) {
			return Stream.of(Path.of(named));
		}
		String path = Optional.ofNullable(System.getenv("PATH")).orElse("");
		return Stream.concat(Arrays.stream(path.split(File.pathSeparator)).filter((entry) -> !entry.isEmpty()),
				Stream.of("/usr/bin", "/usr/local/bin")).map(Path::of);
	}

	private static String searched() {
		String named = System.getProperty(DIRECTORY_PROPERTY, "");
		return named.isBlank() ? "the PATH, /usr/bin, /usr/local/bin" : DIRECTORY_PROPERTY + "=" + named;
	}

	/** Runs {@code promtool} with these arguments in {@code directory}, bounded by a minute. */
	static Result promtool(Path directory, String... arguments) throws IOException, InterruptedException {
		List<String> command = new ArrayList<>();
		command.add(require(promtool()).toString());
		command.addAll(List.of(arguments));
		Path output = Files.createTempFile("promtool-", ".log");
		try {
			Process process = new ProcessBuilder(command).directory(directory.toFile())
				.redirectErrorStream(true)
				.redirectOutput(output.toFile())
				.start();
			if (!process.waitFor(PROMTOOL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
				process.destroyForcibly();
				fail(String.join(" ", command) + " did not finish within " + PROMTOOL_TIMEOUT);
			}
			return new Result(String.join(" ", command), process.exitValue(),
					Files.readString(output, StandardCharsets.UTF_8));
		}
		finally {
			Files.deleteIfExists(output);
		}
	}

	/**
	 * What a promtool run ended with.
	 * @param command the command line, for failure messages
	 * @param exitCode 0 when every check or test passed
	 * @param output what it printed, standard error included
	 */
	record Result(String command, int exitCode, String output) {

		@Override
		public String toString() {
			return this.command + " exited " + this.exitCode + ":\n" + this.output;
		}

	}

}
