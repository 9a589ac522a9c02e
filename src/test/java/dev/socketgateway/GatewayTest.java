package dev.socketgateway;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.core.annotation.AliasFor;

/**
 * The whole gateway for an integration test, with the packaged {@code tcp} and {@code udp} listeners and the
 * HTTP server on free ports, so that no test depends on a fixed port being free.
 *
 * <p>A class adds what is its own, usually its listeners, with
 * {@link org.springframework.test.context.TestPropertySource @TestPropertySource}: those properties apply
 * together with these, and win where both set the same key. Classes that end up with the same properties
 * share one cached context.
 *
 * @see LoopbackGatewayTest
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@SpringBootTest(webEnvironment = WebEnvironment.NONE, properties = {
		"gateway.listeners.tcp.port=0",
		"gateway.listeners.udp.port=0",
		"server.port=0" })
public @interface GatewayTest {

	/** No web server unless a test reads /actuator over HTTP, which takes {@code RANDOM_PORT}. */
	@AliasFor(annotation = SpringBootTest.class)
	WebEnvironment webEnvironment() default WebEnvironment.NONE;

}
