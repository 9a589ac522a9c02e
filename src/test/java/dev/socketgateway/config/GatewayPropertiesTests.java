package dev.socketgateway.config;

import java.io.IOException;
import java.nio.charset.Charset;
import java.util.Map;

import org.junit.jupiter.api.Test;

import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.springframework.core.io.ClassPathResource;

import static org.assertj.core.api.Assertions.assertThat;

/** Binding and validation of {@code gateway.*}, without starting any listener. */
class GatewayPropertiesTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withUserConfiguration(GatewayPropertiesConfiguration.class);

	@Test
	void packagedDefaultsAreATcpAndAUdpListenerOnPort7878() {
		this.runner.withInitializer((context) -> context.getEnvironment().getPropertySources().addLast(packagedDefaults()))
			.run((context) -> {
				Map<String, ListenerProperties> listeners = context.getBean(GatewayProperties.class).getListeners();
				assertThat(listeners).containsOnlyKeys("tcp", "udp");
				assertThat(listeners.get("tcp").getProtocol()).isEqualTo(Protocol.TCP);
				assertThat(listeners.get("tcp").getPort()).isEqualTo(7878);
				assertThat(listeners.get("tcp").getFraming()).isEqualTo(Framing.STREAM);
				assertThat(listeners.get("tcp").getBacklog()).isEqualTo(1024);
				assertThat(listeners.get("tcp").getCharset()).isEqualTo(Charset.forName("UTF-8"));
				assertThat(listeners.get("tcp").getBindAddress()).isNull();
				assertThat(listeners.get("udp").getProtocol()).isEqualTo(Protocol.UDP);
				assertThat(listeners.get("udp").getPort()).isEqualTo(7878);
			});
	}

	@Test
	void environmentVariablesOverrideSingleFieldsOfAListener() {
		this.runner.withInitializer((context) -> {
			context.getEnvironment().getPropertySources().addLast(packagedDefaults());
			context.getEnvironment().getPropertySources().addFirst(new SystemEnvironmentPropertySource("systemEnvironment",
					Map.of("GATEWAY_LISTENERS_TCP_PORT", "9000", "GATEWAY_LISTENERS_UDP_ENABLED", "false",
							"GATEWAY_LISTENERS_TCP_CHARSET", "GBK")));
		}).run((context) -> {
			GatewayProperties properties = context.getBean(GatewayProperties.class);
			ListenerProperties tcp = properties.getListeners().get("tcp");
			assertThat(tcp.getPort()).isEqualTo(9000);
			assertThat(tcp.getCharset()).isEqualTo(Charset.forName("GBK"));
			assertThat(tcp.getProtocol()).as("kept from the packaged defaults").isEqualTo(Protocol.TCP);
			assertThat(properties.enabledListeners()).containsOnlyKeys("tcp");
		});
	}

	@Test
	void portAboveTheRangeFailsNamingTheKey() {
		assertFailure("gateway.listeners.tcp.protocol=tcp", "gateway.listeners.tcp.port=70000")
			.contains("listeners[tcp].port").contains("70000");
	}

	@Test
	void negativePortFailsNamingTheKey() {
		assertFailure("gateway.listeners.tcp.protocol=tcp", "gateway.listeners.tcp.port=-1")
			.contains("listeners[tcp].port");
	}

	@Test
	void unknownProtocolFailsNamingTheKey() {
		assertFailure("gateway.listeners.tcp.protocol=sctp", "gateway.listeners.tcp.port=7000")
			.contains("gateway.listeners.tcp.protocol").contains("sctp");
	}

	@Test
	void unknownCharsetFailsNamingTheKey() {
		assertFailure("gateway.listeners.tcp.protocol=tcp", "gateway.listeners.tcp.port=7000",
				"gateway.listeners.tcp.charset=NO-SUCH-CHARSET")
			.contains("gateway.listeners.tcp.charset").contains("NO-SUCH-CHARSET");
	}

	@Test
	void missingProtocolFailsNamingTheKey() {
		assertFailure("gateway.listeners.tcp.port=7000").contains("listeners[tcp].protocol");
	}

	@Test
	void misspelledKeyFailsInsteadOfBeingIgnored() {
		assertFailure("gateway.listeners.tcp.protocol=tcp", "gateway.listeners.tcp.port=7000",
				"gateway.listeners.tcp.bakclog=10")
			.contains("gateway.listeners.tcp.bakclog");
	}

	@Test
	void twoListenersOnOnePortAndProtocolFailNamingBoth() {
		assertFailure("gateway.listeners.a.protocol=tcp", "gateway.listeners.a.port=7000",
				"gateway.listeners.b.protocol=tcp", "gateway.listeners.b.port=7000")
			.contains("gateway.listeners.b.port 7000 is already used by gateway.listeners.a");
	}

	@Test
	void unresolvableBindAddressFailsNamingTheKey() {
		assertFailure("gateway.listeners.a.protocol=tcp", "gateway.listeners.a.port=7000",
				"gateway.listeners.a.bind-address=no-such-host.invalid")
			.contains("gateway.listeners.a.bind-address");
	}

	@Test
	void anAllowedCidrThatIsNotABlockFailsNamingTheKeyAndTheEntry() {
		assertFailure("gateway.listeners.a.protocol=tcp", "gateway.listeners.a.port=7000",
				"gateway.listeners.a.allowed-cidrs=10.0.0.0/8,10.0.0.0/40")
			.contains("gateway.listeners.a.allowed-cidrs").contains("10.0.0.0/40");
	}

	@Test
	void aProxyTrustedCidrThatIsNotABlockFailsNamingTheKeyAndTheEntry() {
		assertFailure("gateway.listeners.a.protocol=tcp", "gateway.listeners.a.port=7000",
				"gateway.listeners.a.proxy-protocol=required", "gateway.listeners.a.proxy-trusted-cidrs=balancer.local")
			.contains("gateway.listeners.a.proxy-trusted-cidrs").contains("'balancer.local' is not a CIDR block");
	}

	@Test
	void proxyProtocolOnAUdpListenerFailsNamingTheKey() {
		assertFailure("gateway.listeners.u.protocol=udp", "gateway.listeners.u.port=7000",
				"gateway.listeners.u.proxy-protocol=optional")
			.contains("gateway.listeners.u.proxy-protocol: PROXY protocol is for TCP listeners only");
	}

	@Test
	void negativeReceiveThreadsFailNamingTheKey() {
		assertFailure("gateway.listeners.u.protocol=udp", "gateway.listeners.u.port=7000",
				"gateway.listeners.u.receive-threads=-1")
			.contains("listeners[u].receiveThreads").contains("must not be negative (0 means one per two CPU cores)");
	}

	@Test
	void receiveThreadsAboveTheCapFailNamingTheKeyAndTheCap() {
		assertFailure("gateway.listeners.u.protocol=udp", "gateway.listeners.u.port=7000",
				"gateway.listeners.u.receive-threads=65")
			.contains("listeners[u].receiveThreads").contains("must be at most 64");
	}

	@Test
	void receiveThreadsOnATcpListenerFailNamingTheKey() {
		assertFailure("gateway.listeners.t.protocol=tcp", "gateway.listeners.t.port=7000",
				"gateway.listeners.t.receive-threads=4")
			.contains("gateway.listeners.t.receive-threads: receive threads are for UDP listeners");
	}

	@Test
	void aUdpListenerHasOneReceiveThreadPerTwoCoresAndAFourMebibyteReceiveBufferByDefault() {
		ListenerProperties udp = new ListenerProperties();
		assertThat(udp.getReceiveThreads()).isZero();
		assertThat(udp.effectiveReceiveThreads())
			.isEqualTo(Math.min(ListenerProperties.onePerTwoCores(Runtime.getRuntime().availableProcessors()), 64));
		assertThat(udp.getReceiveBufferBytes()).isEqualTo(4 * 1024 * 1024);
		udp.setReceiveThreads(3);
		assertThat(udp.effectiveReceiveThreads()).isEqualTo(3);
	}

	@Test
	void aTcpListenerHasOneEventLoopPerTwoCoresByDefault() {
		ListenerProperties tcp = new ListenerProperties();
		assertThat(tcp.getEventLoops()).isZero();
		assertThat(tcp.effectiveEventLoops())
			.isEqualTo(ListenerProperties.onePerTwoCores(Runtime.getRuntime().availableProcessors()));
		tcp.setEventLoops(3);
		assertThat(tcp.effectiveEventLoops()).isEqualTo(3);
	}

	@Test
	void onePerTwoCoresIsHalfTheCoresRoundedDownAndNeverNone() {
		assertThat(ListenerProperties.onePerTwoCores(1)).isEqualTo(1);
		assertThat(ListenerProperties.onePerTwoCores(2)).isEqualTo(1);
		assertThat(ListenerProperties.onePerTwoCores(3)).isEqualTo(1);
		assertThat(ListenerProperties.onePerTwoCores(4)).isEqualTo(2);
		assertThat(ListenerProperties.onePerTwoCores(16)).isEqualTo(8);
	}

	@Test
	void aProxyHeaderTimeoutOfZeroFailsNamingTheKey() {
		assertFailure("gateway.listeners.a.protocol=tcp", "gateway.listeners.a.port=7000",
				"gateway.listeners.a.proxy-protocol=required", "gateway.listeners.a.proxy-header-timeout=0s")
			.contains("gateway.listeners.a.proxy-header-timeout must be positive");
	}

	@Test
	void anUnknownProxyProtocolModeFailsNamingTheKey() {
		assertFailure("gateway.listeners.a.protocol=tcp", "gateway.listeners.a.port=7000",
				"gateway.listeners.a.proxy-protocol=v2").contains("gateway.listeners.a.proxy-protocol");
	}

	@Test
	void proxyProtocolIsOffByDefaultWithAFiveSecondHeaderTimeout() {
		this.runner.withPropertyValues("gateway.listeners.a.protocol=tcp", "gateway.listeners.a.port=7000")
			.run((context) -> {
				ListenerProperties listener = context.getBean(GatewayProperties.class).getListeners().get("a");
				assertThat(listener.getProxyProtocol()).isEqualTo(ProxyProtocol.OFF);
				assertThat(listener.getProxyTrustedCidrs()).isEmpty();
				assertThat(listener.getProxyHeaderTimeout()).hasSeconds(5);
			});
	}

	@Test
	void oneListenerPerProtocolMayShareAPortAndEphemeralPortsNeverClash() {
		this.runner.withPropertyValues("gateway.listeners.t.protocol=tcp", "gateway.listeners.t.port=7000",
				"gateway.listeners.u.protocol=udp", "gateway.listeners.u.port=7000",
				"gateway.listeners.a.protocol=tcp", "gateway.listeners.a.port=0",
				"gateway.listeners.b.protocol=tcp", "gateway.listeners.b.port=0",
				"gateway.listeners.c.protocol=tcp", "gateway.listeners.c.port=7001",
				"gateway.listeners.c.bind-address=127.0.0.1",
				"gateway.listeners.d.protocol=tcp", "gateway.listeners.d.port=7001",
				"gateway.listeners.d.bind-address=::1")
			.run((context) -> assertThat(context).hasNotFailed());
	}

	@Test
	void disabledListenerDoesNotClash() {
		this.runner.withPropertyValues("gateway.listeners.a.protocol=tcp", "gateway.listeners.a.port=7000",
				"gateway.listeners.b.protocol=tcp", "gateway.listeners.b.port=7000",
				"gateway.listeners.b.enabled=false")
			.run((context) -> assertThat(context.getBean(GatewayProperties.class).enabledListeners()).containsOnlyKeys("a"));
	}

	private org.assertj.core.api.AbstractStringAssert<?> assertFailure(String... properties) {
		String[] message = new String[1];
		this.runner.withPropertyValues(properties).run((context) -> {
			assertThat(context).hasFailed();
			message[0] = describe(context.getStartupFailure());
		});
		return assertThat(message[0]);
	}

	/** What Boot's failure analysis shows an operator: every message down the cause chain. */
	private static String describe(Throwable failure) {
		StringBuilder text = new StringBuilder();
		for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
			text.append(cause.getMessage()).append('\n');
		}
		return text.toString();
	}

	private static PropertySource<?> packagedDefaults() {
		try {
			return new YamlPropertySourceLoader().load("packaged", new ClassPathResource("application.yml")).get(0);
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
