package dev.socketgateway.security;

import java.net.InetAddress;

/**
 * A client as per-client limits count it: an IPv4 address, or the /64 network of an IPv6 address, since one IPv6
 * host is usually given a whole /64 and could otherwise escape its limits by changing the low bits of its address
 * with every connection. An IPv4 address written as IPv6 ({@code ::ffff:192.0.2.1}) is that IPv4 address.
 *
 * @param ipv6 whether {@code bits} holds an IPv6 /64 prefix rather than an IPv4 address
 * @param bits the IPv4 address, or the first 64 bits of the IPv6 address
 */
public record ClientKey(boolean ipv6, long bits) {

	public static ClientKey of(InetAddress address) {
		byte[] bytes = AllowList.unmapped(address.getAddress());
		if (bytes.length == 4) {
			return new ClientKey(false, Integer.toUnsignedLong(toInt(bytes, 0)));
		}
		return new ClientKey(true, ((long) toInt(bytes, 0) << 32) | Integer.toUnsignedLong(toInt(bytes, 4)));
	}

	private static int toInt(byte[] bytes, int from) {
		return ((bytes[from] & 0xff) << 24) | ((bytes[from + 1] & 0xff) << 16) | ((bytes[from + 2] & 0xff) << 8)
				| (bytes[from + 3] & 0xff);
	}

	/** As log lines show the client: {@code 192.0.2.1}, or {@code 2001:db8:1:2::/64}. */
	@Override
	public String toString() {
		StringBuilder text = new StringBuilder();
		if (!this.ipv6) {
			for (int shift = 24; shift >= 0; shift -= 8) {
				text.append((this.bits >>> shift) & 0xff).append((shift > 0) ? "." : "");
			}
			return text.toString();
		}
		for (int shift = 48; shift >= 0; shift -= 16) {
			text.append(Long.toHexString((this.bits >>> shift) & 0xffff)).append(':');
		}
		return text.append(":/64").toString();
	}

}
