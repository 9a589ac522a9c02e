package dev.socketgateway.transform;

import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which transformer service the listeners get: upper case unless the application declares its own.
 */
class TransformAutoConfigurationTests {

	private final ApplicationContextRunner contexts = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(TransformAutoConfiguration.class));

	@Test
	void withoutATransformerOfTheApplicationsListenersUppercase() {
		this.contexts.run((context) -> {
			assertThat(context).hasSingleBean(GatewayTransformer.class);
			GatewayTransformer transformer = context.getBean(GatewayTransformer.class);
			assertThat(transformer.forListener("tcp", UTF_8).transform("straße".getBytes(UTF_8)))
				.isEqualTo("STRASSE".getBytes(UTF_8));
		});
	}

	@Test
	void theApplicationsTransformerReplacesTheUppercaseOne() {
		GatewayTransformer echo = (listener, charset) -> (payload) -> payload;
		this.contexts.withBean("echo", GatewayTransformer.class, () -> echo).run((context) -> {
			assertThat(context).hasSingleBean(GatewayTransformer.class);
			assertThat(context).doesNotHaveBean(UppercaseTransformer.class);
			assertThat(context.getBean(GatewayTransformer.class)).isSameAs(echo);
		});
	}

}
