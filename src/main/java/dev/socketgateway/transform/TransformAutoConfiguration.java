package dev.socketgateway.transform;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.integration.support.IdGenerators;
import org.springframework.util.IdGenerator;

/**
 * The default transformer service, and cheap message ids. An auto-configuration, listed in
 * {@code META-INF/spring/org.springframework.boot.autoconfigure.AutoConfiguration.imports} and so left out
 * of component scanning, because only then does {@link ConditionalOnMissingBean} see the application's
 * own {@link GatewayTransformer} bean, wherever it is declared.
 */
@AutoConfiguration
public class TransformAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	GatewayTransformer uppercaseTransformer() {
		return new UppercaseTransformer();
	}

	/**
	 * Message ids from a counter. Spring Integration picks up an IdGenerator bean for every message it
	 * creates; the default draws random bits for each, a measurable share of the per-message cost. The ids
	 * only need to be unique within this process.
	 */
	@Bean
	@ConditionalOnMissingBean
	IdGenerator messageIdGenerator() {
		return new IdGenerators.SimpleIncrementingIdGenerator();
	}

}
