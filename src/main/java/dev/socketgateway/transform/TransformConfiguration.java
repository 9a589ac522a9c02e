package dev.socketgateway.transform;

import org.springframework.context.annotation.Bean;
import org.springframework.integration.support.IdGenerators;
import org.springframework.util.IdGenerator;
import org.springframework.context.annotation.Configuration;

/** Registers the uppercase transformer service that every listener's flow calls, and cheap message ids. */
@Configuration(proxyBeanMethods = false)
class TransformConfiguration {

	@Bean
	UppercaseTransformer uppercaseTransformer() {
		return new UppercaseTransformer();
	}

	/**
	 * Message ids from a counter. Spring Integration picks up an IdGenerator bean for every message it
	 * creates; the default draws random bits for each, a measurable share of the per-message cost. The ids
	 * only need to be unique within this process.
	 */
	@Bean
	IdGenerator messageIdGenerator() {
		return new IdGenerators.SimpleIncrementingIdGenerator();
	}

}
