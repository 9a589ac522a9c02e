package dev.socketgateway.config;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Binds {@code gateway.*} to {@link GatewayProperties} and validates it: the jakarta constraints on its fields
 * ({@code @Validated}) and the cross-field {@link GatewayPropertiesValidator}. Tests that need only the properties
 * use this configuration on its own.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(GatewayProperties.class)
public class GatewayPropertiesConfiguration {

	/**
	 * Boot looks this bean up by name to validate every {@code @ConfigurationProperties} object; static because
	 * it is created before this configuration class, while the binder itself is being set up.
	 */
	@Bean(EnableConfigurationProperties.VALIDATOR_BEAN_NAME)
	static GatewayPropertiesValidator configurationPropertiesValidator() {
		return new GatewayPropertiesValidator();
	}

}
