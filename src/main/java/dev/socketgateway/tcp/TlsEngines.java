package dev.socketgateway.tcp;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;

import dev.socketgateway.config.ClientAuth;
import dev.socketgateway.config.ListenerProperties;

import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslOptions;

/**
 * Makes the server-side {@link SSLEngine} of each connection of one TLS listener: the {@link SSLContext} is
 * built once from the listener's SSL bundle, and every engine gets the bundle's ciphers and protocols and
 * the listener's client-auth. Bad key material and cipher or protocol names the JVM does not know fail
 * startup here, naming the configuration key, rather than the first client's handshake.
 */
final class TlsEngines {

	private final String name;

	private final String bundleName;

	private final SSLContext sslContext;

	private final SslOptions options;

	private final ClientAuth clientAuth;

	/**
	 * @param name the listener's name, for the configuration key in failure messages
	 * @param ssl the listener's ssl settings
	 * @param bundle the SSL bundle they name
	 * @throws IllegalStateException naming the bundle key if the bundle's key material, ciphers or protocols
	 * cannot be used
	 */
	TlsEngines(String name, ListenerProperties.Ssl ssl, SslBundle bundle) {
		this.name = name;
		this.bundleName = ssl.getBundle();
		this.sslContext = sslContext(bundle);
		this.options = bundle.getOptions();
		this.clientAuth = ssl.getClientAuth();
		newEngine(); // fails startup on ciphers or protocols the JVM does not know
	}

	private SSLContext sslContext(SslBundle bundle) {
		try {
			return bundle.createSslContext();
		}
		catch (RuntimeException ex) {
			throw new IllegalStateException(key() + " cannot be used: " + ex.getMessage(), ex);
		}
	}

	private String key() {
		return "gateway.listeners." + this.name + ".ssl.bundle '" + this.bundleName + "'";
	}

	/** A server-mode engine for one TLS connection, with the bundle's ciphers and protocols and client-auth. */
	SSLEngine newEngine() {
		SSLEngine engine = this.sslContext.createSSLEngine();
		engine.setUseClientMode(false);
		try {
			if (this.options.getCiphers() != null) {
				engine.setEnabledCipherSuites(this.options.getCiphers());
			}
			if (this.options.getEnabledProtocols() != null) {
				engine.setEnabledProtocols(this.options.getEnabledProtocols());
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

}
