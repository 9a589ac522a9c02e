package dev.socketgateway.actuate;

import java.util.List;

import dev.socketgateway.SocketGatewayApplication;
import dev.socketgateway.listener.ListenerRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The startup log an operator reads to learn where the service listens: one INFO line per listener, with
 * the address and the port actually bound even when the configured port is 0.
 */
@ExtendWith(OutputCaptureExtension.class)
class StartupLogIntegrationTests {

	@Test
	void eachListenerLogsOneInfoLineWithThePortActuallyBound(CapturedOutput output) {
		ConfigurableApplicationContext context = new SpringApplicationBuilder(SocketGatewayApplication.class)
			.web(WebApplicationType.NONE)
			.run("--gateway.listeners.tcp.port=0", "--gateway.listeners.udp.port=0",
					"--gateway.listeners.local.protocol=tcp", "--gateway.listeners.local.port=0",
					"--gateway.listeners.local.bind-address=127.0.0.1");
		try {
			ListenerRegistry registry = context.getBean(ListenerRegistry.class);
			assertStartupLine(output, registry, "tcp", "tcp", "*");
			assertStartupLine(output, registry, "udp", "udp", "*");
			assertStartupLine(output, registry, "local", "tcp", "127.0.0.1");
		}
		finally {
			context.close();
		}
	}

	private static void assertStartupLine(CapturedOutput output, ListenerRegistry registry, String listener,
			String protocol, String address) {
		int port = registry.listener(listener).port();
		assertThat(port).as("port of listener %s", listener).isPositive();
		String prefix = "Listener '" + listener + "' (" + protocol + ") listening on ";
		List<String> lines = output.getOut().lines().filter((line) -> line.contains(prefix)).toList();
		assertThat(lines).as("startup lines of listener %s in%n%s", listener, output.getOut()).hasSize(1);
		assertThat(lines.get(0)).contains(" INFO ").endsWith(prefix + address + " port " + port);
	}

}
