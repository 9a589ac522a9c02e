package dev.socketgateway.tcp;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;

import dev.socketgateway.listener.ListenerRegistry;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.integration.ip.tcp.serializer.AbstractByteArraySerializer;
import org.springframework.integration.ip.tcp.serializer.ByteArrayCrLfSerializer;
import org.springframework.integration.ip.tcp.serializer.ByteArrayLengthHeaderSerializer;
import org.springframework.integration.ip.tcp.serializer.ByteArrayLfSerializer;
import org.springframework.integration.ip.tcp.serializer.ByteArrayStxEtxSerializer;

import static dev.socketgateway.GatewayClients.tcp;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The gateway decodes frames itself, incrementally on its event loop, but on the wire it speaks exactly
 * what Spring Integration's serializers write and read: a client built on them interoperates.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE, properties = {
		"gateway.listeners.tcp.enabled=false", "gateway.listeners.udp.enabled=false",
		"gateway.listeners.crlf.protocol=tcp", "gateway.listeners.crlf.port=0", "gateway.listeners.crlf.framing=line",
		"gateway.listeners.stx.protocol=tcp", "gateway.listeners.stx.port=0", "gateway.listeners.stx.framing=stx-etx",
		"gateway.listeners.len1.protocol=tcp", "gateway.listeners.len1.port=0",
		"gateway.listeners.len1.framing=length-header-1",
		"gateway.listeners.len2.protocol=tcp", "gateway.listeners.len2.port=0",
		"gateway.listeners.len2.framing=length-header-2",
		"gateway.listeners.len4.protocol=tcp", "gateway.listeners.len4.port=0",
		"gateway.listeners.len4.framing=length-header-4" })
class SerializerCompatibilityIntegrationTests {

	@Autowired
	private ListenerRegistry registry;

	static Stream<Arguments> serializers() {
		return Stream.of(Arguments.of("crlf", new ByteArrayCrLfSerializer()),
				Arguments.of("crlf", new ByteArrayLfSerializer()),
				Arguments.of("stx", new ByteArrayStxEtxSerializer()),
				Arguments.of("len1", new ByteArrayLengthHeaderSerializer(ByteArrayLengthHeaderSerializer.HEADER_SIZE_UNSIGNED_BYTE)),
				Arguments.of("len2", new ByteArrayLengthHeaderSerializer(ByteArrayLengthHeaderSerializer.HEADER_SIZE_UNSIGNED_SHORT)),
				Arguments.of("len4", new ByteArrayLengthHeaderSerializer(ByteArrayLengthHeaderSerializer.HEADER_SIZE_INT)));
	}

	@ParameterizedTest(name = "{0} with {1}")
	@MethodSource("serializers")
	void aClientUsingSpringIntegrationsSerializerGetsItsRepliesDecodedByTheSameSerializer(String listener,
			AbstractByteArraySerializer serializer) throws IOException {
		try (Socket client = tcp(this.registry.listener(listener).port())) {
			for (String text : new String[] { "first frame", "", "grüße aus köln" }) {
				serializer.serialize(text.getBytes(StandardCharsets.UTF_8), client.getOutputStream());
				client.getOutputStream().flush();
				byte[] reply = serializer.deserialize(client.getInputStream());
				assertThat(new String(reply, StandardCharsets.UTF_8)).isEqualTo(text.toUpperCase(java.util.Locale.ROOT));
			}
		}
	}

}
