package dev.socketgateway;

import java.util.Map;

import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.test.context.BootstrapUtils;
import org.springframework.test.context.MergedContextConfiguration;
import org.springframework.test.context.TestContextAnnotationUtils;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.context.support.TestPropertySourceUtils;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What {@link GatewayTest} and {@link LoopbackGatewayTest} give a test class, read from the configuration the
 * test framework would build its context from (without starting one): the shared properties and the class's
 * own {@code @TestPropertySource} both apply, and the class's own win.
 */
class GatewayTestAnnotationsTests {

	@Test
	void theSharedPortsAndTheClassOwnListenerBothApply() {
		assertThat(propertiesOf(WithItsOwnListener.class)).containsAllEntriesOf(Map.of(
				"gateway.listeners.tcp.port", "0", "gateway.listeners.udp.port", "0", "server.port", "0",
				"gateway.listeners.extra.protocol", "tcp", "gateway.listeners.extra.port", "0"));
	}

	@Test
	void aClassPropertyWinsOverASharedOne() {
		assertThat(propertiesOf(OverridingAPort.class)).containsEntry("gateway.listeners.udp.port", "7001");
	}

	@Test
	void loopbackGatewayTestAlsoBindsThePackagedListenersToLoopback() {
		assertThat(propertiesOf(OnLoopback.class)).containsAllEntriesOf(Map.of(
				"gateway.listeners.tcp.port", "0", "gateway.listeners.udp.port", "0",
				"gateway.listeners.tcp.bind-address", "127.0.0.1", "gateway.listeners.udp.bind-address", "127.0.0.1",
				"gateway.listeners.extra.bind-address", "127.0.0.1"));
	}

	@Test
	void aSubclassGetsThePropertiesOfItsAnnotatedBase() {
		assertThat(propertiesOf(ExtendingALoopbackBase.class)).containsAllEntriesOf(Map.of(
				"gateway.listeners.tcp.port", "0", "gateway.listeners.tcp.bind-address", "127.0.0.1",
				"gateway.listeners.extra.bind-address", "127.0.0.1"));
	}

	@Test
	void thereIsNoWebServerUnlessTheTestAsksForOne() {
		assertThat(webEnvironmentOf(WithItsOwnListener.class)).isEqualTo(WebEnvironment.NONE);
		assertThat(webEnvironmentOf(OnLoopback.class)).isEqualTo(WebEnvironment.NONE);
		assertThat(webEnvironmentOf(OverHttp.class)).isEqualTo(WebEnvironment.RANDOM_PORT);
	}

	/**
	 * The inlined properties the test framework adds to a class's environment, from its merged configuration;
	 * where a key is set twice, the value that takes effect.
	 */
	private static Map<String, Object> propertiesOf(Class<?> testClass) {
		MergedContextConfiguration configuration = BootstrapUtils.resolveTestContextBootstrapper(testClass)
			.buildMergedContextConfiguration();
		return TestPropertySourceUtils.convertInlinedPropertiesToMap(configuration.getPropertySourceProperties());
	}

	private static WebEnvironment webEnvironmentOf(Class<?> testClass) {
		return TestContextAnnotationUtils.findMergedAnnotation(testClass, SpringBootTest.class).webEnvironment();
	}

	@GatewayTest
	@TestPropertySource(properties = { "gateway.listeners.extra.protocol=tcp", "gateway.listeners.extra.port=0" })
	static class WithItsOwnListener {

	}

	@GatewayTest
	@TestPropertySource(properties = "gateway.listeners.udp.port=7001")
	static class OverridingAPort {

	}

	@LoopbackGatewayTest
	@TestPropertySource(properties = { "gateway.listeners.extra.protocol=tcp", "gateway.listeners.extra.port=0",
			"gateway.listeners.extra.bind-address=127.0.0.1" })
	static class OnLoopback {

	}

	@LoopbackGatewayTest
	@TestPropertySource(properties = "gateway.listeners.extra.bind-address=127.0.0.1")
	abstract static class LoopbackBase {

	}

	static class ExtendingALoopbackBase extends LoopbackBase {

	}

	@GatewayTest(webEnvironment = WebEnvironment.RANDOM_PORT)
	static class OverHttp {

	}

}
