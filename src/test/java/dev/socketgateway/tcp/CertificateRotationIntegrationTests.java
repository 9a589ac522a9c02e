package dev.socketgateway.tcp;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

import dev.socketgateway.GatewayTest;
import dev.socketgateway.listener.ListenerRegistry;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.pem.PemSslStoreBundle;
import org.springframework.boot.ssl.pem.PemSslStoreDetails;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.core.io.ClassPathResource;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;
import org.springframework.util.FileSystemUtils;

import static dev.socketgateway.GatewayClients.TIMEOUT;
import static dev.socketgateway.GatewayClients.exchange;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Certificate rotation under running TLS listeners, over real sockets. Each listener's SSL bundle reads its PEM
 * certificate and key from a directory of its own with {@code reload-on-update} and a 1 s quiet period; a test
 * replaces the files, as cert-manager or certbot would, and watches what new and open connections see. The
 * second key and certificate, {@code tls/rotated.*}, are made by the command in
 * {@code src/test/resources/tls/README.md}.
 */
@GatewayTest
@TestPropertySource(properties = {
		"spring.ssl.bundle.watch.file.quiet-period=1s",
		"gateway.listeners.rotating.protocol=tcp",
		"gateway.listeners.rotating.port=0",
		"gateway.listeners.rotating.ssl.bundle=rotating",
		"gateway.listeners.mismatched.protocol=tcp",
		"gateway.listeners.mismatched.port=0",
		"gateway.listeners.mismatched.ssl.bundle=mismatched" })
@ExtendWith(OutputCaptureExtension.class)
@DirtiesContext // the watched files are deleted after the class
class CertificateRotationIntegrationTests {

	private static final Path FILES = temporaryDirectory();

	/** Trusts both the first and the rotated server certificate, so a handshake succeeds either side of the swap. */
	private static final SSLContext CLIENT = SslBundle
		.of(new PemSslStoreBundle(null, PemSslStoreDetails.forCertificate(read("server.crt") + read("rotated.crt"))))
		.createSslContext();

	@Autowired
	private ListenerRegistry registry;

	@Autowired
	private MeterRegistry meters;

	@DynamicPropertySource
	static void bundles(DynamicPropertyRegistry properties) throws IOException {
		for (String bundle : new String[] { "rotating", "mismatched" }) {
			Path directory = Files.createDirectories(FILES.resolve(bundle));
			Files.writeString(directory.resolve("server.crt"), read("server.crt"));
			Files.writeString(directory.resolve("server.key"), read("server.key"));
			String prefix = "spring.ssl.bundle.pem." + bundle + ".";
			properties.add(prefix + "reload-on-update", () -> "true");
			properties.add(prefix + "keystore.certificate", () -> "file:" + directory.resolve("server.crt"));
			properties.add(prefix + "keystore.private-key", () -> "file:" + directory.resolve("server.key"));
		}
	}

	@AfterAll
	static void deleteFiles() throws IOException {
		FileSystemUtils.deleteRecursively(FILES);
	}

	@Test
	void aNewHandshakePresentsTheReplacedCertificateWhileAnOpenConnectionKeepsItsOwn(CapturedOutput output)
			throws IOException {
		try (SSLSocket open = TlsIntegrationTests.connect(CLIENT, port("rotating"))) {
			assertThat(subject(open)).isEqualTo("CN=localhost");
			assertThat(exchange(open, "before the swap")).isEqualTo("BEFORE THE SWAP");
			replace("rotating", read("rotated.crt"), read("rotated.key"));
			await().atMost(TIMEOUT).untilAsserted(() -> assertThat(newHandshake("rotating")).isEqualTo("CN=rotated"));
			assertThat(exchange(open, "after the swap")).isEqualTo("AFTER THE SWAP");
			assertThat(subject(open)).isEqualTo("CN=localhost");
		}
		assertThat(output).contains("Listener 'rotating': SSL bundle 'rotating' reloaded; new handshakes present "
				+ "certificate 'CN=rotated', valid until " + rotatedNotAfter());
	}

	@Test
	void aKeyThatDoesNotMatchItsCertificateKeepsThePreviousPairAndIsCountedAndLogged(CapturedOutput output)
			throws IOException {
		Counter reloadErrors = this.meters.get("gateway.errors")
			.tags("listener", "mismatched", "reason", "tls-reload")
			.counter();
		replace("mismatched", read("rotated.crt"), read("server.key"));
		await().atMost(TIMEOUT).untilAsserted(() -> assertThat(reloadErrors.count()).isEqualTo(1));
		assertThat(output).contains("Listener 'mismatched': the update of SSL bundle 'mismatched' cannot be used, so "
				+ "new handshakes keep the previous certificate: the private key 'ssl' does not match its certificate "
				+ "'CN=rotated'");
		assertStillServedWithTheFirstCertificate("mismatched");
	}

	private void assertStillServedWithTheFirstCertificate(String listener) throws IOException {
		try (SSLSocket client = TlsIntegrationTests.connect(CLIENT, port(listener))) {
			assertThat(subject(client)).isEqualTo("CN=localhost");
			assertThat(exchange(client, "still served")).isEqualTo("STILL SERVED");
		}
	}

	private int port(String listener) {
		return this.registry.listener(listener).port();
	}

	/** The subject of the certificate a new connection's handshake presents. */
	private String newHandshake(String listener) throws IOException {
		try (SSLSocket client = TlsIntegrationTests.connect(CLIENT, port(listener))) {
			return subject(client);
		}
	}

	private static String subject(SSLSocket client) throws IOException {
		return client.getSession().getPeerPrincipal().getName();
	}

	/** Writes each file beside its place and moves it there, so the watcher never sees half a file. */
	private static void replace(String bundle, String certificate, String key) throws IOException {
		Path directory = FILES.resolve(bundle);
		for (String[] file : new String[][] { { "server.crt", certificate }, { "server.key", key } }) {
			Path next = Files.writeString(directory.resolve(file[0] + ".next"), file[1]);
			Files.move(next, directory.resolve(file[0]), StandardCopyOption.REPLACE_EXISTING,
					StandardCopyOption.ATOMIC_MOVE);
		}
	}

	private static Instant rotatedNotAfter() throws IOException {
		try (InputStream in = new ClassPathResource("tls/rotated.crt").getInputStream()) {
			return ((X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in)).getNotAfter()
				.toInstant();
		}
		catch (CertificateException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static String read(String file) {
		try {
			return new ClassPathResource("tls/" + file).getContentAsString(UTF_8);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static Path temporaryDirectory() {
		try {
			return Files.createTempDirectory("certificate-rotation");
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
