package dev.socketgateway.tcp;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import dev.socketgateway.security.IpLiteral;
import dev.socketgateway.tcp.framing.FramingException;

/**
 * Reads the PROXY protocol header, version 1 (text) or 2 (binary), that a load balancer sends ahead of
 * the client's bytes (https://www.haproxy.org/download/2.6/doc/proxy-protocol.txt). One reader serves
 * one connection until its header is read, then is dropped.
 *
 * <p>A header split over several reads is collected here; a header that arrives whole in one read (the
 * usual case: the balancer writes it in one go) is parsed where it lies, without a copy. Nothing after
 * the header is consumed: {@link #rest()} hands it on to TLS or the framing.
 */
final class ProxyHeaderReader {

	/** The longest v1 line the specification allows, CRLF included. */
	static final int MAX_V1_BYTES = 107;

	/** The largest v2 header accepted, TLVs included; real balancers send a few hundred bytes at most. */
	static final int MAX_V2_BYTES = 4096;

	private static final byte[] V1_SIGNATURE = "PROXY ".getBytes(StandardCharsets.US_ASCII);

	private static final byte[] V2_SIGNATURE = { 0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54,
			0x0A };

	/** What a call to {@link #offer} found. */
	enum Outcome {

		/** Part of a header (or of its signature) so far; more bytes are needed. */
		MORE,

		/** The bytes do not start with a header. */
		NONE,

		/** A whole header was read. */
		HEADER

	}

	private final boolean trusted;

	/** Bytes of an incomplete header from earlier reads; null until a header is split. */
	private byte[] collected;

	private int collectedLength;

	private InetSocketAddress source;

	private ByteBuffer rest;

	/** @param trusted whether the peer may send a header at all (proxy-trusted-cidrs) */
	ProxyHeaderReader(boolean trusted) {
		this.trusted = trusted;
	}

	/**
	 * @param bytes what the connection read next; consumed when the outcome is MORE
	 * @return the outcome; after NONE or HEADER, {@link #rest()} holds the bytes for TLS or the framing
	 * @throws FramingException (reason proxy-header) for a malformed or overlong header, or a header from
	 * a peer that is not trusted to send one
	 */
	Outcome offer(ByteBuffer bytes) {
		ByteBuffer input = bytes;
		if (this.collected != null) {
			collect(bytes);
			input = ByteBuffer.wrap(this.collected, 0, this.collectedLength);
		}
		int start = input.position();
		Outcome outcome = parse(input);
		if (outcome == Outcome.MORE) {
			if (this.collected == null) {
				input.position(start);
				collect(input);
			}
			return outcome;
		}
		if (outcome == Outcome.NONE) {
			input.position(start);
		}
		this.rest = input;
		this.collected = null;
		return outcome;
	}

	private void collect(ByteBuffer bytes) {
		if (this.collected == null) {
			this.collected = new byte[Math.max(64, bytes.remaining())];
		}
		int needed = this.collectedLength + bytes.remaining();
		if (needed > this.collected.length) {
			// A pending header is at most MAX_V2_BYTES long; parse() rejects anything longer first.
			this.collected = Arrays.copyOf(this.collected, Math.max(needed, 2 * this.collected.length));
		}
		int length = bytes.remaining();
		bytes.get(this.collected, this.collectedLength, length);
		this.collectedLength += length;
	}

	/** The client's address from the header; null when the header says to use the connection's own (LOCAL, UNKNOWN). */
	InetSocketAddress source() {
		return this.source;
	}

	/** After NONE or HEADER: the bytes that follow the header (all of them after NONE). */
	ByteBuffer rest() {
		return this.rest;
	}

	/** Whether any bytes have been seen; a connection that closes before sending any is no error. */
	boolean started() {
		return this.collectedLength > 0;
	}

	private Outcome parse(ByteBuffer input) {
		int available = input.remaining();
		if (available == 0) {
			return Outcome.MORE;
		}
		byte first = input.get(input.position());
		byte[] signature = (first == V1_SIGNATURE[0]) ? V1_SIGNATURE : (first == V2_SIGNATURE[0]) ? V2_SIGNATURE : null;
		if (signature == null || !startsWith(input, signature)) {
			return Outcome.NONE;
		}
		if (available < signature.length) {
			return Outcome.MORE;
		}
		if (!this.trusted) {
			throw FramingException.proxyHeader("PROXY header from a peer not in proxy-trusted-cidrs");
		}
		return (signature == V1_SIGNATURE) ? parseV1(input) : parseV2(input);
	}

	/** Whether the input matches the signature as far as both go. */
	private static boolean startsWith(ByteBuffer input, byte[] signature) {
		int length = Math.min(input.remaining(), signature.length);
		for (int i = 0; i < length; i++) {
			if (input.get(input.position() + i) != signature[i]) {
				return false;
			}
		}
		return true;
	}

	/** {@code PROXY TCP4|TCP6 <src> <dst> <srcport> <dstport>\r\n} or {@code PROXY UNKNOWN ...\r\n}. */
	private Outcome parseV1(ByteBuffer input) {
		int start = input.position();
		int limit = Math.min(input.remaining(), MAX_V1_BYTES);
		int end = -1;
		for (int i = 1; i < limit; i++) {
			if (input.get(start + i) == '\n') {
				end = i;
				break;
			}
		}
		if (end < 0) {
			if (input.remaining() >= MAX_V1_BYTES) {
				throw FramingException.proxyHeader("PROXY v1 header has no CRLF within " + MAX_V1_BYTES + " bytes");
			}
			return Outcome.MORE;
		}
		if (input.get(start + end - 1) != '\r') {
			throw FramingException.proxyHeader("PROXY v1 header does not end with CRLF");
		}
		byte[] line = new byte[end - 1];
		input.get(line);
		input.position(start + end + 1);
		String[] fields = new String(line, StandardCharsets.US_ASCII).split(" ", -1);
		if (fields.length >= 2 && "UNKNOWN".equals(fields[1])) {
			return Outcome.HEADER; // the balancer could not tell; the connection's own address stands
		}
		if (fields.length != 6 || !("TCP4".equals(fields[1]) || "TCP6".equals(fields[1]))) {
			throw FramingException.proxyHeader("PROXY v1 header is not 'PROXY TCP4|TCP6 src dst srcport dstport'");
		}
		InetAddress address = IpLiteral.parse(fields[2]);
		boolean v6 = "TCP6".equals(fields[1]);
		if (address == null || IpLiteral.parse(fields[3]) == null || (fields[2].indexOf(':') >= 0) != v6) {
			throw FramingException.proxyHeader("PROXY v1 header has an address that is not " + (v6 ? "IPv6" : "IPv4"));
		}
		int port = port(fields[4]);
		if (port < 0 || port(fields[5]) < 0) {
			throw FramingException.proxyHeader("PROXY v1 header has a port outside 0..65535");
		}
		this.source = new InetSocketAddress(address, port);
		return Outcome.HEADER;
	}

	private static int port(String text) {
		if (text.isEmpty() || text.length() > 5 || (text.length() > 1 && text.charAt(0) == '0')) {
			return -1;
		}
		int value = 0;
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			if (c < '0' || c > '9') {
				return -1;
			}
			value = value * 10 + (c - '0');
		}
		return (value <= 65535) ? value : -1;
	}

	/** 12-byte signature, version and command, family and transport, 2-byte length, addresses, TLVs. */
	private Outcome parseV2(ByteBuffer input) {
		if (input.remaining() < 16) {
			return Outcome.MORE;
		}
		int start = input.position();
		int versionCommand = input.get(start + 12) & 0xff;
		int family = input.get(start + 13) & 0xff;
		int length = 16 + (input.getShort(start + 14) & 0xffff);
		if ((versionCommand >> 4) != 2 || (versionCommand & 0x0f) > 1) {
			throw FramingException.proxyHeader(
					"PROXY v2 header has version/command 0x" + Integer.toHexString(versionCommand) + ", not 0x20 or 0x21");
		}
		if (length > MAX_V2_BYTES) {
			throw FramingException.proxyHeader("PROXY v2 header of " + length + " bytes is longer than " + MAX_V2_BYTES);
		}
		if (input.remaining() < length) {
			return Outcome.MORE;
		}
		boolean local = (versionCommand & 0x0f) == 0;
		// TCP over IPv4 or IPv6; LOCAL (the balancer's own health check), UNSPEC, UDP and unix sockets
		// carry no client address to use, so the connection's own stands.
		if (!local && (family == 0x11 || family == 0x21)) {
			int addressBytes = (family == 0x11) ? 4 : 16;
			if (length < 16 + 2 * addressBytes + 4) {
				throw FramingException.proxyHeader("PROXY v2 header is too short for its addresses");
			}
			byte[] address = new byte[addressBytes];
			input.get(start + 16, address);
			int port = input.getShort(start + 16 + 2 * addressBytes) & 0xffff;
			this.source = new InetSocketAddress(address(address), port);
		}
		input.position(start + length);
		return Outcome.HEADER;
	}

	private static InetAddress address(byte[] bytes) {
		try {
			return InetAddress.getByAddress(bytes);
		}
		catch (UnknownHostException ex) {
			throw new IllegalStateException(ex); // 4 or 16 bytes are always an address
		}
	}

}
