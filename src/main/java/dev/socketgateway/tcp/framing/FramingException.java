package dev.socketgateway.tcp.framing;

/**
 * A client sent something its listener's framing cannot accept. The connection is closed; other
 * connections are not affected.
 */
public class FramingException extends RuntimeException {

	/** Metric and log reason: frame-too-large, malformed or proxy-header. */
	private final String reason;

	FramingException(String reason, String message) {
		super(message, null, false, false);
		this.reason = reason;
	}

	public static FramingException tooLarge(int limit) {
		return new FramingException("frame-too-large", "frame exceeds " + limit + " bytes");
	}

	public static FramingException malformed(String what) {
		return new FramingException("malformed", what);
	}

	public static FramingException proxyHeader(String what) {
		return new FramingException("proxy-header", what);
	}

	public String reason() {
		return this.reason;
	}

	public boolean isTooLarge() {
		return "frame-too-large".equals(this.reason);
	}

}
