package dev.socketgateway.nginx;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * The nginx configuration in docs/deployment.md is the one {@link NginxIntegrationTests} runs, with example
 * addresses and Debian's paths in place of loopback ports and the test's own. Needs no nginx.
 */
class NginxConfigTests {

	@Test
	void deploymentGuideShowsTheConfigurationTheIntegrationTestsRun() throws IOException {
		String example = Nginx.config(Map.of("stream-module", "/usr/lib/nginx/modules/ngx_stream_module.so",
				"error-log", "/var/log/nginx/error.log", "tcp", "7878", "udp", "7878",
				"gateway1-tcp", "10.0.0.11:7878", "gateway2-tcp", "10.0.0.12:7878",
				"gateway1-udp", "10.0.0.11:7878", "gateway2-udp", "10.0.0.12:7878"));
		assertThat(Files.readString(Path.of("docs/deployment.md"))).contains("```\n" + example + "```\n");
	}

	@Test
	void aPlaceholderWithoutAValueIsAnError() {
		assertThatIllegalArgumentException().isThrownBy(() -> Nginx.config(Map.of("tcp", "7878")))
			.withMessageContaining("{{stream-module}}")
			.withMessageContaining("/nginx/nginx.conf");
	}

}
