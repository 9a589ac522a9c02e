package dev.socketgateway.actuate;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramSocket;
import java.net.Socket;
import java.util.Arrays;
import java.util.Locale;

import org.junit.jupiter.api.Test;


import static dev.socketgateway.GatewayClients.TIMEOUT;
import static dev.socketgateway.GatewayClients.exchange;
import static dev.socketgateway.GatewayClients.readExactly;
import static dev.socketgateway.GatewayClients.tcp;
import static dev.socketgateway.GatewayClients.udp;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The message and byte counters after a known exchange: each one moves by exactly what the client sent
 * and read on the wire, framing included. Replies are sometimes shorter than their requests (the ligature
 * U+FB01, three bytes in UTF-8, upper-cases to the two bytes "FI"), so counting request bytes as sent
 * bytes would show.
 */
@ObservedGateway
class MessageMetricsIntegrationTests extends ActuatorTestSupport {

	private static final int MESSAGES = 50;

	@Test
	void streamMessagesAndBytesAreCountedExactlyOncePerRequestAndReply() throws IOException {
		Counts before = counts("tcp", "tcp");
		long bytesWritten = 0;
		long bytesRead = 0;
		try (Socket client = tcp(this.registry.listener("tcp").port())) {
			for (int i = 0; i < MESSAGES; i++) {
				String text = text(i);
				byte[] request = text.getBytes(UTF_8);
				byte[] expected = text.toUpperCase(Locale.ROOT).getBytes(UTF_8);
				assertThat(exchange(client, request, expected.length)).as(text).isEqualTo(expected);
				bytesWritten += request.length;
				bytesRead += expected.length;
			}
		}
		assertThat(bytesRead).as("the replies are shorter than the requests").isLessThan(bytesWritten);
		assertDelta("tcp", "tcp", before, new Counts(MESSAGES, MESSAGES, bytesWritten, bytesRead));
	}

	@Test
	void lineMessagesAreCountedPerLineAndTheirBytesIncludeTheTerminators() throws IOException {
		Counts before = counts("line", "tcp");
		ByteArrayOutputStream requests = new ByteArrayOutputStream();
		ByteArrayOutputStream replies = new ByteArrayOutputStream();
		for (int i = 0; i < MESSAGES; i++) {
			String terminator = (i % 2 == 0) ? "\n" : "\r\n";
			String text = text(i);
			requests.writeBytes((text + terminator).getBytes(UTF_8));
			replies.writeBytes((text.toUpperCase(Locale.ROOT) + terminator).getBytes(UTF_8));
		}
		byte[] request = requests.toByteArray();
		byte[] expected = replies.toByteArray();
		try (Socket client = tcp(this.registry.listener("line").port())) {
			// Written in pieces that cut lines (and CRLFs) anywhere: messages are lines, not reads.
			OutputStream out = client.getOutputStream();
			for (int offset = 0; offset < request.length; offset += 37) {
				out.write(request, offset, Math.min(37, request.length - offset));
				out.flush();
			}
			assertThat(readExactly(client, expected.length)).asString(UTF_8).isEqualTo(new String(expected, UTF_8));
		}
		assertDelta("line", "tcp", before, new Counts(MESSAGES, MESSAGES, request.length, expected.length));
	}

	@Test
	void datagramsAndTheirBytesAreCountedExactlyOncePerRequestAndReply() throws IOException {
		Counts before = counts("udp", "udp");
		long bytesSent = 0;
		long bytesReceived = 0;
		try (DatagramSocket client = udp(this.registry.listener("udp").port())) {
			for (int i = 0; i < MESSAGES; i++) {
				String text = text(i);
				byte[] request = text.getBytes(UTF_8);
				byte[] expected = text.toUpperCase(Locale.ROOT).getBytes(UTF_8);
				assertThat(exchange(client, request)).as(text).isEqualTo(expected);
				bytesSent += request.length;
				bytesReceived += expected.length;
			}
		}
		assertDelta("udp", "udp", before, new Counts(MESSAGES, MESSAGES, bytesSent, bytesReceived));
	}

	/** Messages of varied length; every fifth one has characters whose upper case is shorter in UTF-8. */
	private static String text(int i) {
		String text = "message " + i + " " + "abcdefghij".repeat(i % 4);
		return (i % 5 == 0) ? text + " \uFB01ne stra\u00DFe" : text;
	}

	private Counts counts(String listener, String protocol) {
		String[] tags = { "listener:" + listener, "protocol:" + protocol };
		return new Counts(this.actuator.metric("gateway.messages.received", tags),
				this.actuator.metric("gateway.messages.sent", tags), this.actuator.metric("gateway.bytes.received", tags),
				this.actuator.metric("gateway.bytes.sent", tags));
	}

	private void assertDelta(String listener, String protocol, Counts before, Counts expected) {
		await().atMost(TIMEOUT).untilAsserted(() -> {
			Counts after = counts(listener, protocol);
			assertThat(after.minus(before)).as("%s counters moved by", listener).isEqualTo(expected);
		});
	}

	/** The four counters of one listener, as doubles the way Micrometer keeps them. */
	private record Counts(double messagesReceived, double messagesSent, double bytesReceived, double bytesSent) {

		Counts minus(Counts other) {
			return new Counts(this.messagesReceived - other.messagesReceived, this.messagesSent - other.messagesSent,
					this.bytesReceived - other.bytesReceived, this.bytesSent - other.bytesSent);
		}

		@Override
		public String toString() {
			return Arrays.toString(new double[] { this.messagesReceived, this.messagesSent, this.bytesReceived,
					this.bytesSent }) + " (messages received, messages sent, bytes received, bytes sent)";
		}

	}

}
