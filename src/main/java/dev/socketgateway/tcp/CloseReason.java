package dev.socketgateway.tcp;

/**
 * Why a TCP connection ended, as the session log ({@link SessionLog}) names it. It is recorded where the close is
 * decided, once per connection ({@link ConnectionStats#closing}): the first reason recorded wins, except that a
 * clean close that then loses its last replies becomes {@link #WRITE_FAILED}. Where a reason is also a metric
 * reason ({@code gateway.errors} or {@code gateway.connections.rejected}), it is spelt the same.
 */
enum CloseReason {

	/** The client closed its side (end of input, or TLS close_notify); its replies were written first. */
	CLIENT_CLOSED("client-closed", true),

	/** The client sent the quit-command; it was answered first. */
	QUIT("quit", true),

	/** No traffic for idle-timeout. */
	IDLE_TIMEOUT("idle-timeout", false),

	/** A frame over max-frame-bytes. */
	FRAME_TOO_LARGE("frame-too-large", false),

	/** Input the framing or TLS could not accept after the handshake, or that the flow failed on. */
	MALFORMED("malformed", false),

	/**
	 * A reply could not be written: the socket failed, the client let max-pending-write-bytes pile up, or it did
	 * not read its last replies before the close deadline.
	 */
	WRITE_FAILED("write-failed", false),

	/** The client reset the connection. */
	RESET("reset", false),

	/** The TLS handshake failed. */
	TLS_HANDSHAKE("tls-handshake", false),

	/** A bad, missing, late or untrusted PROXY header. */
	PROXY_HEADER("proxy-header", false),

	/** The client is not in allowed-cidrs: refused, or closed once its PROXY header named it. */
	NOT_ALLOWED("not-allowed", false),

	/** Refused because max-connections were open. */
	MAX_CONNECTIONS("max-connections", false),

	/** Refused or closed by max-connections-per-client. */
	PER_CLIENT_LIMIT("per-client-limit", false),

	/** Closed by {@code DELETE /actuator/connections/<listener>/<id>}. */
	CLOSED_BY_OPERATOR("closed-by-operator", false),

	/** Closed by draining the listener, after the replies to what it had sent. */
	DRAINED("drained", true),

	/** Still open when the listener stopped. */
	SHUTDOWN("shutdown", false);

	private final String label;

	private final boolean orderly;

	CloseReason(String label, boolean orderly) {
		this.label = label;
		this.orderly = orderly;
	}

	/**
	 * Whether this is a close after the replies that is no fault of either side, so that losing those replies
	 * makes it {@link #WRITE_FAILED}; a fault recorded first stays the reason.
	 */
	boolean isOrderly() {
		return this.orderly;
	}

	/** The kebab-case name the session log and the metrics use. */
	@Override
	public String toString() {
		return this.label;
	}

}
