package dev.socketgateway.tcp;

import dev.socketgateway.config.ListenerProperties;
import dev.socketgateway.config.ListenerSslProperties;
import dev.socketgateway.config.Protocol;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.ssl.DefaultSslBundleRegistry;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.pem.PemSslStoreBundle;
import org.springframework.boot.ssl.pem.PemSslStoreDetails;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * What a TLS listener does when Spring Boot reports an update of its SSL bundle, driven through Boot's own
 * {@link DefaultSslBundleRegistry} without sockets; {@link CertificateRotationIntegrationTests} replaces real files
 * under a running listener.
 */
@ExtendWith(OutputCaptureExtension.class)
class CertificateRotationTests {

	private static final SslBundle FIRST = pem("classpath:tls/server.crt", "classpath:tls/server.key");

	private static final SslBundle ROTATED = pem("classpath:tls/rotated.crt", "classpath:tls/rotated.key");

	private final DefaultSslBundleRegistry bundles = new DefaultSslBundleRegistry("gateway", FIRST);

	private final MeterRegistry meters = new SimpleMeterRegistry();

	private final WriteFlusher flusher = new WriteFlusher("secure");

	private final TcpListenerContext listener = new TcpListenerContext("secure", settings(), FIRST, this.flusher,
			this.meters, null, null);

	private final CertificateRotation rotation = CertificateRotation.register(this.bundles, this.listener);

	@AfterEach
	void stopFlusher() {
		this.flusher.stop();
	}

	@Test
	void anUpdateMakesNewEnginesPresentTheNewCertificateAndIsLogged(CapturedOutput output) {
		assertThat(subject()).isEqualTo("CN=localhost");
		this.bundles.updateBundle("gateway", ROTATED);
		assertThat(subject()).isEqualTo("CN=rotated");
		assertThat(output).contains("Listener 'secure': SSL bundle 'gateway' reloaded; new handshakes present "
				+ "certificate 'CN=rotated', valid until 2126-");
	}

	@Test
	void anUpdateWhoseFilesCannotBeReadKeepsThePreviousCertificateAndIsCounted(CapturedOutput output) {
		this.bundles.updateBundle("gateway", pem("classpath:tls/missing.crt", "classpath:tls/server.key"));
		assertThat(subject()).isEqualTo("CN=localhost");
		assertThat(reloadErrors()).isEqualTo(1);
		assertThat(output).contains("Listener 'secure': the update of SSL bundle 'gateway' cannot be used, so new "
				+ "handshakes keep the previous certificate");
	}

	@Test
	void anUpdateWithoutAServerKeyKeepsThePreviousCertificateAndIsCounted(CapturedOutput output) {
		this.bundles.updateBundle("gateway", SslBundle.of(new PemSslStoreBundle(null,
				PemSslStoreDetails.forCertificate("classpath:tls/server.crt"))));
		assertThat(subject()).isEqualTo("CN=localhost");
		assertThat(reloadErrors()).isEqualTo(1);
		assertThat(output).contains("it has no key store");
	}

	@Test
	void aStoppedListenerIgnoresUpdates(CapturedOutput output) {
		this.rotation.stop();
		this.bundles.updateBundle("gateway", ROTATED);
		this.bundles.updateBundle("gateway", pem("classpath:tls/missing.crt", "classpath:tls/server.key"));
		assertThat(subject()).isEqualTo("CN=localhost");
		assertThat(reloadErrors()).isZero();
		assertThat(output).doesNotContain("Listener 'secure'");
	}

	@Test
	void aKeyThatDoesNotMatchItsCertificateFailsStartupNamingTheKey() {
		assertThatIllegalStateException()
			.isThrownBy(() -> new TlsEngines("secure", settings().getSsl(),
					pem("classpath:tls/rotated.crt", "classpath:tls/server.key")))
			.withMessage("gateway.listeners.secure.ssl.bundle 'gateway' cannot be used: the private key 'ssl' does "
					+ "not match its certificate 'CN=rotated'");
	}

	/** The subject of the certificate new handshakes present: the one swapped in with the engines' context. */
	private String subject() {
		return this.listener.tls().certificate().getSubjectX500Principal().getName();
	}

	private double reloadErrors() {
		return this.meters.get("gateway.errors").tags("listener", "secure", "reason", "tls-reload").counter().count();
	}

	private static ListenerProperties settings() {
		ListenerProperties settings = new ListenerProperties();
		settings.setProtocol(Protocol.TCP);
		settings.setPort(0);
		ListenerSslProperties ssl = new ListenerSslProperties();
		ssl.setBundle("gateway");
		settings.setSsl(ssl);
		return settings;
	}

	private static SslBundle pem(String certificate, String key) {
		return SslBundle.of(new PemSslStoreBundle(PemSslStoreDetails.forCertificate(certificate).withPrivateKey(key),
				null));
	}

}
