package dev.socketgateway.tcp;

import java.io.IOException;
import java.net.Socket;
import java.util.List;

import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

import dev.socketgateway.GatewayTest;
import dev.socketgateway.listener.ConnectionInfo;
import dev.socketgateway.listener.ListenerRegistry;
import dev.socketgateway.tcp.FramedClients.Framing;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.test.context.TestPropertySource;

import static dev.socketgateway.GatewayClients.TIMEOUT;
import static dev.socketgateway.GatewayClients.ascii;
import static dev.socketgateway.GatewayClients.concat;
import static dev.socketgateway.GatewayClients.exchange;
import static dev.socketgateway.GatewayClients.readExactly;
import static dev.socketgateway.GatewayClients.send;
import static dev.socketgateway.GatewayClients.tcp;
import static dev.socketgateway.GatewayClients.text;
import static dev.socketgateway.tcp.FramedClients.assertClosedByServer;
import static dev.socketgateway.tcp.FramedClients.roundTrip;
import static dev.socketgateway.tcp.ProxyHeaderReaderTests.v1;
import static dev.socketgateway.tcp.ProxyHeaderReaderTests.v2;
import static dev.socketgateway.tcp.ProxyHeaderReaderTests.v2Local;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * TCP listeners behind a load balancer that speaks PROXY protocol, played by clients that write the
 * header themselves: the client named in the header is the one the gateway logs, lists and checks against
 * allowed-cidrs, with every framing and with TLS; bad, missing, slow and untrusted headers close only their
 * own connection, counted as gateway.errors{reason=proxy-header}.
 */
@GatewayTest
@TestPropertySource(properties = {
		"gateway.listeners.p-stream.protocol=tcp", "gateway.listeners.p-stream.port=0",
		"gateway.listeners.p-stream.proxy-protocol=required",
		"gateway.listeners.p-stream.proxy-trusted-cidrs=127.0.0.0/8,::1",
		"gateway.listeners.p-warn.protocol=tcp", "gateway.listeners.p-warn.port=0",
		"gateway.listeners.p-warn.proxy-protocol=required",
		"gateway.listeners.p-line.protocol=tcp", "gateway.listeners.p-line.port=0",
		"gateway.listeners.p-line.framing=line", "gateway.listeners.p-line.proxy-protocol=required",
		"gateway.listeners.p-line.banner=welcome",
		"gateway.listeners.p-stx.protocol=tcp", "gateway.listeners.p-stx.port=0",
		"gateway.listeners.p-stx.framing=stx-etx", "gateway.listeners.p-stx.proxy-protocol=required",
		"gateway.listeners.p-len1.protocol=tcp", "gateway.listeners.p-len1.port=0",
		"gateway.listeners.p-len1.framing=length-header-1", "gateway.listeners.p-len1.proxy-protocol=required",
		"gateway.listeners.p-len2.protocol=tcp", "gateway.listeners.p-len2.port=0",
		"gateway.listeners.p-len2.framing=length-header-2", "gateway.listeners.p-len2.proxy-protocol=required",
		"gateway.listeners.p-len4.protocol=tcp", "gateway.listeners.p-len4.port=0",
		"gateway.listeners.p-len4.framing=length-header-4", "gateway.listeners.p-len4.proxy-protocol=required",
		"gateway.listeners.optional.protocol=tcp", "gateway.listeners.optional.port=0",
		"gateway.listeners.optional.framing=line", "gateway.listeners.optional.banner=hi",
		"gateway.listeners.optional.proxy-protocol=optional",
		"gateway.listeners.optional.proxy-trusted-cidrs=127.0.0.1/32",
		"gateway.listeners.optional.proxy-header-timeout=400ms",
		"gateway.listeners.untrusted.protocol=tcp", "gateway.listeners.untrusted.port=0",
		"gateway.listeners.untrusted.proxy-protocol=optional",
		"gateway.listeners.untrusted.proxy-trusted-cidrs=10.0.0.0/8",
		"gateway.listeners.allow.protocol=tcp", "gateway.listeners.allow.port=0",
		"gateway.listeners.allow.proxy-protocol=required",
		"gateway.listeners.allow.proxy-trusted-cidrs=127.0.0.0/8",
		"gateway.listeners.allow.allowed-cidrs=192.0.2.0/24",
		"gateway.listeners.slow.protocol=tcp", "gateway.listeners.slow.port=0",
		"gateway.listeners.slow.proxy-protocol=required", "gateway.listeners.slow.proxy-header-timeout=300ms",
		"spring.ssl.bundle.pem.test.keystore.certificate=classpath:tls/server.crt",
		"spring.ssl.bundle.pem.test.keystore.private-key=classpath:tls/server.key",
		"gateway.listeners.p-tls.protocol=tcp", "gateway.listeners.p-tls.port=0",
		"gateway.listeners.p-tls.framing=line", "gateway.listeners.p-tls.banner=secure",
		"gateway.listeners.p-tls.ssl.bundle=test", "gateway.listeners.p-tls.proxy-protocol=required" })
@ExtendWith(OutputCaptureExtension.class)
class ProxyProtocolIntegrationTests {

	private static final byte[] CLIENT = { (byte) 203, 0, 113, 7 };

	private static final byte[] BALANCER = { 127, 0, 0, 1 };

	@Autowired
	private ListenerRegistry registry;

	@Autowired
	private MeterRegistry meters;

	@ParameterizedTest
	@EnumSource(Framing.class)
	void aV1HeaderInTheSameWriteAsTheFirstMessageNamesTheClientOnEveryFraming(Framing framing) throws IOException {
		String listener = listenerFor(framing);
		try (Socket client = tcp(port(listener))) {
			send(client, concat(v1("TCP4", "203.0.113.7", "127.0.0.1", 40001, 7878), framing.frame(ascii("first"))));
			if (framing == Framing.LINE_CRLF || framing == Framing.LINE_LF) {
				assertThat(text(readExactly(client, "welcome\r\n".length()))).isEqualTo("welcome\r\n");
			}
			byte[] expected = framing.frame(ascii("FIRST"));
			assertThat(text(readExactly(client, expected.length))).isEqualTo(text(expected));
			roundTrip(client, framing, "second");
			assertThat(connectionOf(listener, 40001)).satisfies((info) -> {
				assertThat(info.remoteAddress()).isEqualTo("203.0.113.7");
				assertThat(info.proxiedBy()).isEqualTo("127.0.0.1:" + client.getLocalPort());
				assertThat(info.messagesReceived()).isEqualTo(2);
			});
		}
	}

	@ParameterizedTest
	@EnumSource(Framing.class)
	void aV2HeaderWrittenOnItsOwnNamesTheClientOnEveryFraming(Framing framing) throws IOException {
		String listener = listenerFor(framing);
		try (Socket client = tcp(port(listener))) {
			send(client, v2(CLIENT, BALANCER, 40002, 7878, new byte[0]));
			if (framing == Framing.LINE_CRLF || framing == Framing.LINE_LF) {
				assertThat(text(readExactly(client, "welcome\r\n".length()))).as("the banner follows the header")
					.isEqualTo("welcome\r\n");
			}
			roundTrip(client, framing, "proxied");
			assertThat(connectionOf(listener, 40002).remoteAddress()).isEqualTo("203.0.113.7");
		}
	}

	@Test
	void theHeaderComesBeforeTheTlsHandshakeAsHaproxySendsIt() throws IOException {
		try (Socket raw = tcp(port("p-tls"))) {
			send(raw, v2(CLIENT, BALANCER, 40003, 7443, new byte[0]));
			SSLSocket tls = (SSLSocket) TlsIntegrationTests.clientContext(false)
				.getSocketFactory()
				.createSocket(raw, "127.0.0.1", port("p-tls"), false);
			SSLParameters parameters = tls.getSSLParameters();
			parameters.setEndpointIdentificationAlgorithm("HTTPS");
			tls.setSSLParameters(parameters);
			tls.startHandshake();
			assertThat(text(readExactly(tls, "secure\r\n".length()))).isEqualTo("secure\r\n");
			send(tls, ascii("over tls\n"));
			assertThat(text(readExactly(tls, "OVER TLS\n".length()))).isEqualTo("OVER TLS\n");
			assertThat(connectionOf("p-tls", 40003).remoteAddress()).isEqualTo("203.0.113.7");
		}
	}

	@Test
	void aClientWithoutAHeaderIsClosedWhenOneIsRequiredAndCounted() throws IOException {
		double before = proxyHeaderErrors("p-stream");
		try (Socket client = tcp(port("p-stream"))) {
			send(client, ascii("hello, no header"));
			assertClosedByServer(client);
		}
		await().atMost(TIMEOUT).untilAsserted(() -> assertThat(proxyHeaderErrors("p-stream")).isEqualTo(before + 1));
	}

	@Test
	void aMalformedHeaderClosesItsConnectionOnlyAndIsCountedWithOneWarning(CapturedOutput output) throws IOException {
		// p-warn serves this test alone, so no other test's warning takes the listener's one line a second
		double before = proxyHeaderErrors("p-warn");
		try (Socket bystander = tcp(port("p-warn")); Socket client = tcp(port("p-warn"))) {
			send(bystander, v1("TCP4", "203.0.113.7", "127.0.0.1", 40004, 7878));
			assertThat(exchange(bystander, "before")).isEqualTo("BEFORE");
			send(client, ascii("PROXY TCP4 203.0.113.7 127.0.0.1 99999 7878\r\nhello"));
			assertClosedByServer(client);
			assertThat(exchange(bystander, "after")).as("another client is not affected").isEqualTo("AFTER");
		}
		await().atMost(TIMEOUT).untilAsserted(() -> assertThat(proxyHeaderErrors("p-warn")).isEqualTo(before + 1));
		assertThat(output.getOut()).contains("Listener 'p-warn' peer 127.0.0.1:")
			.contains("PROXY v1 header has a port outside 0..65535; closing connection");
	}

	@Test
	void aHeaderCutShortByEndOfInputIsCountedButAHealthCheckThatSendsNothingIsNot() throws IOException {
		double before = proxyHeaderErrors("p-stream");
		try (Socket check = tcp(port("p-stream"))) {
			check.shutdownOutput();
			assertClosedByServer(check);
		}
		try (Socket client = tcp(port("p-stream"))) {
			send(client, ascii("PROXY TCP4 203.0"));
			client.shutdownOutput();
			assertClosedByServer(client);
		}
		await().atMost(TIMEOUT).untilAsserted(() -> assertThat(proxyHeaderErrors("p-stream")).isEqualTo(before + 1));
	}

	@Test
	void aHeaderThatDoesNotArriveWithinTheTimeoutClosesTheConnection() throws IOException {
		double before = proxyHeaderErrors("slow");
		try (Socket silent = tcp(port("slow")); Socket trickling = tcp(port("slow"))) {
			send(trickling, ascii("PROXY TCP4 203.0.113.7 "));
			assertClosedByServer(silent);
			assertClosedByServer(trickling);
		}
		await().atMost(TIMEOUT).untilAsserted(() -> assertThat(proxyHeaderErrors("slow")).isEqualTo(before + 2));
	}

	@Test
	void underOptionalAPlainClientIsServedAndOneThatSendsNothingGetsTheBannerAfterTheTimeout() throws IOException {
		try (Socket plain = tcp(port("optional")); Socket waiting = tcp(port("optional"))) {
			send(plain, ascii("plain\n"));
			assertThat(text(readExactly(plain, "hi\r\nPLAIN\n".length()))).isEqualTo("hi\r\nPLAIN\n");
			assertThat(connectionOf("optional", plain.getLocalPort()).proxiedBy()).isNull();
			assertThat(text(readExactly(waiting, "hi\r\n".length()))).as("banner after proxy-header-timeout")
				.isEqualTo("hi\r\n");
			assertThat(exchange(waiting, "late\n")).isEqualTo("LATE\n");
		}
	}

	@Test
	void underOptionalATrustedBalancersHeaderNamesTheClient() throws IOException {
		try (Socket client = tcp(port("optional"))) {
			send(client, concat(v2Local(), ascii("health\n")));
			assertThat(text(readExactly(client, "hi\r\nHEALTH\n".length()))).isEqualTo("hi\r\nHEALTH\n");
			assertThat(connectionOf("optional", client.getLocalPort()).remoteAddress())
				.as("a LOCAL header keeps the balancer's own address").isEqualTo("127.0.0.1");
		}
		try (Socket client = tcp(port("optional"))) {
			send(client, concat(v1("TCP4", "203.0.113.9", "127.0.0.1", 40005, 7878), ascii("named\n")));
			assertThat(text(readExactly(client, "hi\r\nNAMED\n".length()))).isEqualTo("hi\r\nNAMED\n");
			assertThat(connectionOf("optional", 40005).remoteAddress()).isEqualTo("203.0.113.9");
		}
	}

	@Test
	void aPeerOutsideProxyTrustedCidrsCannotClaimAnotherAddress() throws IOException {
		double before = proxyHeaderErrors("untrusted");
		try (Socket spoofer = tcp(port("untrusted")); Socket plain = tcp(port("untrusted"))) {
			send(spoofer, v1("TCP4", "10.1.2.3", "127.0.0.1", 40006, 7878));
			assertClosedByServer(spoofer);
			assertThat(exchange(plain, "plain")).as("optional still serves plain clients").isEqualTo("PLAIN");
		}
		await().atMost(TIMEOUT).untilAsserted(() -> assertThat(proxyHeaderErrors("untrusted")).isEqualTo(before + 1));
	}

	@Test
	void allowedCidrsChecksTheClientInTheHeaderNotTheBalancer(CapturedOutput output) throws IOException {
		double rejectedBefore = this.meters.get("gateway.connections.rejected")
			.tags("listener", "allow", "reason", "not-allowed")
			.counter()
			.count();
		try (Socket inside = tcp(port("allow")); Socket outside = tcp(port("allow")); Socket local = tcp(port("allow"))) {
			send(inside, v1("TCP4", "192.0.2.5", "127.0.0.1", 40007, 7878));
			assertThat(exchange(inside, "inside")).isEqualTo("INSIDE");
			send(outside, v1("TCP4", "203.0.113.7", "127.0.0.1", 40008, 7878));
			assertClosedByServer(outside);
			send(local, v2Local());
			assertClosedByServer(local); // LOCAL: the balancer's own 127.0.0.1 is checked, and is not in the list
		}
		await().atMost(TIMEOUT)
			.untilAsserted(() -> assertThat(this.meters.get("gateway.connections.rejected")
				.tags("listener", "allow", "reason", "not-allowed")
				.counter()
				.count()).isEqualTo(rejectedBefore + 2));
		assertThat(output.getOut()).contains("Listener 'allow' peer 203.0.113.7:40008: address not in allowed-cidrs");
	}

	private String listenerFor(Framing framing) {
		return switch (framing) {
			case STREAM -> "p-stream";
			case LINE_CRLF, LINE_LF -> "p-line";
			case STX_ETX -> "p-stx";
			case LENGTH_HEADER_1 -> "p-len1";
			case LENGTH_HEADER_2 -> "p-len2";
			case LENGTH_HEADER_4 -> "p-len4";
		};
	}

	private int port(String listener) {
		return this.registry.listener(listener).port();
	}

	private ConnectionInfo connectionOf(String listener, int remotePort) {
		List<ConnectionInfo> connections = this.registry.listener(listener).connections();
		return connections.stream()
			.filter((info) -> info.remotePort() == remotePort)
			.findFirst()
			.orElseThrow(() -> new AssertionError("no connection from port " + remotePort + " in " + connections));
	}

	private double proxyHeaderErrors(String listener) {
		return this.meters.get("gateway.errors").tags("listener", listener, "reason", "proxy-header").counter().count();
	}

}
