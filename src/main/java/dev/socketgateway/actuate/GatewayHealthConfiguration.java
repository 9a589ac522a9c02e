package dev.socketgateway.actuate;

import java.util.LinkedHashMap;
import java.util.Map;

import dev.socketgateway.config.GatewayProperties;
import dev.socketgateway.listener.ListenerRegistry;

import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.HealthContributor;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The {@code gateway} health contributor: one component per configured listener, at
 * {@code /actuator/health/gateway/<listener>}. It belongs to the readiness group (see application.yml),
 * so a load balancer stops sending as soon as any listener stops listening.
 */
@Configuration(proxyBeanMethods = false)
class GatewayHealthConfiguration {

	@Bean
	CompositeHealthContributor gatewayHealthContributor(GatewayProperties properties, ListenerRegistry registry) {
		Map<String, HealthContributor> components = new LinkedHashMap<>();
		properties.enabledListeners().forEach((name, settings) -> components.put(name,
				new ListenerHealthIndicator(name, settings, registry)));
		return CompositeHealthContributor.fromMap(components);
	}

}
