package dev.socketgateway.bench;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The benchmark's requests: 32 bytes of lowercase ASCII that spell the connection id and the sequence number. The
 * reply to any request is therefore known in advance, and every reply byte can be checked against it.
 */
final class Messages {

	static final int SIZE = 32;

	// 26^8 connection ids and 26^12 sequence numbers: far more than any scenario sends.
	private static final int ID_LETTERS = 8;

	private static final int SEQUENCE_LETTERS = 12;

	private static final byte[] PADDING = "gatewaybench".getBytes(StandardCharsets.US_ASCII);

	private Messages() {
	}

	static void request(int connection, long sequence, byte[] target, int offset) {
		letters(connection, target, offset, ID_LETTERS);
		letters(sequence, target, offset + ID_LETTERS, SEQUENCE_LETTERS);
		System.arraycopy(PADDING, 0, target, offset + ID_LETTERS + SEQUENCE_LETTERS, PADDING.length);
	}

	/** The expected reply: the request upper-cased (every request byte is a lowercase letter). */
	static void reply(int connection, long sequence, byte[] target, int offset) {
		request(connection, sequence, target, offset);
		for (int i = offset; i < offset + SIZE; i++) {
			target[i] -= 'a' - 'A';
		}
	}

	/** The sequence number that a reply answers on this connection, or -1 when it is no such reply. */
	static long sequenceOfReply(byte[] reply, int offset, int length, int connection) {
		if (length != SIZE) {
			return -1;
		}
		long sequence = 0;
		for (int i = offset + ID_LETTERS; i < offset + ID_LETTERS + SEQUENCE_LETTERS; i++) {
			int digit = reply[i] - 'A';
			if (digit < 0 || digit >= 26) {
				return -1;
			}
			sequence = sequence * 26 + digit;
		}
		byte[] expected = new byte[SIZE];
		reply(connection, sequence, expected, 0);
		return Arrays.equals(reply, offset, offset + SIZE, expected, 0, SIZE) ? sequence : -1;
	}

	private static void letters(long value, byte[] target, int offset, int count) {
		for (int i = offset + count - 1; i >= offset; i--) {
			target[i] = (byte) ('a' + (int) (value % 26));
			value /= 26;
		}
	}

}
