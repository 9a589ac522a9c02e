package dev.socketgateway.config;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;

import dev.socketgateway.SocketGatewayApplication;
import org.junit.jupiter.api.Test;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.integration.autoconfigure.IntegrationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.validation.Errors;
import org.springframework.validation.FieldError;
import org.springframework.validation.MapBindingResult;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

/**
 * The cross-field checks of {@code gateway.*}: on their own, where each rejection shows the key, code and message
 * that Boot's startup failure reports, and registered as Boot's {@code configurationPropertiesValidator}.
 */
class GatewayPropertiesValidatorTests {

	private final GatewayPropertiesValidator validator = new GatewayPropertiesValidator();

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withUserConfiguration(GatewayPropertiesConfiguration.class);

	@Test
	void everyRejectionNamesItsKeyCodeAndMessage() {
		GatewayProperties properties = new GatewayProperties();
		properties.getListeners().put("a", listener(Protocol.TCP, 7000));
		properties.getListeners().put("b", listener(Protocol.TCP, 7000));
		ListenerProperties udp = listener(Protocol.UDP, 7001);
		udp.setSsl(new ListenerSslProperties());
		udp.getSsl().setBundle("server");
		udp.setProxyProtocol(ProxyProtocol.OPTIONAL);
		udp.setSessionLog(true);
		properties.getListeners().put("u", udp);
		ListenerProperties tcp = listener(Protocol.TCP, 7002);
		tcp.setAllowedCidrs(List.of("10.0.0.0/40"));
		tcp.setSsl(new ListenerSslProperties());
		tcp.setProxyProtocol(ProxyProtocol.REQUIRED);
		tcp.setProxyTrustedCidrs(List.of("balancer.local"));
		tcp.setProxyHeaderTimeout(Duration.ZERO);
		tcp.setIdleTimeout(Duration.ofSeconds(-1));
		properties.getListeners().put("t", tcp);
		ListenerProperties elsewhere = listener(Protocol.TCP, 7003);
		elsewhere.setBindAddress("no-such-host.invalid");
		properties.getListeners().put("h", elsewhere);

		assertThat(validate(properties).getFieldErrors())
			.extracting(FieldError::getField, FieldError::getCode, FieldError::getDefaultMessage)
			.containsExactly(
					tuple("listeners[b].port", "gateway.port.duplicate",
							"gateway.listeners.b.port 7000 is already used by gateway.listeners.a (both tcp)"),
					tuple("listeners[u].ssl", "gateway.ssl.udp",
							"gateway.listeners.u.ssl: TLS is for TCP listeners only; remove it from this udp listener"),
					tuple("listeners[u].proxy-protocol", "gateway.proxy-protocol.udp",
							"gateway.listeners.u.proxy-protocol: PROXY protocol is for TCP listeners only; "
									+ "remove it from this udp listener"),
					tuple("listeners[u].session-log", "gateway.session-log.udp",
							"gateway.listeners.u.session-log: the session log is of TCP connections; "
									+ "remove it from this udp listener"),
					tuple("listeners[t].allowed-cidrs", "gateway.allowed-cidrs",
							"gateway.listeners.t.allowed-cidrs: '10.0.0.0/40' has a prefix length outside 0..32"),
					tuple("listeners[t].ssl.bundle", "gateway.ssl.bundle",
							"gateway.listeners.t.ssl.bundle must name an SSL bundle (spring.ssl.bundle.pem.<name> "
									+ "or spring.ssl.bundle.jks.<name>)"),
					tuple("listeners[t].proxy-trusted-cidrs", "gateway.proxy-trusted-cidrs",
							"gateway.listeners.t.proxy-trusted-cidrs: 'balancer.local' is not a CIDR block such as "
									+ "10.0.0.0/8 or ::1/128"),
					tuple("listeners[t].proxy-header-timeout", "gateway.proxy-header-timeout",
							"gateway.listeners.t.proxy-header-timeout must be positive"),
					tuple("listeners[t].idle-timeout", "gateway.idle-timeout",
							"gateway.listeners.t.idle-timeout must not be negative (0 switches it off)"),
					tuple("listeners[h].bind-address", "gateway.bind-address",
							"gateway.listeners.h.bind-address 'no-such-host.invalid' is not an address of this host"));
	}

	@Test
	void perClientLimitsThatCannotApplyAreRejectedNamingTheKey() {
		GatewayProperties properties = new GatewayProperties();
		ListenerProperties udp = listener(Protocol.UDP, 7000);
		udp.setMaxConnectionsPerClient(2);
		udp.setClientMessageRate(100);
		properties.getListeners().put("u", udp);
		ListenerProperties tcp = listener(Protocol.TCP, 7000);
		tcp.setClientMessageBurst(50);
		properties.getListeners().put("t", tcp);
		ListenerProperties fine = listener(Protocol.TCP, 7001);
		fine.setMaxConnectionsPerClient(2);
		fine.setClientMessageRate(100);
		fine.setClientMessageBurst(500);
		properties.getListeners().put("f", fine);

		assertThat(validate(properties).getFieldErrors())
			.extracting(FieldError::getField, FieldError::getCode, FieldError::getDefaultMessage)
			.containsExactly(
					tuple("listeners[u].max-connections-per-client", "gateway.max-connections-per-client.udp",
							"gateway.listeners.u.max-connections-per-client: UDP has no connections; use "
									+ "client-message-rate to limit a client of this udp listener"),
					tuple("listeners[t].client-message-burst", "gateway.client-message-burst",
							"gateway.listeners.t.client-message-burst is the bucket of client-message-rate, which is 0 "
									+ "(no limit); set the rate too"));
	}

	@Test
	void udpSocketKeysOnATcpListenerAreRejectedNamingTheKey() {
		GatewayProperties properties = new GatewayProperties();
		ListenerProperties tcp = listener(Protocol.TCP, 7000);
		tcp.setReceiveThreads(4);
		tcp.setReceiveBufferBytes(1024 * 1024);
		properties.getListeners().put("t", tcp);
		ListenerProperties udp = listener(Protocol.UDP, 7000);
		udp.setReceiveThreads(4);
		udp.setReceiveBufferBytes(1024 * 1024);
		properties.getListeners().put("u", udp);

		assertThat(validate(properties).getFieldErrors())
			.extracting(FieldError::getField, FieldError::getCode, FieldError::getDefaultMessage)
			.containsExactly(
					tuple("listeners[t].receive-threads", "gateway.receive-threads.tcp",
							"gateway.listeners.t.receive-threads: receive threads are for UDP listeners; a tcp "
									+ "listener has event-loops"),
					tuple("listeners[t].receive-buffer-bytes", "gateway.receive-buffer-bytes.tcp",
							"gateway.listeners.t.receive-buffer-bytes: the receive buffer is of UDP sockets; remove it "
									+ "from this tcp listener"));
	}

	@Test
	void disabledListenersAndThoseTheFieldConstraintsRejectAreNotCheckedAgain() {
		GatewayProperties properties = new GatewayProperties();
		properties.getListeners().put("a", listener(Protocol.TCP, 7000));
		ListenerProperties disabled = listener(Protocol.TCP, 7000);
		disabled.setEnabled(false);
		properties.getListeners().put("b", disabled);
		ListenerProperties noProtocol = listener(null, 7000);
		noProtocol.setAllowedCidrs(List.of("not-a-block"));
		properties.getListeners().put("c", noProtocol);
		assertThat(validate(properties).getAllErrors()).isEmpty();
	}

	@Test
	void onlyTheGatewayPropertiesObjectIsOffered() {
		assertThat(this.validator.supports(GatewayProperties.class)).isTrue();
		assertThat(this.validator.supports(ListenerProperties.class)).isFalse();
		assertThat(this.validator.supports(ListenerSslProperties.class)).isFalse();
		assertThat(this.validator.supports(IntegrationProperties.class)).isFalse();
	}

	@Test
	void otherConfigurationPropertiesBindBesideIt() {
		this.runner.withUserConfiguration(IntegrationPropertiesToo.class)
			.withPropertyValues("gateway.listeners.a.protocol=tcp", "gateway.listeners.a.port=7000",
					"spring.integration.channel.max-unicast-subscribers=2")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context.getBean(IntegrationProperties.class).getChannel().getMaxUnicastSubscribers())
					.isEqualTo(2);
			});
	}

	@Test
	void fieldConstraintsAndCrossFieldChecksFailStartupTogether() {
		this.runner
			.withPropertyValues("gateway.listeners.a.protocol=tcp", "gateway.listeners.a.port=70000",
					"gateway.listeners.b.protocol=tcp", "gateway.listeners.b.port=7000",
					"gateway.listeners.c.protocol=tcp", "gateway.listeners.c.port=7000")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.hasStackTraceContaining("on field 'listeners[a].port': rejected value [70000]")
				.hasStackTraceContaining("gateway.listeners.c.port 7000 is already used by gateway.listeners.b"));
	}

	@Test
	void theApplicationRejectsTwoListenersOnOnePortBeforeBindingEither() {
		assertThatThrownBy(() -> new SpringApplicationBuilder(SocketGatewayApplication.class)
			.web(WebApplicationType.NONE)
			.run("--gateway.listeners.tcp.port=17878", "--gateway.listeners.udp.port=0",
					"--gateway.listeners.copy.protocol=tcp", "--gateway.listeners.copy.port=17878"))
			.hasStackTraceContaining(".port 17878 is already used by gateway.listeners.")
			.hasStackTraceContaining("(both tcp)");
	}

	private Errors validate(GatewayProperties properties) {
		Errors errors = new MapBindingResult(new HashMap<>(), "gateway");
		this.validator.validate(properties, errors);
		return errors;
	}

	private static ListenerProperties listener(Protocol protocol, int port) {
		ListenerProperties listener = new ListenerProperties();
		listener.setProtocol(protocol);
		listener.setPort(port);
		return listener;
	}

	@EnableConfigurationProperties(IntegrationProperties.class)
	static class IntegrationPropertiesToo {

	}

}
