package dev.socketgateway.tcp;

import java.security.cert.X509Certificate;
import java.util.concurrent.atomic.AtomicReference;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;

/**
 * Certificate rotation without a restart for one TLS listener. Spring Boot reloads an SSL bundle whose files
 * change ({@code reload-on-update}) and calls the handler registered here, on its file watcher thread; the
 * listener's {@link TlsEngines} then build one new context from it, so that new handshakes present the new
 * certificate while open connections keep the engines they have. The swap is logged at INFO with the new
 * certificate's subject and expiry. A bundle that cannot be used leaves the listener on its previous one,
 * logged at WARN and counted as {@code gateway.errors{reason=tls-reload}}.
 *
 * <p>{@link SslBundles} has no way to remove an update handler, so the handler reaches the listener only
 * through a reference that {@link #stop()} clears: a stopped listener does no work on a reload, and the bundle
 * registry does not keep it reachable.
 */
final class CertificateRotation {

	private static final Logger logger = LoggerFactory.getLogger(CertificateRotation.class);

	private final AtomicReference<TcpListenerContext> listener;

	private CertificateRotation(TcpListenerContext listener) {
		this.listener = new AtomicReference<>(listener);
	}

	/**
	 * Registers a TLS listener for the updates of its bundle.
	 * @param bundles Boot's bundles, where the listener's bundle was found
	 * @param listener a TLS listener
	 * @return the registration, to stop with the listener
	 */
	static CertificateRotation register(SslBundles bundles, TcpListenerContext listener) {
		CertificateRotation rotation = new CertificateRotation(listener);
		bundles.addBundleUpdateHandler(listener.settings().getSsl().getBundle(), rotation::updated);
		return rotation;
	}

	/** The listener stopped: later updates of the bundle are ignored. */
	void stop() {
		this.listener.set(null);
	}

	private void updated(SslBundle bundle) {
		TcpListenerContext context = this.listener.get();
		if (context == null) {
			return;
		}
		String bundleName = context.settings().getSsl().getBundle();
		try {
			context.tls().use(bundle);
		}
		catch (RuntimeException ex) {
			context.metrics().error("tls-reload");
			Throwable cause = (ex.getCause() != null) ? ex.getCause() : ex;
			logger.warn("Listener '{}': the update of SSL bundle '{}' cannot be used, so new handshakes keep the "
					+ "previous certificate: {}", context.name(), bundleName, cause.getMessage());
			return;
		}
		X509Certificate certificate = context.tls().certificate();
		logger.info("Listener '{}': SSL bundle '{}' reloaded; new handshakes present certificate '{}', valid until {}",
				context.name(), bundleName, certificate.getSubjectX500Principal().getName(),
				certificate.getNotAfter().toInstant());
	}

}
