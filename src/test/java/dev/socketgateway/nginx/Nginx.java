package dev.socketgateway.nginx;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.socketgateway.ConfigTemplate;
import dev.socketgateway.ForegroundServer;
import dev.socketgateway.InstalledProgram;
import dev.socketgateway.ProcessOutput;

import static dev.socketgateway.GatewayClients.TIMEOUT;

/**
 * nginx with its stream module as an operator runs it, on the configuration in
 * {@code src/test/resources/nginx/nginx.conf}, but in the foreground and inside a temporary directory: what only a
 * test needs ({@code daemon off}, the pid file, the prefix, errors on standard error) goes on the command line,
 * so that the file docs/deployment.md quotes is the whole configuration. Everything nginx prints (its error log,
 * at {@code warn}) is kept for assertions and failure messages.
 */
final class Nginx extends ForegroundServer {

	/** Names an nginx binary to use instead of the one on the PATH, or a missing one to try the skip. */
	static final String BINARY_PROPERTY = "it.nginx.binary";

	/** Names the stream module to load instead of Debian's (libnginx-mod-stream). */
	static final String MODULE_PROPERTY = "it.nginx.stream-module";

	static final String TEMPLATE = "/nginx/nginx.conf";

	/**
	 * The nginx binary: the one {@value #BINARY_PROPERTY} names if that is set, else the first on the PATH, else
	 * Debian's {@code /usr/sbin/nginx} (not on a normal user's PATH).
	 */
	static final InstalledProgram PROGRAM = new InstalledProgram("nginx", BINARY_PROPERTY,
			List.of(Path.of("/usr/sbin/nginx"), Path.of("/usr/local/sbin/nginx"), Path.of("/usr/local/nginx/sbin/nginx")));

	private static final Path DEBIAN_STREAM_MODULE = Path.of("/usr/lib/nginx/modules/ngx_stream_module.so");

	private final Path pidFile;

	private Nginx(ProcessBuilder builder, Path pidFile) throws IOException {
		super(builder, "nginx");
		this.pidFile = pidFile;
	}

	/**
	 * Writes the configuration, with {@code values} in place of its placeholders (the stream module and the error
	 * log are filled in here), to {@code directory}, has {@code nginx -t} check it, and starts nginx on it in the
	 * foreground. It listens once {@link #isListening()}.
	 * @throws IllegalStateException with nginx's own words if {@code nginx -t} rejects the configuration
	 */
	static Nginx start(Path binary, Path directory, Map<String, String> values) throws IOException, InterruptedException {
		Map<String, String> all = new LinkedHashMap<>(values);
		all.put("stream-module", streamModule().toString());
		all.put("error-log", "stderr");
		String config = config(all);
		Path file = Files.writeString(directory.resolve("nginx.conf"), config);
		Path pidFile = directory.resolve("nginx.pid");
		check(command(binary, directory, file, pidFile, "-t"), config);
		return new Nginx(command(binary, directory, file, pidFile), pidFile);
	}

	private static void check(ProcessBuilder test, String config) throws IOException, InterruptedException {
		ProcessOutput output = ProcessOutput.of(test, "nginx-t");
		Process process = test.start();
		if (!process.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
			process.destroyForcibly();
			throw new IllegalStateException("nginx -t did not finish within " + TIMEOUT + ": " + output);
		}
		if (process.exitValue() != 0) {
			throw new IllegalStateException("nginx -t rejected the configuration:\n" + output + "\n" + config);
		}
	}

	/**
	 * nginx in the foreground on {@code config}, with relative paths under {@code directory}, errors before the
	 * configuration's {@code error_log} applies on standard error, and the pid file where the test can see it.
	 */
	private static ProcessBuilder command(Path binary, Path directory, Path config, Path pidFile, String... options) {
		List<String> command = new ArrayList<>(List.of(binary.toString(), "-p", directory + "/", "-e", "stderr", "-c",
				config.toString(), "-g", "daemon off; pid " + pidFile + ";"));
		command.addAll(List.of(options));
		return new ProcessBuilder(command);
	}

	/**
	 * The configuration template with each {@code {{name}}} replaced by its value.
	 * @throws IllegalArgumentException if a placeholder has no value
	 */
	static String config(Map<String, String> values) {
		return ConfigTemplate.fill(TEMPLATE, values);
	}

	/** The stream module: the one {@value #MODULE_PROPERTY} names, else Debian's. */
	static Path streamModule() {
		String named = System.getProperty(MODULE_PROPERTY, "");
		return named.isBlank() ? DEBIAN_STREAM_MODULE : Path.of(named);
	}

	static boolean hasStreamModule() {
		return Files.isRegularFile(streamModule());
	}

	/**
	 * Whether nginx listens: the master writes its pid once it has bound every listening socket, before it starts
	 * the workers, so from then on connections and datagrams wait in the sockets' queues. ({@code nginx -t} leaves
	 * the file empty.)
	 */
	boolean isListening() {
		try {
			return Files.exists(this.pidFile)
					&& Files.readString(this.pidFile).strip().equals(String.valueOf(pid()));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * The lines of the error log that contain {@code text} and are about a session of {@code protocol} ("tcp" or
	 * "udp") proxied to {@code upstream} ("127.0.0.1:7878").
	 */
	List<String> logLines(String text, String protocol, String upstream) {
		String client = "udp".equals(protocol) ? ", udp client: " : ", client: ";
		return output().lines()
			.filter((line) -> line.contains(text) && line.contains(client)
					&& line.contains(", upstream: \"" + upstream + "\""))
			.toList();
	}

}
