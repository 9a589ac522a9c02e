package dev.socketgateway.security;

import java.net.InetAddress;
import java.net.UnknownHostException;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ClientKeyTests {

	@Test
	void anIpv4ClientIsItsWholeAddress() {
		assertThat(key("192.0.2.1")).isEqualTo(key("192.0.2.1")).isNotEqualTo(key("192.0.2.2"));
		assertThat(key("192.0.2.1")).hasToString("192.0.2.1");
		assertThat(key("255.255.255.255")).hasToString("255.255.255.255");
	}

	@Test
	void ipv6AddressesInOneSlash64AreOneClient() {
		assertThat(key("2001:db8:1:2::1")).isEqualTo(key("2001:db8:1:2:ffff:ffff:ffff:fffe"))
			.isEqualTo(key("2001:db8:1:2:a:b:c:d"));
		assertThat(key("2001:db8:1:2::1")).hasToString("2001:db8:1:2::/64");
	}

	@Test
	void ipv6AddressesInNeighbouringSlash64sAreDifferentClients() {
		assertThat(key("2001:db8:1:2::1")).isNotEqualTo(key("2001:db8:1:3::1"));
		assertThat(key("2001:db8:1:2::1")).isNotEqualTo(key("2001:db9:1:2::1"));
		assertThat(key("ffff:ffff:ffff:ffff::1")).hasToString("ffff:ffff:ffff:ffff::/64");
	}

	@Test
	void anIpv4AddressWrittenAsIpv6IsThatIpv4Client() throws UnknownHostException {
		byte[] mapped = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, (byte) 192, 0, 2, 1 };
		assertThat(ClientKey.of(InetAddress.getByAddress(mapped))).isEqualTo(key("192.0.2.1"));
	}

	@Test
	void ipv4AndIpv6NeverShareAKey() {
		assertThat(key("0.0.0.1")).isNotEqualTo(key("::1"));
		assertThat(key("::1")).isNotEqualTo(key("::2:0:0:0:1")).hasToString("0:0:0:0::/64");
	}

	private static ClientKey key(String address) {
		return ClientKey.of(IpLiteral.parse(address));
	}

}
