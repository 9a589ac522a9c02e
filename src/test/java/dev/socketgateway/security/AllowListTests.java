package dev.socketgateway.security;

import java.net.InetAddress;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class AllowListTests {

	@Test
	void anEmptyListAllowsEveryAddress() throws Exception {
		assertThat(AllowList.of(List.of()).allows(InetAddress.getByName("203.0.113.7"))).isTrue();
		assertThat(AllowList.of(null).allowsEveryone()).isTrue();
	}

	@Test
	void ipv4BlocksMatchOnTheirPrefixBits() throws Exception {
		AllowList list = AllowList.of(List.of("10.0.0.0/8", "192.168.1.128/25"));
		assertThat(list.allows(InetAddress.getByName("10.255.1.2"))).isTrue();
		assertThat(list.allows(InetAddress.getByName("11.0.0.1"))).isFalse();
		assertThat(list.allows(InetAddress.getByName("192.168.1.200"))).isTrue();
		assertThat(list.allows(InetAddress.getByName("192.168.1.127"))).isFalse();
	}

	@Test
	void ipv6BlocksMatchAndDoNotMatchIpv4() throws Exception {
		AllowList list = AllowList.of(List.of("2001:db8::/32", "::1"));
		assertThat(list.allows(InetAddress.getByName("2001:db8:ffff::1"))).isTrue();
		assertThat(list.allows(InetAddress.getByName("2001:db9::1"))).isFalse();
		assertThat(list.allows(InetAddress.getByName("::1"))).isTrue();
		assertThat(list.allows(InetAddress.getByName("127.0.0.1"))).isFalse();
	}

	@Test
	void aSingleAddressIsAFullLengthBlockAndZeroPrefixAllowsTheWholeFamily() throws Exception {
		assertThat(AllowList.of(List.of("127.0.0.1")).allows(InetAddress.getByName("127.0.0.2"))).isFalse();
		assertThat(AllowList.of(List.of("0.0.0.0/0")).allows(InetAddress.getByName("198.51.100.1"))).isTrue();
		assertThat(AllowList.of(List.of("0.0.0.0/0")).allows(InetAddress.getByName("::1"))).isFalse();
	}

	@Test
	void anIpv4MappedIpv6ClientMatchesIpv4Blocks() throws Exception {
		InetAddress mapped = InetAddress.getByAddress(
				new byte[] { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 10, 1, 2, 3 });
		assertThat(AllowList.of(List.of("10.0.0.0/8")).allows(mapped)).isTrue();
	}

	@Test
	void entriesThatAreNotCidrBlocksAreRejectedByName() {
		assertThatIllegalArgumentException().isThrownBy(() -> AllowList.of(List.of("10.0.0.0/33")))
			.withMessageContaining("10.0.0.0/33");
		assertThatIllegalArgumentException().isThrownBy(() -> AllowList.of(List.of("example.com/8")))
			.withMessageContaining("example.com/8");
		assertThatIllegalArgumentException().isThrownBy(() -> AllowList.of(List.of("10.0.0.0/x")))
			.withMessageContaining("10.0.0.0/x");
		assertThatIllegalArgumentException().isThrownBy(() -> AllowList.of(List.of("")));
	}

}
