package dev.socketgateway.security;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The client addresses a listener serves, as CIDR blocks for IPv4 and IPv6. An empty list allows every
 * address. Built once per listener; {@link #allows} is a few comparisons per block and allocates nothing.
 */
public final class AllowList {

	private static final AllowList EVERYONE = new AllowList(List.of());

	private final List<Block> blocks;

	private AllowList(List<Block> blocks) {
		this.blocks = blocks;
	}

	/**
	 * @param cidrs blocks such as {@code 10.0.0.0/8}, {@code 2001:db8::/32}, or single addresses
	 * @throws IllegalArgumentException naming the first entry that is not a CIDR block
	 */
	public static AllowList of(List<String> cidrs) {
		if (cidrs == null || cidrs.isEmpty()) {
			return EVERYONE;
		}
		List<Block> blocks = new ArrayList<>(cidrs.size());
		for (String cidr : cidrs) {
			blocks.add(Block.parse(cidr));
		}
		return new AllowList(List.copyOf(blocks));
	}

	public boolean allowsEveryone() {
		return this.blocks.isEmpty();
	}

	public boolean allows(InetAddress address) {
		if (this.blocks.isEmpty()) {
			return true;
		}
		byte[] bytes = unmapped(address.getAddress());
		for (Block block : this.blocks) {
			if (block.contains(bytes)) {
				return true;
			}
		}
		return false;
	}

	/** An IPv4 client of a dual-stack socket can appear as ::ffff:a.b.c.d; it matches IPv4 blocks. */
	static byte[] unmapped(byte[] address) {
		if (address.length != 16) {
			return address;
		}
		for (int i = 0; i < 10; i++) {
			if (address[i] != 0) {
				return address;
			}
		}
		if (address[10] != (byte) 0xff || address[11] != (byte) 0xff) {
			return address;
		}
		return new byte[] { address[12], address[13], address[14], address[15] };
	}

	private record Block(byte[] network, int prefix) {

		static Block parse(String cidr) {
			String text = cidr.strip();
			int slash = text.indexOf('/');
			InetAddress address = IpLiteral.parse((slash < 0) ? text : text.substring(0, slash));
			if (address == null) {
				throw new IllegalArgumentException("'" + cidr + "' is not a CIDR block such as 10.0.0.0/8 or ::1/128");
			}
			byte[] network = unmapped(address.getAddress());
			int bits = network.length * 8;
			int prefix = bits;
			if (slash >= 0) {
				try {
					prefix = Integer.parseInt(text.substring(slash + 1));
				}
				catch (NumberFormatException ex) {
					prefix = -1;
				}
				if (prefix < 0 || prefix > bits) {
					throw new IllegalArgumentException("'" + cidr + "' has a prefix length outside 0.." + bits);
				}
			}
			return new Block(network, prefix);
		}

		boolean contains(byte[] address) {
			if (address.length != this.network.length) {
				return false;
			}
			int full = this.prefix / 8;
			for (int i = 0; i < full; i++) {
				if (address[i] != this.network[i]) {
					return false;
				}
			}
			int rest = this.prefix % 8;
			if (rest == 0) {
				return true;
			}
			int mask = (0xff << (8 - rest)) & 0xff;
			return (address[full] & mask) == (this.network[full] & mask);
		}

	}

}
