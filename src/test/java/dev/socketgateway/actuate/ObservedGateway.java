package dev.socketgateway.actuate;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import dev.socketgateway.GatewayTest;

import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.test.context.TestPropertySource;

/**
 * The gateway that most observability tests look at, on free ports, with /actuator on a random HTTP
 * port. A test that counts compares a counter before and after its own traffic rather than read an
 * absolute value, since the other tests of its class use the same context.
 *
 * <p>The classes share one cached context. Spring Framework 7 pauses (stops) it while another class runs
 * and starts it again when it is needed, which restarts every listener on new ports: tests ask the
 * lifecycle for ports, never keep them across classes.
 *
 * <ul>
 * <li>{@code tcp}: the default stream-framed TCP listener</li>
 * <li>{@code udp}: the default UDP listener, answering datagrams of at most 512 bytes</li>
 * <li>{@code line}: line framing, lines of at most 64 bytes</li>
 * <li>{@code stx}: STX/ETX framing</li>
 * <li>{@code single}: stream framing, at most one open connection</li>
 * <li>{@code proxied}: stream framing behind a PROXY protocol balancer on loopback (required)</li>
 * </ul>
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@GatewayTest(webEnvironment = WebEnvironment.RANDOM_PORT)
@TestPropertySource(properties = {
		"gateway.listeners.udp.max-datagram-bytes=" + ObservedGateway.MAX_DATAGRAM_BYTES,
		"gateway.listeners.line.protocol=tcp",
		"gateway.listeners.line.port=0",
		"gateway.listeners.line.framing=line",
		"gateway.listeners.line.max-frame-bytes=" + ObservedGateway.MAX_LINE_BYTES,
		"gateway.listeners.stx.protocol=tcp",
		"gateway.listeners.stx.port=0",
		"gateway.listeners.stx.framing=stx-etx",
		"gateway.listeners.single.protocol=tcp",
		"gateway.listeners.single.port=0",
		"gateway.listeners.single.max-connections=1",
		"gateway.listeners.proxied.protocol=tcp",
		"gateway.listeners.proxied.port=0",
		"gateway.listeners.proxied.proxy-protocol=required",
		"gateway.listeners.proxied.proxy-trusted-cidrs=127.0.0.0/8" })
@interface ObservedGateway {

	int MAX_DATAGRAM_BYTES = 512;

	int MAX_LINE_BYTES = 64;

}
