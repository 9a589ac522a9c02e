package dev.socketgateway.security;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Reads an IP address written as text without ever resolving a name: {@link InetAddress#getByName} looks
 * up anything that is not a valid literal, so text from configuration or from the network (a PROXY header)
 * is checked here first.
 */
public final class IpLiteral {

	private IpLiteral() {
	}

	/**
	 * @param text an IPv4 dotted quad such as {@code 192.0.2.1} or an IPv6 literal such as {@code 2001:db8::1}
	 * @return the address, or null if the text is neither
	 */
	public static InetAddress parse(String text) {
		if (text.indexOf(':') >= 0) {
			return ipv6(text);
		}
		byte[] octets = ipv4(text);
		if (octets == null) {
			return null;
		}
		try {
			return InetAddress.getByAddress(octets);
		}
		catch (UnknownHostException ex) {
			throw new IllegalStateException(ex); // four bytes are always an address
		}
	}

	private static byte[] ipv4(String text) {
		byte[] octets = new byte[4];
		int octet = 0;
		int value = 0;
		int digits = 0;
		for (int i = 0; i <= text.length(); i++) {
			char c = (i < text.length()) ? text.charAt(i) : '.';
			if (c >= '0' && c <= '9' && digits < 3) {
				value = value * 10 + (c - '0');
				digits++;
			}
			else if (c == '.' && digits > 0 && value <= 255 && octet < 4) {
				octets[octet++] = (byte) value;
				value = 0;
				digits = 0;
			}
			else {
				return null;
			}
		}
		return (octet == 4) ? octets : null;
	}

	/** Text with a colon is parsed as an IPv6 literal, never looked up. */
	private static InetAddress ipv6(String text) {
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			if (Character.digit(c, 16) < 0 && c != ':' && c != '.') {
				return null;
			}
		}
		try {
			return InetAddress.getByName(text);
		}
		catch (UnknownHostException ex) {
			return null;
		}
	}

}
