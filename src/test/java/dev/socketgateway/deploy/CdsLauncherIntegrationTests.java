package dev.socketgateway.deploy;

import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.socketgateway.ProcessOutput;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.io.TempDir;

import static dev.socketgateway.GatewayClients.exchange;
import static dev.socketgateway.GatewayClients.tcp;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code target/cds/socket-gateway}, the launcher {@code ./mvnw package} writes, run as an operator runs it: from
 * another working directory with its own {@code config/application.yml}, with arguments and {@code JAVA_OPTS},
 * stopped with SIGTERM. Failsafe runs it in {@code ./mvnw verify}, after {@code package} has built the launcher;
 * elsewhere (a {@code -Dtest=} run in {@code test}) it is skipped when there is no launcher, unless
 * {@code it.cds.required} is true, as failsafe sets it.
 */
@EnabledIf(value = "launcherBuiltOrRequired", disabledReason = CdsLauncherIntegrationTests.NOT_BUILT)
class CdsLauncherIntegrationTests {

	static final String NOT_BUILT = "no target/cds/socket-gateway: ./mvnw verify builds it in package and runs this test";

	private static final Path LAUNCHER = Paths.get("target", "cds", "socket-gateway").toAbsolutePath();

	private static final Pattern LISTENING =
			Pattern.compile("Listener 'launched' \\(tcp\\) listening on \\S+ port (\\d+)");

	private Process process;

	/** A JVM that a launcher without exec would leave behind its shell; none with the real one. */
	private List<ProcessHandle> children = List.of();

	static boolean launcherBuiltOrRequired() {
		return Files.isExecutable(LAUNCHER) || Boolean.getBoolean("it.cds.required");
	}

	@AfterEach
	void killLeftover() {
		this.children.forEach(ProcessHandle::destroyForcibly);
		if (this.process != null && this.process.isAlive()) {
			this.process.destroyForcibly();
		}
	}

	@Test
	void launcherStartsWithTheArchiveFromAnyDirectoryAnswersAndExitsZeroOnSigterm(@TempDir Path workingDirectory)
			throws Exception {
		assertThat(LAUNCHER).as("built by ./mvnw package").isExecutable();
		Files.createDirectories(workingDirectory.resolve("config"));
		Files.writeString(workingDirectory.resolve("config/application.yml"), """
				server:
				  port: 0
				  address: 127.0.0.1
				gateway:
				  listeners:
				    tcp:
				      enabled: false
				    udp:
				      enabled: false
				    launched:
				      protocol: tcp
				      port: 0
				      bind-address: 127.0.0.1
				""", StandardCharsets.UTF_8);
		Path classLoading = workingDirectory.resolve("class-load.log");
		ProcessBuilder builder = new ProcessBuilder(LAUNCHER.toString(), "--spring.application.name=from-arguments")
			.directory(workingDirectory.toFile());
		builder.environment().put("JAVA_OPTS", "-Xmx256m -Xlog:class+load=info:file=" + classLoading);
		ProcessOutput output = ProcessOutput.of(builder, "cds-launcher");
		this.process = builder.start();

		await().atMost(Duration.ofSeconds(60))
			.until(() -> LISTENING.matcher(output.text()).find() || !this.process.isAlive());
		Matcher listening = LISTENING.matcher(output.text());
		assertThat(listening.find()).as("the listener of the working directory's config/application.yml: %s", output)
			.isTrue();
		assertThat(output.text()).as("arguments reach the service").contains("[from-arguments]");
		try (Socket client = tcp(Integer.parseInt(listening.group(1)))) {
			assertThat(exchange(client, "launched with cds")).isEqualTo("LAUNCHED WITH CDS");
		}
		// JAVA_OPTS reached the JVM (it wrote the log), and the archive of the training run served the classes.
		assertThat(Files.readString(classLoading)).as("class loading")
			.contains("dev.socketgateway.SocketGatewayApplication source: shared objects file (top)");

		// The launcher execs the JVM, so this SIGTERM reaches it rather than a shell.
		this.children = this.process.descendants().toList();
		assertThat(this.children).as("processes between the launcher's pid and the JVM").isEmpty();
		this.process.destroy();
		assertThat(this.process.waitFor(30, TimeUnit.SECONDS)).as("exited after SIGTERM").isTrue();
		assertThat(this.process.exitValue()).as(output::text).isZero();
	}

}
