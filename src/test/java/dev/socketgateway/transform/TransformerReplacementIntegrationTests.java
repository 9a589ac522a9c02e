package dev.socketgateway.transform;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.Socket;
import java.nio.charset.Charset;

import dev.socketgateway.listener.ListenerRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;

import static dev.socketgateway.GatewayClients.exchange;
import static dev.socketgateway.GatewayClients.readExactly;
import static dev.socketgateway.GatewayClients.send;
import static dev.socketgateway.GatewayClients.tcp;
import static dev.socketgateway.GatewayClients.text;
import static dev.socketgateway.GatewayClients.udp;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * An application's own {@link GatewayTransformer} bean replaces upper case on every listener, TCP and UDP,
 * in every framing and charset, with the rest of the gateway unchanged.
 */
@SpringBootTest(webEnvironment = WebEnvironment.NONE, properties = {
		"gateway.listeners.tcp.port=0",
		"gateway.listeners.udp.port=0",
		"gateway.listeners.lines.protocol=tcp",
		"gateway.listeners.lines.port=0",
		"gateway.listeners.lines.framing=line",
		"gateway.listeners.legacy.protocol=tcp",
		"gateway.listeners.legacy.port=0",
		"gateway.listeners.legacy.charset=GBK" })
class TransformerReplacementIntegrationTests {

	@Autowired
	private ListenerRegistry registry;

	@Autowired
	private ApplicationContext context;

	@Test
	void theApplicationsTransformerIsTheOnlyOne() {
		assertThat(this.context.getBeansOfType(GatewayTransformer.class).values()).singleElement()
			.isNotInstanceOf(UppercaseTransformer.class);
	}

	@Test
	void aStreamClientGetsTheApplicationsReply() throws IOException {
		try (Socket client = tcp(this.registry.listener("tcp").port())) {
			assertThat(text(exchange(client, "hello world".getBytes(Charset.forName("UTF-8")), 15)))
				.isEqualTo("tcp:dlrow olleh");
		}
	}

	@Test
	void aLineClientGetsTheApplicationsReplyInItsOwnFraming() throws IOException {
		try (Socket client = tcp(this.registry.listener("lines").port())) {
			send(client, "abc\r\nxyz\n".getBytes(Charset.forName("UTF-8")));
			assertThat(text(readExactly(client, 21))).isEqualTo("lines:cba\r\nlines:zyx\n");
		}
	}

	@Test
	void theTransformerWorksInTheListenersCharset() throws IOException {
		Charset gbk = Charset.forName("GBK");
		byte[] reply = "legacy:息信".getBytes(gbk);
		try (Socket client = tcp(this.registry.listener("legacy").port())) {
			assertThat(new String(exchange(client, "信息".getBytes(gbk), reply.length), gbk)).isEqualTo("legacy:息信");
		}
	}

	@Test
	void aUdpClientGetsTheApplicationsReply() throws IOException {
		try (DatagramSocket client = udp(this.registry.listener("udp").port())) {
			assertThat(text(exchange(client, "over udp".getBytes(Charset.forName("UTF-8"))))).isEqualTo("udp:pdu revo");
		}
	}

	@TestConfiguration(proxyBeanMethods = false)
	static class ReversingTransformerConfiguration {

		/** Reverses the text and prefixes the listener's name, which it learns once per listener. */
		@Bean
		GatewayTransformer reversingTransformer() {
			return (listener, charset) -> {
				byte[] prefix = (listener + ":").getBytes(charset);
				return (payload) -> {
					byte[] reversed = new StringBuilder(new String(payload, charset)).reverse().toString().getBytes(charset);
					byte[] reply = new byte[prefix.length + reversed.length];
					System.arraycopy(prefix, 0, reply, 0, prefix.length);
					System.arraycopy(reversed, 0, reply, prefix.length, reversed.length);
					return reply;
				};
			};
		}

	}

}
