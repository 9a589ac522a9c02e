package dev.socketgateway;

import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The log an operator reads when the service starts with the packaged defaults: where it listens and that it
 * started, without Spring Integration's line per channel subscription and bean; one logging key brings those
 * back.
 */
class QuietStartupIntegrationTests {

	private static final String STARTED = "Started SocketGatewayApplication";

	@Test
	void defaultStartupLogShowsListenersHttpPortAndStartedInFewerThan15LinesWithoutWarnings() throws Exception {
		try (GatewayProcess process = startOnFreePorts(Map.of())) {
			List<String> log = startupLog(process);
			assertThat(process.listening()).as(process::output).containsOnlyKeys("tcp", "udp");
			assertThat(process.httpPort()).as(process::output).isPresent();
			assertThat(log).hasSizeLessThan(15)
				.noneMatch((line) -> line.contains("Adding {") || line.contains("started bean"))
				.noneMatch((line) -> line.contains(" WARN ") || line.contains(" ERROR "));
		}
	}

	@Test
	void loggingLevelIntegrationInfoBringsBackSpringIntegrationBeanLines() throws Exception {
		try (GatewayProcess process = startOnFreePorts(Map.of("LOGGING_LEVEL_INTEGRATION", "info"))) {
			assertThat(startupLog(process)).anyMatch((line) -> line.contains("Adding {transformer} as a subscriber"))
				.anyMatch((line) -> line.contains("started bean"));
		}
	}

	private static GatewayProcess startOnFreePorts(Map<String, String> environment) throws IOException {
		Map<String, String> variables = new HashMap<>(environment);
		variables.put("GATEWAY_LISTENERS_TCP_PORT", "0");
		variables.put("GATEWAY_LISTENERS_UDP_PORT", "0");
		return GatewayProcess.start(variables);
	}

	/** The lines the gateway printed up to its "Started" line. */
	private static List<String> startupLog(GatewayProcess process) {
		await().atMost(Duration.ofSeconds(60)).until(() -> process.output().contains(STARTED) || !process.isAlive());
		List<String> lines = process.output().lines().toList();
		for (int i = 0; i < lines.size(); i++) {
			if (lines.get(i).contains(STARTED)) {
				return lines.subList(0, i + 1);
			}
		}
		throw new AssertionError("The gateway did not start:%n%s".formatted(process.output()));
	}

}
