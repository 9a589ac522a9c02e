package dev.socketgateway.udp;

import java.io.BufferedReader;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The kernel's tables of UDP sockets on Linux, {@code /proc/net/udp} and {@code /proc/net/udp6}: which rows are this
 * process's sockets on an address, and how many datagrams each has dropped, mostly for want of room in its receive
 * buffer. Where the tables cannot be read (not Linux), no socket is found and nothing is counted.
 */
final class ProcNetUdp {

	private static final List<Path> TABLES = List.of(Path.of("/proc/net/udp"), Path.of("/proc/net/udp6"));

	/** This process's open files; a socket's link reads {@code socket:[inode]}. */
	private static final Path OWN_FILES = Path.of("/proc/self/fd");

	private static final int LOCAL_ADDRESS = 1;

	private static final int INODE = 9;

	private static final int DROPS = 12;

	private ProcNetUdp() {
	}

	/**
	 * The inodes of this process's UDP sockets bound to {@code local}, a wildcard address matching the wildcard of
	 * either family. Read once per listener start: it walks every open file of the process.
	 */
	static Set<Long> ownSockets(InetSocketAddress local) {
		Set<Long> own = ownSocketInodes();
		Set<Long> found = new HashSet<>();
		forEachRow((row) -> {
			long inode = Long.parseLong(row[INODE]);
			if (own.contains(inode) && isBoundTo(row[LOCAL_ADDRESS], local)) {
				found.add(inode);
			}
		});
		return found;
	}

	/** Sets the drops of each socket in {@code drops} (by inode) that is still open; closed ones keep their value. */
	static void readDrops(Map<Long, Long> drops) {
		forEachRow((row) -> {
			long inode = Long.parseLong(row[INODE]);
			if (drops.containsKey(inode)) {
				drops.put(inode, Long.parseLong(row[DROPS]));
			}
		});
	}

	private static void forEachRow(Consumer<String[]> action) {
		for (Path table : TABLES) {
			try (BufferedReader reader = Files.newBufferedReader(table, StandardCharsets.US_ASCII)) {
				reader.readLine(); // the column names
				for (String line = reader.readLine(); line != null; line = reader.readLine()) {
					String[] row = line.trim().split("\\s+");
					if (row.length > DROPS) {
						action.accept(row);
					}
				}
			}
			catch (IOException | RuntimeException ex) {
				// No such table here (not Linux, or no IPv6): nothing to find or count in it.
			}
		}
	}

	private static Set<Long> ownSocketInodes() {
		Set<Long> inodes = new HashSet<>();
		try (DirectoryStream<Path> files = Files.newDirectoryStream(OWN_FILES)) {
			for (Path file : files) {
				try {
					String target = Files.readSymbolicLink(file).toString();
					if (target.startsWith("socket:[") && target.endsWith("]")) {
						inodes.add(Long.parseLong(target, 8, target.length() - 1, 10));
					}
				}
				catch (IOException ex) {
					// Closed while we looked: not one of the listener's sockets, which are open.
				}
			}
		}
		catch (IOException | UnsupportedOperationException ex) {
			// No /proc here.
		}
		return inodes;
	}

	/** Whether a table's {@code ADDRESS:PORT} (hex, the address in 32-bit words of host byte order) is {@code local}. */
	static boolean isBoundTo(String column, InetSocketAddress local) {
		int colon = column.indexOf(':');
		if (colon < 0 || Integer.parseInt(column, colon + 1, column.length(), 16) != local.getPort()) {
			return false;
		}
		InetAddress address = address(column.substring(0, colon));
		if (address == null) {
			return false;
		}
		return address.isAnyLocalAddress() ? local.getAddress().isAnyLocalAddress()
				: address.equals(local.getAddress());
	}

	private static InetAddress address(String hex) {
		if (hex.length() != 8 && hex.length() != 32) {
			return null;
		}
		byte[] bytes = new byte[hex.length() / 2];
		boolean littleEndian = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;
		for (int word = 0; word < bytes.length / 4; word++) {
			int value = (int) Long.parseLong(hex, word * 8, word * 8 + 8, 16);
			for (int i = 0; i < 4; i++) {
				int shift = littleEndian ? 8 * i : 8 * (3 - i);
				bytes[word * 4 + i] = (byte) (value >>> shift);
			}
		}
		try {
			// An IPv4-mapped IPv6 address (an IPv4 bind on a dual-stack socket) comes back as the IPv4 address.
			return InetAddress.getByAddress(bytes);
		}
		catch (UnknownHostException ex) {
			return null;
		}
	}

}
