package dev.socketgateway.transform;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Registers the uppercase transformer service that every listener's flow calls. */
@Configuration(proxyBeanMethods = false)
class TransformConfiguration {

	@Bean
	UppercaseTransformer uppercaseTransformer() {
		return new UppercaseTransformer();
	}

}
