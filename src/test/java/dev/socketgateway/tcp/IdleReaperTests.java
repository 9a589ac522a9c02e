package dev.socketgateway.tcp;

import java.time.Duration;

import dev.socketgateway.config.ListenerProperties;
import dev.socketgateway.config.ListenerSslProperties;
import dev.socketgateway.config.Protocol;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.pem.PemSslStoreBundle;
import org.springframework.boot.ssl.pem.PemSslStoreDetails;

import static org.assertj.core.api.Assertions.assertThat;

/** How often {@link IdleReaper} scans a listener's connections: often enough for its shortest deadline. */
class IdleReaperTests {

	private static final SslBundle BUNDLE = SslBundle.of(new PemSslStoreBundle(
			PemSslStoreDetails.forCertificate("classpath:tls/server.crt").withPrivateKey("classpath:tls/server.key"),
			null));

	private final WriteFlusher flusher = new WriteFlusher("reaped");

	@AfterEach
	void stopFlusher() {
		this.flusher.stop();
	}

	@Test
	void aPlainListenerWithTheDefaultIdleTimeoutIsScannedOnceASecond() {
		assertThat(period(settings(null))).isEqualTo(Duration.ofSeconds(1));
	}

	@Test
	void aTlsListenerIsScannedAtAQuarterOfItsHandshakeTimeout() {
		assertThat(period(settings(Duration.ofSeconds(1)))).isEqualTo(Duration.ofMillis(250));
	}

	@Test
	void theDefaultHandshakeTimeoutKeepsTheScanAtOnceASecond() {
		assertThat(period(settings(new ListenerSslProperties().getHandshakeTimeout()))).isEqualTo(Duration.ofSeconds(1));
	}

	@Test
	void aVeryShortHandshakeTimeoutIsScannedAtMostEveryTenMilliseconds() {
		assertThat(period(settings(Duration.ofMillis(20)))).isEqualTo(Duration.ofMillis(10));
	}

	private Duration period(ListenerProperties settings) {
		return IdleReaper.period(new TcpListenerContext("reaped", settings, (settings.getSsl() != null) ? BUNDLE : null,
				this.flusher, new SimpleMeterRegistry(), null, null));
	}

	/** @param handshakeTimeout null for a plain listener */
	private static ListenerProperties settings(Duration handshakeTimeout) {
		ListenerProperties settings = new ListenerProperties();
		settings.setProtocol(Protocol.TCP);
		settings.setPort(0);
		if (handshakeTimeout != null) {
			ListenerSslProperties ssl = new ListenerSslProperties();
			ssl.setBundle("test");
			ssl.setHandshakeTimeout(handshakeTimeout);
			settings.setSsl(ssl);
		}
		return settings;
	}

}
