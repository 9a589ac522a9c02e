package dev.socketgateway;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.test.context.TestPropertySource;

/**
 * A {@link GatewayTest} whose packaged {@code tcp} and {@code udp} listeners bind to 127.0.0.1 only, for the
 * tests that keep every listener on loopback (their own listeners say so in their own properties).
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@GatewayTest
@TestPropertySource(properties = {
		"gateway.listeners.tcp.bind-address=127.0.0.1",
		"gateway.listeners.udp.bind-address=127.0.0.1" })
public @interface LoopbackGatewayTest {

}
