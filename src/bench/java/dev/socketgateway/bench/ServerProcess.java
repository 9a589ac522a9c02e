package dev.socketgateway.bench;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** A server under test: its own JVM, output to a log file, stopped with SIGTERM and a bounded wait. */
final class ServerProcess implements AutoCloseable {

	private static final byte[] PROBE = "ready?".getBytes(StandardCharsets.US_ASCII);

	private static final byte[] PROBE_REPLY = "READY?".getBytes(StandardCharsets.US_ASCII);

	// The gateway drains in-flight replies on SIGTERM within its shutdown phase (20 s by default).
	private static final long STOP_GRACE_SECONDS = 25;

	private final Process process;

	private final Path log;

	private Integer exitCode;

	private ServerProcess(Process process, Path log) {
		this.process = process;
		this.log = log;
	}

	static ServerProcess start(List<String> command, Path workingDirectory, Path log) throws IOException {
		return start(command, Map.of(), workingDirectory, log);
	}

	/** @param environment added to the benchmark's own environment */
	static ServerProcess start(List<String> command, Map<String, String> environment, Path workingDirectory, Path log)
			throws IOException {
		Files.createDirectories(log.getParent());
		ProcessBuilder builder = new ProcessBuilder(command).directory(workingDirectory.toFile())
			.redirectErrorStream(true)
			.redirectOutput(log.toFile());
		builder.environment().putAll(environment);
		return new ServerProcess(builder.start(), log);
	}

	long pid() {
		return this.process.pid();
	}

	boolean isAlive() {
		return this.process.isAlive();
	}

	Path log() {
		return this.log;
	}

	/**
	 * Waits until the server answers one TCP and one UDP request, which means both listeners are up, so the load
	 * starts against a ready server and a server that dies early fails fast.
	 */
	void awaitReady(InetSocketAddress address, Duration timeout)
			throws InterruptedException, TimeoutException {
		long deadline = System.nanoTime() + timeout.toNanos();
		boolean tcp = false;
		boolean udp = false;
		while (!udp) {
			if (!this.process.isAlive()) {
				throw new IllegalStateException("server exited with code " + this.process.exitValue()
						+ " before it answered on " + address + "; see " + this.log);
			}
			if (System.nanoTime() >= deadline) {
				throw new TimeoutException("server did not answer on " + address + " (tcp " + tcp + ", udp " + udp
						+ ") within " + timeout.toSeconds() + " s; see " + this.log);
			}
			tcp = tcp || probeTcp(address);
			udp = tcp && probeUdp(address);
			if (!udp) {
				// No readiness signal to await but the probes; this pause ends early if the process exits.
				this.process.waitFor(100, TimeUnit.MILLISECONDS);
			}
		}
	}

	/** Whether one TCP request got its correct reply. */
	static boolean probeTcp(InetSocketAddress address) {
		try (Socket socket = new Socket()) {
			socket.connect(address, 1_000);
			socket.setSoTimeout(2_000);
			socket.getOutputStream().write(PROBE);
			return Arrays.equals(socket.getInputStream().readNBytes(PROBE_REPLY.length), PROBE_REPLY);
		}
		catch (IOException ex) {
			return false;
		}
	}

	private static boolean probeUdp(InetSocketAddress address) {
		try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(Ports.LOOPBACK, 0))) {
			socket.connect(address);
			socket.setSoTimeout(500);
			socket.send(new DatagramPacket(PROBE, PROBE.length));
			DatagramPacket reply = new DatagramPacket(new byte[64], 64);
			socket.receive(reply);
			return Arrays.equals(reply.getData(), 0, reply.getLength(), PROBE_REPLY, 0, PROBE_REPLY.length);
		}
		catch (IOException ex) {
			return false;
		}
	}

	/** Waits for the process to exit, at most this long. */
	void awaitExit(long timeout, TimeUnit unit) throws InterruptedException {
		this.process.waitFor(timeout, unit);
	}

	/**
	 * CPU time (user and system) the process has used so far, in ms, from {@code /proc/<pid>/stat}; -1 when the
	 * process is gone or this is not Linux. Assumes the kernel's usual 100 clock ticks a second.
	 */
	long cpuMillis() {
		try {
			String stat = Files.readString(Path.of("/proc", String.valueOf(this.process.pid()), "stat"));
			// The fields after the command name, which is in parentheses and may hold spaces: utime and stime are
			// the 14th and 15th of the line, the 12th and 13th after it.
			String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
			return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * 10;
		}
		catch (IOException | RuntimeException ex) {
			return -1;
		}
	}

	/** Peak resident set size in kB ({@code VmHWM}), or -1 when the process is gone or this is not Linux. */
	long peakRssKb() {
		try {
			for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(this.process.pid()), "status"))) {
				if (line.startsWith("VmHWM:")) {
					return Long.parseLong(line.substring("VmHWM:".length()).replace("kB", "").trim());
				}
			}
		}
		catch (IOException | NumberFormatException ex) {
			// Reported as unknown.
		}
		return -1;
	}

	/** SIGTERM, a bounded wait, then SIGKILL. Returns the exit code, or null if the process would not die. */
	Integer stop() {
		if (this.exitCode != null) {
			return this.exitCode;
		}
		this.process.destroy();
		try {
			if (!this.process.waitFor(STOP_GRACE_SECONDS, TimeUnit.SECONDS)) {
				this.process.destroyForcibly();
				this.process.waitFor(5, TimeUnit.SECONDS);
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			this.process.destroyForcibly();
		}
		if (!this.process.isAlive()) {
			this.exitCode = this.process.exitValue();
		}
		return this.exitCode;
	}

	/** For the benchmark's shutdown hook: no server outlives the benchmark. */
	void kill() {
		this.process.destroyForcibly();
	}

	@Override
	public void close() {
		stop();
	}

}
