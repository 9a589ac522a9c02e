package dev.socketgateway.tcp;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.NoSuchAlgorithmException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Collections;
import java.util.List;

import org.springframework.boot.ssl.SslBundle;

/**
 * The certificate a TLS listener presents, read from its SSL bundle's key store: the key entry its key alias
 * names, or else the first key entry. Every key checked must match its certificate, because a mismatched pair
 * (a certificate and a key replaced one at a time, or from different renewals) builds an SSL context whose
 * every handshake fails.
 */
final class ServerCertificate {

	private static final byte[] PROBE = "socket-gateway key check".getBytes(StandardCharsets.US_ASCII);

	private ServerCertificate() {
	}

	/**
	 * @return the certificate of the bundle's server key
	 * @throws IllegalStateException if the key store cannot be read, holds no key with an X.509 certificate, or
	 * holds a key that does not match its certificate
	 */
	static X509Certificate of(SslBundle bundle) {
		KeyStore store = bundle.getStores().getKeyStore();
		if (store == null) {
			throw new IllegalStateException("it has no key store");
		}
		String password = (bundle.getKey().getPassword() != null) ? bundle.getKey().getPassword()
				: bundle.getStores().getKeyStorePassword();
		try {
			List<String> aliases = (bundle.getKey().getAlias() != null) ? List.of(bundle.getKey().getAlias())
					: Collections.list(store.aliases());
			X509Certificate served = null;
			for (String alias : aliases) {
				if (!store.isKeyEntry(alias)) {
					continue;
				}
				Key key = store.getKey(alias, (password != null) ? password.toCharArray() : null);
				Certificate certificate = store.getCertificate(alias);
				if (key instanceof PrivateKey privateKey && certificate instanceof X509Certificate x509) {
					if (!matches(privateKey, x509.getPublicKey())) {
						throw new IllegalStateException("the private key '" + alias + "' does not match its certificate '"
								+ x509.getSubjectX500Principal().getName() + "'");
					}
					served = (served != null) ? served : x509;
				}
			}
			if (served == null) {
				throw new IllegalStateException("its key store holds no private key with an X.509 certificate");
			}
			return served;
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("its key store cannot be read: " + ex.getMessage(), ex);
		}
	}

	/** Whether the public key verifies what the private key signs; a key this JVM cannot sign with passes. */
	private static boolean matches(PrivateKey privateKey, PublicKey publicKey) {
		String algorithm = switch (privateKey.getAlgorithm()) {
			case "RSA" -> "SHA256withRSA";
			case "EC" -> "SHA256withECDSA";
			case "DSA" -> "SHA256withDSA";
			case "EdDSA", "Ed25519", "Ed448" -> privateKey.getAlgorithm();
			default -> null;
		};
		if (algorithm == null) {
			return true;
		}
		Signature signer;
		Signature verifier;
		try {
			signer = Signature.getInstance(algorithm);
			verifier = Signature.getInstance(algorithm);
		}
		catch (NoSuchAlgorithmException ex) {
			return true;
		}
		try {
			signer.initSign(privateKey);
			signer.update(PROBE);
			byte[] signature = signer.sign();
			verifier.initVerify(publicKey);
			verifier.update(PROBE);
			return verifier.verify(signature);
		}
		catch (GeneralSecurityException ex) {
			return false; // a public key of another type
		}
	}

}
