package dev.socketgateway.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.socketgateway.security.AllowList;

import org.springframework.validation.Errors;
import org.springframework.validation.Validator;

/**
 * Checks of {@code gateway.*} that span fields or listeners, which jakarta constraints on one field cannot express:
 * two enabled listeners of one protocol cannot share a fixed port on overlapping addresses, a bind address must
 * resolve, CIDR blocks must parse, TLS, the PROXY protocol, the session log and max-connections-per-client are
 * for TCP listeners only, receive-threads and receive-buffer-bytes for UDP listeners only, and
 * client-message-burst needs client-message-rate. Boot runs it beside those constraints, reporting both in one
 * startup failure (see {@link GatewayPropertiesConfiguration}).
 */
final class GatewayPropertiesValidator implements Validator {

	/** Only the gateway's own properties: Boot offers every bound object, of every prefix, to this validator. */
	@Override
	public boolean supports(Class<?> type) {
		return GatewayProperties.class.isAssignableFrom(type);
	}

	@Override
	public void validate(Object target, Errors errors) {
		Map<String, ListenerProperties> seen = new LinkedHashMap<>();
		((GatewayProperties) target).enabledListeners().forEach((name, listener) -> {
			String key = "listeners[" + name + "]";
			if (listener.getProtocol() == null || listener.getPort() == null) {
				return; // reported by the field constraints
			}
			validateCidrs(name, "allowed-cidrs", listener.getAllowedCidrs(), errors);
			validateSsl(name, listener, errors);
			validateProxy(name, listener, errors);
			if (listener.isSessionLog() && listener.getProtocol() == Protocol.UDP) {
				errors.rejectValue(key + ".session-log", "gateway.session-log.udp", "gateway.listeners." + name
						+ ".session-log: the session log is of TCP connections; remove it from this udp listener");
			}
			validateClientLimits(name, listener, errors);
			validateUdpSockets(name, listener, errors);
			if (listener.getIdleTimeout() != null && listener.getIdleTimeout().isNegative()) {
				errors.rejectValue(key + ".idle-timeout", "gateway.idle-timeout",
						"gateway.listeners." + name + ".idle-timeout must not be negative (0 switches it off)");
			}
			if (listener.getDrainWindow() != null && listener.getDrainWindow().isNegative()) {
				errors.rejectValue(key + ".drain-window", "gateway.drain-window",
						"gateway.listeners." + name + ".drain-window must not be negative (0 closes every connection at once)");
			}
			InetAddress address = null;
			if (listener.getBindAddress() != null) {
				try {
					address = InetAddress.getByName(listener.getBindAddress());
				}
				catch (UnknownHostException ex) {
					errors.rejectValue(key + ".bind-address", "gateway.bind-address",
							"gateway.listeners." + name + ".bind-address '" + listener.getBindAddress()
									+ "' is not an address of this host");
					return;
				}
			}
			for (Map.Entry<String, ListenerProperties> other : seen.entrySet()) {
				if (clash(listener, address, other.getValue())) {
					errors.rejectValue(key + ".port", "gateway.port.duplicate",
							"gateway.listeners." + name + ".port " + listener.getPort() + " is already used by "
									+ "gateway.listeners." + other.getKey() + " (both " + listener.getProtocol() + ")");
				}
			}
			seen.put(name, listener);
		});
	}

	private static void validateCidrs(String name, String property, List<String> cidrs, Errors errors) {
		try {
			AllowList.of(cidrs);
		}
		catch (IllegalArgumentException ex) {
			errors.rejectValue("listeners[" + name + "]." + property, "gateway." + property,
					"gateway.listeners." + name + "." + property + ": " + ex.getMessage());
		}
	}

	private static void validateProxy(String name, ListenerProperties listener, Errors errors) {
		String key = "listeners[" + name + "]";
		validateCidrs(name, "proxy-trusted-cidrs", listener.getProxyTrustedCidrs(), errors);
		if (listener.getProxyProtocol() == null || listener.getProxyProtocol() == ProxyProtocol.OFF) {
			return;
		}
		if (listener.getProtocol() == Protocol.UDP) {
			errors.rejectValue(key + ".proxy-protocol", "gateway.proxy-protocol.udp", "gateway.listeners." + name
					+ ".proxy-protocol: PROXY protocol is for TCP listeners only; remove it from this udp listener");
		}
		Duration timeout = listener.getProxyHeaderTimeout();
		if (timeout != null && (timeout.isZero() || timeout.isNegative())) {
			errors.rejectValue(key + ".proxy-header-timeout", "gateway.proxy-header-timeout",
					"gateway.listeners." + name + ".proxy-header-timeout must be positive");
		}
	}

	private static void validateClientLimits(String name, ListenerProperties listener, Errors errors) {
		String key = "listeners[" + name + "]";
		if (listener.getProtocol() == Protocol.UDP && listener.getMaxConnectionsPerClient() > 0) {
			errors.rejectValue(key + ".max-connections-per-client", "gateway.max-connections-per-client.udp",
					"gateway.listeners." + name + ".max-connections-per-client: UDP has no connections; use "
							+ "client-message-rate to limit a client of this udp listener");
		}
		if (listener.getClientMessageBurst() != null && listener.getClientMessageRate() == 0) {
			errors.rejectValue(key + ".client-message-burst", "gateway.client-message-burst",
					"gateway.listeners." + name + ".client-message-burst is the bucket of client-message-rate, "
							+ "which is 0 (no limit); set the rate too");
		}
	}

	private static void validateUdpSockets(String name, ListenerProperties listener, Errors errors) {
		if (listener.getProtocol() != Protocol.TCP) {
			return;
		}
		String key = "listeners[" + name + "]";
		if (listener.getReceiveThreads() != 0) {
			errors.rejectValue(key + ".receive-threads", "gateway.receive-threads.tcp", "gateway.listeners." + name
					+ ".receive-threads: receive threads are for UDP listeners; a tcp listener has event-loops");
		}
		if (listener.getReceiveBufferBytes() != ListenerProperties.DEFAULT_RECEIVE_BUFFER_BYTES) {
			errors.rejectValue(key + ".receive-buffer-bytes", "gateway.receive-buffer-bytes.tcp", "gateway.listeners."
					+ name + ".receive-buffer-bytes: the receive buffer is of UDP sockets; remove it from this tcp listener");
		}
	}

	private static void validateSsl(String name, ListenerProperties listener, Errors errors) {
		ListenerSslProperties ssl = listener.getSsl();
		if (ssl == null) {
			return;
		}
		String key = "listeners[" + name + "].ssl";
		if (listener.getProtocol() == Protocol.UDP) {
			errors.rejectValue(key, "gateway.ssl.udp", "gateway.listeners." + name
					+ ".ssl: TLS is for TCP listeners only; remove it from this udp listener");
		}
		else if (ssl.getBundle() == null) {
			errors.rejectValue(key + ".bundle", "gateway.ssl.bundle",
					"gateway.listeners." + name + ".ssl.bundle must name an SSL bundle (spring.ssl.bundle.pem.<name> "
							+ "or spring.ssl.bundle.jks.<name>)");
		}
		Duration handshakeTimeout = ssl.getHandshakeTimeout();
		if (handshakeTimeout != null && (handshakeTimeout.isZero() || handshakeTimeout.isNegative())) {
			errors.rejectValue(key + ".handshake-timeout", "gateway.ssl.handshake-timeout",
					"gateway.listeners." + name + ".ssl.handshake-timeout must be positive");
		}
	}

	private static boolean clash(ListenerProperties listener, InetAddress address,
			ListenerProperties other) {
		if (listener.getPort() == 0 || listener.getProtocol() != other.getProtocol()
				|| !listener.getPort().equals(other.getPort())) {
			return false;
		}
		if (address == null || other.getBindAddress() == null) {
			return true; // the wildcard overlaps every address
		}
		try {
			return address.equals(InetAddress.getByName(other.getBindAddress()));
		}
		catch (UnknownHostException ex) {
			return false;
		}
	}

}
