package dev.socketgateway.listener;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.integration.transformer.Transformer;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessageHeaders;
import org.springframework.messaging.support.GenericMessage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

class ListenerMetricsTests {

	@Test
	void everyMessageIsTransformedAndAboutOneInSixteenIsTimed() {
		SimpleMeterRegistry registry = new SimpleMeterRegistry();
		ListenerMetrics metrics = new ListenerMetrics(registry, "tcp", "tcp", () -> 0);
		Transformer uppercase = metrics.timed((payload) -> new String(payload, StandardCharsets.US_ASCII)
			.toUpperCase(Locale.ROOT)
			.getBytes(StandardCharsets.US_ASCII));
		MessageHeaders headers = new MessageHeaders(Map.of("connection", "c1"));
		int messages = 16_000;
		for (int i = 0; i < messages; i++) {
			Message<?> reply = uppercase.transform(new GenericMessage<>("abc".getBytes(StandardCharsets.US_ASCII), headers));
			assertThat((byte[]) reply.getPayload()).asString(StandardCharsets.US_ASCII).isEqualTo("ABC");
			assertThat(reply.getHeaders()).isSameAs(headers);
		}
		// A random 1 in 16 of 16,000 is 1,000 on average, give or take 31: the bounds are six of those away.
		assertThat(registry.get("gateway.transform").timer().count()).isBetween(800L, 1_200L);
	}

	@Test
	void aPayloadChangedInPlaceIsAnsweredWithTheRequestMessageItself() {
		ListenerMetrics metrics = new ListenerMetrics(new SimpleMeterRegistry(), "tcp", "tcp", () -> 0);
		Transformer inPlace = metrics.timed((payload) -> {
			payload[0] = 'A';
			return payload;
		});
		Message<byte[]> request = new GenericMessage<>("abc".getBytes(StandardCharsets.US_ASCII),
				new MessageHeaders(Map.of("connection", "c1")));
		Message<?> reply = inPlace.transform(request);
		assertThat(reply).as("no second message for the same payload and headers").isSameAs(request);
		assertThat((byte[]) reply.getPayload()).asString(StandardCharsets.US_ASCII).isEqualTo("Abc");
	}

	@Test
	void theRejectionReasonsAndRateLimitedCountersAreThereBeforeAnythingHappens() {
		SimpleMeterRegistry registry = new SimpleMeterRegistry();
		ListenerMetrics metrics = new ListenerMetrics(registry, "tcp", "tcp", () -> 0);
		assertThat(registry.get("gateway.connections.rejected").counters())
			.extracting((counter) -> counter.getId().getTag("reason"))
			.containsExactlyInAnyOrder("max-connections", "not-allowed", "per-client-limit", "per-client-limit-dry-run");
		assertThat(registry.get("gateway.rate-limited").counters())
			.extracting((counter) -> counter.getId().getTag("dry-run"), (counter) -> counter.count())
			.containsExactlyInAnyOrder(tuple("false", 0.0), tuple("true", 0.0));
		metrics.rateLimited(3, false);
		metrics.rateLimited(2, true);
		assertThat(registry.get("gateway.rate-limited").tag("dry-run", "false").counter().count()).isEqualTo(3);
		assertThat(registry.get("gateway.rate-limited").tag("dry-run", "true").counter().count()).isEqualTo(2);
	}

}
