package dev.socketgateway.tcp;

import java.security.cert.X509Certificate;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;

import dev.socketgateway.config.ClientAuth;
import dev.socketgateway.config.ListenerSslProperties;

import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslOptions;

/**
 * Makes the server-side {@link SSLEngine} of each connection of one TLS listener: the {@link SSLContext} is
 * built from the listener's SSL bundle once, and again on each update of the bundle ({@link CertificateRotation}),
 * never per connection; every engine gets the bundle's ciphers and protocols and the listener's client-auth.
 * Bad key material (a private key that does not match its certificate included, see {@link ServerCertificate})
 * and cipher or protocol names the JVM does not know fail startup here, naming the configuration key, rather than
 * the first client's handshake; after an update they leave the previous context in use.
 */
final class TlsEngines {

	private final String name;

	private final String bundleName;

	private final ClientAuth clientAuth;

	/** Swapped whole on an update, so an engine never mixes the context of one bundle with another's options. */
	private volatile Material current;

	/**
	 * @param name the listener's name, for the configuration key in failure messages
	 * @param ssl the listener's ssl settings
	 * @param bundle the SSL bundle they name
	 * @throws IllegalStateException naming the bundle key if the bundle's key material, ciphers or protocols
	 * cannot be used
	 */
	TlsEngines(String name, ListenerSslProperties ssl, SslBundle bundle) {
		this.name = name;
		this.bundleName = ssl.getBundle();
		this.clientAuth = ssl.getClientAuth();
		this.current = material(bundle);
	}

	/**
	 * Makes new connections use an updated bundle; connections already open keep the engine they have.
	 * @throws IllegalStateException naming the bundle key if the bundle cannot be used; the previous one stays
	 */
	void use(SslBundle bundle) {
		this.current = material(bundle);
	}

	private Material material(SslBundle bundle) {
		Material material;
		try {
			X509Certificate certificate = ServerCertificate.of(bundle);
			material = new Material(bundle.createSslContext(), bundle.getOptions(), certificate);
		}
		catch (RuntimeException ex) {
			throw new IllegalStateException(key() + " cannot be used: " + ex.getMessage(), ex);
		}
		newEngine(material); // fails on ciphers or protocols the JVM does not know
		return material;
	}

	private String key() {
		return "gateway.listeners." + this.name + ".ssl.bundle '" + this.bundleName + "'";
	}

	/** The certificate new handshakes present. */
	X509Certificate certificate() {
		return this.current.certificate();
	}

	/** A server-mode engine for one TLS connection, with the bundle's ciphers and protocols and client-auth. */
	SSLEngine newEngine() {
		return newEngine(this.current);
	}

	private SSLEngine newEngine(Material material) {
		SSLEngine engine = material.context().createSSLEngine();
		engine.setUseClientMode(false);
		try {
			if (material.options().getCiphers() != null) {
				engine.setEnabledCipherSuites(material.options().getCiphers());
			}
			if (material.options().getEnabledProtocols() != null) {
				engine.setEnabledProtocols(material.options().getEnabledProtocols());
			}
		}
		catch (IllegalArgumentException ex) {
			throw new IllegalStateException(key() + ": " + ex.getMessage(), ex);
		}
		switch (this.clientAuth) {
			case NEED -> engine.setNeedClientAuth(true);
			case WANT -> engine.setWantClientAuth(true);
			case NONE -> engine.setWantClientAuth(false);
		}
		return engine;
	}

	/** One bundle's context, options and certificate. */
	private record Material(SSLContext context, SslOptions options, X509Certificate certificate) {
	}

}
