package dev.socketgateway;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A server from the operating system's packages that a test runs in the foreground, as an operator's service
 * manager would (HAProxy, nginx, Prometheus): everything it prints is kept for failure messages, and closing it stops it
 * with SIGTERM.
 */
public abstract class ForegroundServer implements AutoCloseable {

	/** How long the server has to exit after SIGTERM before it is killed. */
	private static final Duration GRACE = Duration.ofSeconds(10);

	private final Process process;

	private final ProcessOutput output;

	/** Starts the server; {@code name} names the file its output goes to. */
	protected ForegroundServer(ProcessBuilder builder, String name) throws IOException {
		this.output = ProcessOutput.of(builder, name);
		this.process = builder.start();
	}

	/** The server's process id (nginx's master writes it to its pid file once it listens). */
	protected long pid() {
		return this.process.pid();
	}

	public boolean isAlive() {
		return this.process.isAlive();
	}

	/** Everything the server printed so far: its log, warnings and errors. */
	public String output() {
		return this.output.text();
	}

	/**
	 * Stops the server with SIGTERM, which in the foreground ends it, and kills it and any process it started (nginx's
	 * workers) if it lingers, so that none outlives the build holding a port.
	 */
	@Override
	public void close() throws InterruptedException {
		this.process.destroy();
		if (!this.process.waitFor(GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
			this.process.descendants().forEach(ProcessHandle::destroyForcibly);
			this.process.destroyForcibly();
		}
	}

}
