package dev.socketgateway.config;

import java.time.Duration;

import jakarta.validation.constraints.NotNull;

/**
 * TLS settings of a TCP listener: the keys under {@code gateway.listeners.<name>.ssl}, a group of their own, which
 * {@code TlsEngines} takes whole. A file of its own, as Spring Boot keeps {@code server.ssl} in its {@code Ssl} class.
 */
public class ListenerSslProperties {

	/**
	 * Name of the Spring Boot SSL bundle (spring.ssl.bundle.pem.<name> or spring.ssl.bundle.jks.<name>)
	 * holding the server key and certificate, and the certificates trusted for client authentication.
	 * Its ciphers and enabled-protocols options apply when set.
	 */
	private String bundle;

	/**
	 * Whether clients authenticate with a certificate: none, want (asked for, optional) or need.
	 */
	@NotNull
	private ClientAuth clientAuth = ClientAuth.NONE;

	/**
	 * How long a new connection has to complete its TLS handshake, counted from its accept; one that has
	 * not (a client that says nothing, or stops halfway) is closed. Must be positive.
	 */
	@NotNull
	private Duration handshakeTimeout = Duration.ofSeconds(10);

	public String getBundle() {
		return this.bundle;
	}

	public void setBundle(String bundle) {
		this.bundle = (bundle == null || bundle.isBlank()) ? null : bundle.trim();
	}

	public ClientAuth getClientAuth() {
		return this.clientAuth;
	}

	public void setClientAuth(ClientAuth clientAuth) {
		this.clientAuth = clientAuth;
	}

	public Duration getHandshakeTimeout() {
		return this.handshakeTimeout;
	}

	public void setHandshakeTimeout(Duration handshakeTimeout) {
		this.handshakeTimeout = handshakeTimeout;
	}

}
