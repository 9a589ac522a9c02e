package dev.socketgateway.haproxy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * The HAProxy configuration in docs/deployment.md is the one {@link HaproxyIntegrationTests} runs, with example
 * addresses in place of loopback ones. Needs no HAProxy.
 */
class HaproxyConfigTests {

	@Test
	void deploymentGuideShowsTheConfigurationTheIntegrationTestsRun() throws IOException {
		String example = Haproxy.config(Map.of("frontend", ":7878", "stats-socket", "/run/haproxy/admin.sock",
				"gateway1", "10.0.0.11:7878", "gateway1-http-port", "8080",
				"gateway2", "10.0.0.12:7878", "gateway2-http-port", "8080"));
		assertThat(Files.readString(Path.of("docs/deployment.md"))).contains("```\n" + example + "```\n");
	}

	@Test
	void aPlaceholderWithoutAValueIsAnError() {
		assertThatIllegalArgumentException().isThrownBy(() -> Haproxy.config(Map.of("frontend", ":7878")))
			.withMessageContaining("{{stats-socket}}");
	}

}
