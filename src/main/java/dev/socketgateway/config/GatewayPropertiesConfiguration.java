package dev.socketgateway.config;

import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Role;

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
	 * it is created before this configuration class, while the binder itself is being set up. Infrastructure,
	 * because it is made while the binding post-processor is, before the others could process it.
	 */
	@Bean(EnableConfigurationProperties.VALIDATOR_BEAN_NAME)
	@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
	static GatewayPropertiesValidator configurationPropertiesValidator() {
		return new GatewayPropertiesValidator();
	}

}
