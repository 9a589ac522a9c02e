package dev.socketgateway.actuate;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.regex.Pattern;

import dev.socketgateway.GatewayTest;
import dev.socketgateway.listener.GatewayListener;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The meters Prometheus alerts on, as {@code /actuator/prometheus} shows them: {@code gateway_listener_up} follows
 * the listener's state through pause, drain and resume, {@code gateway_connections_max} is the configured limit (TCP
 * only), and {@code gateway_transform_seconds} is a histogram with a few buckets.
 */
@GatewayTest(webEnvironment = WebEnvironment.RANDOM_PORT)
@TestPropertySource(properties = { "management.endpoint.listeners.access=unrestricted",
		"gateway.listeners.tcp.max-connections=" + ListenerStateMetricsIntegrationTests.MAX_CONNECTIONS })
@DirtiesContext
class ListenerStateMetricsIntegrationTests extends ActuatorTestSupport {

	static final int MAX_CONNECTIONS = 250;

	private static final Pattern BUCKET = Pattern
		.compile("(?m)^gateway_transform_seconds_bucket\\{listener=\"tcp\",protocol=\"tcp\",le=\"([^\"]+)\"} ");

	@Autowired
	private ConfigurableApplicationContext context;

	@Autowired
	private MeterRegistry meters;

	@AfterEach
	void resumeEveryListener() {
		this.registry.listeners().forEach(GatewayListener::resume);
	}

	@Test
	void upIsOneWhileRunningAndZeroWhilePausedOrDraining() {
		for (String listener : List.of("tcp", "udp")) {
			String series = "gateway_listener_up{listener=\"" + listener + "\",protocol=\"" + listener + "\"}";
			assertThat(prometheus()).contains(series + " 1.0");
			changeState(listener, "paused");
			assertThat(prometheus()).as("%s paused", listener).contains(series + " 0.0");
			changeState(listener, "running");
			assertThat(prometheus()).as("%s running again", listener).contains(series + " 1.0");
			changeState(listener, "draining");
			assertThat(prometheus()).as("%s draining", listener).contains(series + " 0.0");
			changeState(listener, "running");
			assertThat(prometheus()).contains(series + " 1.0");
		}
	}

	@Test
	void upIsZeroOnceStoppedAndFollowsTheListenerStartedAgain() {
		this.context.stop();
		try {
			assertThat(up("tcp")).as("stopped").isZero();
			assertThat(up("udp")).as("stopped").isZero();
		}
		finally {
			this.context.start();
		}
		assertThat(up("tcp")).as("started again").isEqualTo(1.0);
		assertThat(up("udp")).as("started again").isEqualTo(1.0);
		assertThat(this.meters.find("gateway.listener.up").gauges()).hasSize(2);
	}

	@Test
	void maxConnectionsIsTheConfiguredLimitAndUdpHasNone() {
		assertThat(this.actuator.metric("gateway.connections.max", "listener:tcp")).isEqualTo(MAX_CONNECTIONS);
		assertThat(prometheus()).contains("gateway_connections_max{listener=\"tcp\",protocol=\"tcp\"} " + MAX_CONNECTIONS + ".0")
			.doesNotContain("gateway_connections_max{listener=\"udp\"");
	}

	@Test
	void transformTimerIsAHistogramOfEightBucketsPerListener() {
		String text = prometheus();
		List<String> bounds = BUCKET.matcher(text).results().map((match) -> match.group(1)).toList();
		assertThat(bounds).as(() -> text.lines().filter((line) -> line.contains("gateway_transform")).toList().toString())
			.containsExactly("1.0E-6", "1.0E-5", "1.0E-4", "0.001", "0.01", "0.1", "1.0", "+Inf");
	}

	private double up(String listener) {
		return this.meters.get("gateway.listener.up").tag("listener", listener).gauge().value();
	}

	private void changeState(String listener, String state) {
		HttpResponse<String> response = this.actuator.post("/actuator/listeners/" + listener,
				"{\"state\":\"" + state + "\"}");
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
	}

	private String prometheus() {
		HttpResponse<String> response = this.actuator.get("/actuator/prometheus");
		assertThat(response.statusCode()).isEqualTo(200);
		return response.body();
	}

}
