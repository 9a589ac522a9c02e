package dev.socketgateway.tcp;

import java.io.IOException;
import java.time.Duration;

import javax.net.ssl.SSLSocket;

import dev.socketgateway.SocketGatewayApplication;
import dev.socketgateway.config.ClientAuth;
import dev.socketgateway.config.GatewayProperties;
import dev.socketgateway.config.GatewayPropertiesConfiguration;
import dev.socketgateway.listener.ListenerRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ConfigurableApplicationContext;

import static dev.socketgateway.GatewayClients.readExactly;
import static dev.socketgateway.GatewayClients.send;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** How {@code gateway.listeners.<name>.ssl} is checked and bound to Spring Boot SSL bundles. */
class TlsConfigurationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withUserConfiguration(GatewayPropertiesConfiguration.class);

	@Test
	void anUnknownBundleFailsStartupNamingTheKey() {
		assertThatThrownBy(() -> start("--gateway.listeners.secure.protocol=tcp", "--gateway.listeners.secure.port=0",
				"--gateway.listeners.secure.ssl.bundle=missing"))
			.hasStackTraceContaining("gateway.listeners.secure.ssl.bundle")
			.hasStackTraceContaining("'missing'");
	}

	@Test
	void sslOnAUdpListenerFailsNamingTheKey() {
		this.runner
			.withPropertyValues("gateway.listeners.echo.protocol=udp", "gateway.listeners.echo.port=7000",
					"gateway.listeners.echo.ssl.bundle=test")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.hasStackTraceContaining("gateway.listeners.echo.ssl: TLS is for TCP listeners only"));
	}

	@Test
	void sslWithoutABundleFailsNamingTheKey() {
		this.runner
			.withPropertyValues("gateway.listeners.secure.protocol=tcp", "gateway.listeners.secure.port=7000",
					"gateway.listeners.secure.ssl.client-auth=need")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.hasStackTraceContaining("gateway.listeners.secure.ssl.bundle must name an SSL bundle"));
	}

	@Test
	void anUnknownClientAuthFailsNamingTheKey() {
		this.runner
			.withPropertyValues("gateway.listeners.secure.protocol=tcp", "gateway.listeners.secure.port=7000",
					"gateway.listeners.secure.ssl.bundle=test", "gateway.listeners.secure.ssl.client-auth=maybe")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.hasStackTraceContaining("gateway.listeners.secure.ssl.client-auth"));
	}

	@ParameterizedTest
	@ValueSource(strings = { "0s", "-1s" })
	void aHandshakeTimeoutThatIsNotPositiveFailsNamingTheKey(String timeout) {
		this.runner
			.withPropertyValues("gateway.listeners.secure.protocol=tcp", "gateway.listeners.secure.port=7000",
					"gateway.listeners.secure.ssl.bundle=test", "gateway.listeners.secure.ssl.handshake-timeout=" + timeout)
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.hasStackTraceContaining("gateway.listeners.secure.ssl.handshake-timeout must be positive"));
	}

	@Test
	void theHandshakeTimeoutDefaultsToTenSeconds() {
		this.runner
			.withPropertyValues("gateway.listeners.secure.protocol=tcp", "gateway.listeners.secure.port=7000",
					"gateway.listeners.secure.ssl.bundle=test")
			.run((context) -> assertThat(context.getBean(GatewayProperties.class).getListeners().get("secure").getSsl()
				.getHandshakeTimeout()).isEqualTo(Duration.ofSeconds(10)));
	}

	@Test
	void clientAuthDefaultsToNone() {
		this.runner
			.withPropertyValues("gateway.listeners.secure.protocol=tcp", "gateway.listeners.secure.port=7000",
					"gateway.listeners.secure.ssl.bundle=test")
			.run((context) -> assertThat(context.getBean(GatewayProperties.class).getListeners().get("secure").getSsl()
				.getClientAuth()).isEqualTo(ClientAuth.NONE));
	}

	@Test
	void aPkcs12KeystoreBundleServesTlsWithTheProtocolsItsOptionsEnable() throws IOException {
		try (ConfigurableApplicationContext context = start(
				"--spring.ssl.bundle.jks.store.keystore.location=classpath:tls/server.p12",
				"--spring.ssl.bundle.jks.store.keystore.type=PKCS12",
				"--spring.ssl.bundle.jks.store.keystore.password=changeit",
				"--spring.ssl.bundle.jks.store.options.enabled-protocols=TLSv1.2",
				"--gateway.listeners.secure.protocol=tcp", "--gateway.listeners.secure.port=0",
				"--gateway.listeners.secure.framing=line", "--gateway.listeners.secure.ssl.bundle=store")) {
			int port = context.getBean(ListenerRegistry.class).listener("secure").port();
			try (SSLSocket client = TlsIntegrationTests.connect(TlsIntegrationTests.clientContext(false), port)) {
				assertThat(client.getSession().getProtocol()).isEqualTo("TLSv1.2");
				send(client, "from a keystore\n".getBytes(UTF_8));
				assertThat(readExactly(client, 16)).asString(UTF_8).isEqualTo("FROM A KEYSTORE\n");
				client.shutdownOutput();
				assertThat(client.getInputStream().read()).as("closed after close_notify").isEqualTo(-1);
			}
		}
	}

	private static ConfigurableApplicationContext start(String... args) {
		String[] all = new String[args.length + 3];
		all[0] = "--gateway.listeners.tcp.port=0";
		all[1] = "--gateway.listeners.udp.port=0";
		all[2] = "--gateway.listeners.tcp.event-loops=1";
		System.arraycopy(args, 0, all, 3, args.length);
		return new SpringApplicationBuilder(SocketGatewayApplication.class).web(WebApplicationType.NONE).run(all);
	}

}
