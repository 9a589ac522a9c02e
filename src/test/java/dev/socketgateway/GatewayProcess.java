package dev.socketgateway;

import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The service as an operator runs it: a separate JVM on the test class path, configured through environment
 * variables, with /actuator on a free HTTP port, and stopped with SIGTERM. Everything it prints is kept, for
 * assertions on its log and for failure messages.
 */
public final class GatewayProcess implements AutoCloseable {

	private static final Pattern LISTENING = Pattern.compile("Listener '(\\w+)' \\((tcp|udp)\\) listening on \\S+ port (\\d+)");

	private static final Pattern HTTP_PORT = Pattern.compile("Tomcat started on port (\\d+) \\(http\\)");

	private final Process process;

	private final ProcessOutput output;

	private GatewayProcess(Map<String, String> environment) throws IOException {
		String java = ProcessHandle.current().info().command().orElse("java");
		ProcessBuilder builder = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
				SocketGatewayApplication.class.getName(), "--server.port=0");
		builder.environment().putAll(environment);
		this.output = ProcessOutput.of(builder, "gateway");
		this.process = builder.start();
	}

	/** Starts the gateway with these environment variables added to this JVM's; it has not bound anything yet. */
	public static GatewayProcess start(Map<String, String> environment) throws IOException {
		return new GatewayProcess(environment);
	}

	/** The port each listener logged that it listens on, by listener name; empty before startup logs it. */
	public Map<String, Integer> listening() {
		Map<String, Integer> ports = new HashMap<>();
		Matcher matcher = LISTENING.matcher(this.output.text());
		while (matcher.find()) {
			ports.put(matcher.group(1), Integer.parseInt(matcher.group(3)));
		}
		return ports;
	}

	/** The HTTP port of /actuator, once the web server has logged that it started. */
	public OptionalInt httpPort() {
		Matcher matcher = HTTP_PORT.matcher(this.output.text());
		return matcher.find() ? OptionalInt.of(Integer.parseInt(matcher.group(1))) : OptionalInt.empty();
	}

	/**
	 * Waits until the web server and each of {@code listeners} have logged their ports.
	 * @throws AssertionError with everything the process printed, if it exits first or takes longer than
	 * {@code timeout}
	 */
	public void awaitStarted(Duration timeout, String... listeners) {
		await().atMost(timeout)
			.until(() -> httpPort().isPresent() && listening().keySet().containsAll(List.of(listeners)) || !isAlive());
		assertThat(isAlive()).as(this::output).isTrue();
	}

	/** Everything the process printed so far, standard error included. */
	public String output() {
		return this.output.text();
	}

	public boolean isAlive() {
		return this.process.isAlive();
	}

	public long pid() {
		return this.process.pid();
	}

	/** Sends SIGTERM, as a process supervisor or Kubernetes does. */
	public void terminate() {
		this.process.destroy();
	}

	/** Whether the process ended within {@code timeout}. */
	public boolean waitFor(Duration timeout) throws InterruptedException {
		return this.process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
	}

	/** The exit status of a process that has ended. */
	public int exitValue() {
		return this.process.exitValue();
	}

	/** Kills a process that a test left running, so that no JVM outlives the build. */
	@Override
	public void close() {
		if (this.process.isAlive()) {
			this.process.destroyForcibly();
		}
	}

}
