package dev.socketgateway.tcp;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import dev.socketgateway.tcp.ProxyHeaderReader.Outcome;
import dev.socketgateway.tcp.framing.FramingException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static dev.socketgateway.GatewayClients.ascii;
import static dev.socketgateway.GatewayClients.concat;
import static dev.socketgateway.GatewayClients.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The PROXY header reader on its own: both versions as HAProxy, nginx and the cloud balancers write them,
 * split at every byte, and the malformed, overlong and untrusted headers that must close a connection.
 */
class ProxyHeaderReaderTests {

	static final byte[] V2_SIGNATURE = { 0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A };

	/** A v1 header naming the client; what follows it is the client's first bytes. */
	static byte[] v1(String family, String source, String destination, int sourcePort, int destinationPort) {
		return ascii("PROXY " + family + " " + source + " " + destination + " " + sourcePort + " " + destinationPort
				+ "\r\n");
	}

	/** A v2 PROXY header for TCP over IPv4 or IPv6, with optional TLV bytes after the addresses. */
	static byte[] v2(byte[] source, byte[] destination, int sourcePort, int destinationPort, byte[] tlvs) {
		int family = (source.length == 4) ? 0x11 : 0x21;
		int length = 2 * source.length + 4 + tlvs.length;
		ByteBuffer header = ByteBuffer.allocate(16 + length);
		header.put(V2_SIGNATURE).put((byte) 0x21).put((byte) family).putShort((short) length);
		header.put(source).put(destination).putShort((short) sourcePort).putShort((short) destinationPort).put(tlvs);
		return header.array();
	}

	/** A v2 LOCAL header, as HAProxy's own health checks send it: no client to name. */
	static byte[] v2Local() {
		return concat(V2_SIGNATURE, new byte[] { 0x20, 0x00, 0x00, 0x00 });
	}

	private static final byte[] CLIENT_V4 = { (byte) 203, 0, 113, 7 };

	private static final byte[] BALANCER_V4 = { (byte) 198, 51, 100, 1 };

	private static final byte[] CLIENT_V6 = { 0x20, 0x01, 0x0d, (byte) 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x42 };

	@Test
	void aWholeV1Tcp4HeaderNamesTheClientAndLeavesWhatFollowsIt() {
		ProxyHeaderReader reader = new ProxyHeaderReader(true);
		byte[] bytes = concat(v1("TCP4", "203.0.113.7", "198.51.100.1", 56324, 7878), ascii("hello"));
		assertThat(reader.offer(ByteBuffer.wrap(bytes))).isEqualTo(Outcome.HEADER);
		assertThat(reader.source()).isEqualTo(new InetSocketAddress("203.0.113.7", 56324));
		assertThat(text(remaining(reader.rest()))).isEqualTo("hello");
	}

	@Test
	void aV1Tcp6HeaderNamesAnIpv6Client() {
		ProxyHeaderReader reader = new ProxyHeaderReader(true);
		assertThat(reader.offer(ByteBuffer.wrap(v1("TCP6", "2001:db8::42", "2001:db8::1", 65535, 7878))))
			.isEqualTo(Outcome.HEADER);
		assertThat(reader.source().getAddress().getHostAddress()).isEqualTo("2001:db8:0:0:0:0:0:42");
		assertThat(reader.source().getPort()).isEqualTo(65535);
		assertThat(reader.rest().hasRemaining()).isFalse();
	}

	@Test
	void aV1UnknownHeaderKeepsTheConnectionsOwnAddress() {
		ProxyHeaderReader reader = new ProxyHeaderReader(true);
		assertThat(reader.offer(ByteBuffer.wrap(ascii("PROXY UNKNOWN ffff::1 ffff::2 1 2\r\nhi")))).isEqualTo(Outcome.HEADER);
		assertThat(reader.source()).isNull();
		assertThat(text(remaining(reader.rest()))).isEqualTo("hi");
	}

	@Test
	void aV2Tcp4HeaderWithTlvsNamesTheClientAndLeavesWhatFollowsIt() {
		ProxyHeaderReader reader = new ProxyHeaderReader(true);
		byte[] tlvs = { 0x05, 0x00, 0x03, 'a', 'b', 'c' }; // PP2_TYPE_UNIQUE_ID
		byte[] bytes = concat(v2(CLIENT_V4, BALANCER_V4, 40123, 7878, tlvs), ascii("hello"));
		assertThat(reader.offer(ByteBuffer.wrap(bytes))).isEqualTo(Outcome.HEADER);
		assertThat(reader.source()).isEqualTo(new InetSocketAddress("203.0.113.7", 40123));
		assertThat(text(remaining(reader.rest()))).isEqualTo("hello");
	}

	@Test
	void aV2Tcp6HeaderNamesAnIpv6Client() {
		ProxyHeaderReader reader = new ProxyHeaderReader(true);
		assertThat(reader.offer(ByteBuffer.wrap(v2(CLIENT_V6, CLIENT_V6, 1, 2, new byte[0])))).isEqualTo(Outcome.HEADER);
		assertThat(reader.source().getAddress().getHostAddress()).isEqualTo("2001:db8:0:0:0:0:0:42");
		assertThat(reader.source().getPort()).isEqualTo(1);
	}

	@Test
	void aV2LocalHeaderAndAnUnspecifiedFamilyKeepTheConnectionsOwnAddress() {
		ProxyHeaderReader local = new ProxyHeaderReader(true);
		assertThat(local.offer(ByteBuffer.wrap(concat(v2Local(), ascii("x"))))).isEqualTo(Outcome.HEADER);
		assertThat(local.source()).isNull();
		assertThat(text(remaining(local.rest()))).isEqualTo("x");
		ProxyHeaderReader unspecified = new ProxyHeaderReader(true);
		byte[] header = concat(V2_SIGNATURE, new byte[] { 0x21, 0x00, 0x00, 0x02, 0x01, 0x02 });
		assertThat(unspecified.offer(ByteBuffer.wrap(header))).isEqualTo(Outcome.HEADER);
		assertThat(unspecified.source()).isNull();
	}

	@Test
	void everyHeaderSplitAtEveryByteGivesTheSameClientAndTheSameRest() {
		List<byte[]> headers = List.of(v1("TCP4", "203.0.113.7", "198.51.100.1", 56324, 7878),
				v1("TCP6", "2001:db8::42", "2001:db8::1", 1, 2), v2(CLIENT_V4, BALANCER_V4, 40123, 7878, new byte[7]),
				v2(CLIENT_V6, CLIENT_V6, 9, 10, new byte[0]), v2Local());
		for (byte[] header : headers) {
			byte[] bytes = concat(header, ascii("rest of it"));
			ProxyHeaderReader whole = new ProxyHeaderReader(true);
			assertThat(whole.offer(ByteBuffer.wrap(bytes))).isEqualTo(Outcome.HEADER);
			for (int split = 1; split < header.length; split++) {
				ProxyHeaderReader reader = new ProxyHeaderReader(true);
				assertThat(reader.offer(ByteBuffer.wrap(bytes, 0, split))).as("first %d bytes", split)
					.isEqualTo(Outcome.MORE);
				assertThat(reader.started()).isTrue();
				assertThat(reader.offer(ByteBuffer.wrap(bytes, split, bytes.length - split))).isEqualTo(Outcome.HEADER);
				assertThat(reader.source()).isEqualTo(whole.source());
				assertThat(text(remaining(reader.rest()))).isEqualTo("rest of it");
			}
			ProxyHeaderReader byteByByte = new ProxyHeaderReader(true);
			for (int i = 0; i < header.length - 1; i++) {
				assertThat(byteByByte.offer(ByteBuffer.wrap(bytes, i, 1))).isEqualTo(Outcome.MORE);
			}
			assertThat(byteByByte.offer(ByteBuffer.wrap(bytes, header.length - 1, 1))).isEqualTo(Outcome.HEADER);
			assertThat(byteByByte.source()).isEqualTo(whole.source());
			assertThat(byteByByte.rest().hasRemaining()).isFalse();
		}
	}

	@ParameterizedTest
	@ValueSource(strings = { "hello\r\n", "PING\r\n", "PROXIMITY\r\n", "\r\nhello\r\n", "\u0002stx\u0003", "x" })
	void bytesThatDoNotStartAHeaderAreAllHandedOn(String plain) {
		ProxyHeaderReader reader = new ProxyHeaderReader(true);
		assertThat(reader.offer(ByteBuffer.wrap(ascii(plain)))).isEqualTo(Outcome.NONE);
		assertThat(reader.source()).isNull();
		assertThat(text(remaining(reader.rest()))).isEqualTo(plain);
	}

	@Test
	void plainBytesAfterAPrefixThatLookedLikeASignatureAreAllHandedOnTogether() {
		ProxyHeaderReader reader = new ProxyHeaderReader(true);
		assertThat(reader.offer(ByteBuffer.wrap(ascii("\r\n")))).isEqualTo(Outcome.MORE);
		assertThat(reader.offer(ByteBuffer.wrap(ascii("hello\r\n")))).isEqualTo(Outcome.NONE);
		assertThat(text(remaining(reader.rest()))).isEqualTo("\r\nhello\r\n");
	}

	@ParameterizedTest
	@ValueSource(strings = { "PROXY TCP4 203.0.113.7 198.51.100.1 56324 7878\n",
			"PROXY TCP5 203.0.113.7 198.51.100.1 56324 7878\r\n", "PROXY TCP4 203.0.113.7 198.51.100.1 56324\r\n",
			"PROXY TCP4 example.com 198.51.100.1 56324 7878\r\n", "PROXY TCP4 203.0.113.256 198.51.100.1 1 2\r\n",
			"PROXY TCP4 2001:db8::1 198.51.100.1 1 2\r\n", "PROXY TCP6 203.0.113.7 2001:db8::1 1 2\r\n",
			"PROXY TCP4 203.0.113.7 198.51.100.1 65536 7878\r\n", "PROXY TCP4 203.0.113.7 198.51.100.1 080 7878\r\n",
			"PROXY TCP4 203.0.113.7 198.51.100.1 -1 7878\r\n", "PROXY TCP4  203.0.113.7 198.51.100.1 1 2\r\n",
			"PROXY \r\n" })
	void aMalformedV1HeaderIsRefused(String header) {
		ProxyHeaderReader reader = new ProxyHeaderReader(true);
		assertThatExceptionOfType(FramingException.class).isThrownBy(() -> reader.offer(ByteBuffer.wrap(ascii(header))))
			.satisfies((ex) -> assertThat(ex.reason()).isEqualTo("proxy-header"));
	}

	@Test
	void aV1HeaderWithoutCrlfWithin107BytesIsRefusedWithoutWaitingForMore() {
		ProxyHeaderReader reader = new ProxyHeaderReader(true);
		byte[] overlong = ascii("PROXY TCP4 " + "1".repeat(ProxyHeaderReader.MAX_V1_BYTES));
		assertThatExceptionOfType(FramingException.class).isThrownBy(() -> reader.offer(ByteBuffer.wrap(overlong)))
			.withMessageContaining("107");
	}

	@Test
	void aMalformedV2HeaderIsRefused() {
		byte[] valid = v2(CLIENT_V4, BALANCER_V4, 1, 2, new byte[0]);
		byte[] version3 = valid.clone();
		version3[12] = 0x31;
		byte[] command2 = valid.clone();
		command2[12] = 0x22;
		byte[] tooShortForAddresses = concat(V2_SIGNATURE, new byte[] { 0x21, 0x11, 0x00, 0x04, 1, 2, 3, 4 });
		ByteBuffer overlong = ByteBuffer.allocate(16).put(V2_SIGNATURE).put((byte) 0x21).put((byte) 0x11)
			.putShort((short) (ProxyHeaderReader.MAX_V2_BYTES - 15));
		for (byte[] header : List.of(version3, command2, tooShortForAddresses, overlong.array())) {
			ProxyHeaderReader reader = new ProxyHeaderReader(true);
			assertThatExceptionOfType(FramingException.class).as(text(header))
				.isThrownBy(() -> reader.offer(ByteBuffer.wrap(header)));
		}
	}

	@Test
	void aPeerThatIsNotTrustedIsRefusedAsSoonAsItsBytesAreASignatureButMayStillSendPlainBytes() {
		ProxyHeaderReader v1 = new ProxyHeaderReader(false);
		assertThatExceptionOfType(FramingException.class).isThrownBy(() -> v1.offer(ByteBuffer.wrap(ascii("PROXY "))))
			.withMessageContaining("proxy-trusted-cidrs");
		ProxyHeaderReader v2 = new ProxyHeaderReader(false);
		assertThatExceptionOfType(FramingException.class).isThrownBy(() -> v2.offer(ByteBuffer.wrap(V2_SIGNATURE)));
		ProxyHeaderReader plain = new ProxyHeaderReader(false);
		assertThat(plain.offer(ByteBuffer.wrap(ascii("hello")))).isEqualTo(Outcome.NONE);
	}

	/**
	 * Random bytes behind each signature, and valid headers with random bytes changed, in random pieces:
	 * the reader answers MORE, NONE or HEADER or refuses with a proxy-header FramingException, never
	 * anything else.
	 */
	@Test
	void fuzzedHeadersAreReadOrRefusedAndNothingElse() {
		Random random = new Random(7878);
		List<byte[]> seeds = new ArrayList<>(List.of(v1("TCP4", "203.0.113.7", "198.51.100.1", 56324, 7878),
				v2(CLIENT_V4, BALANCER_V4, 40123, 7878, new byte[3]), v2(CLIENT_V6, CLIENT_V6, 1, 2, new byte[0])));
		for (int round = 0; round < 20_000; round++) {
			byte[] bytes;
			if (round % 2 == 0) {
				byte[] seed = seeds.get(random.nextInt(seeds.size())).clone();
				for (int flips = 1 + random.nextInt(3); flips > 0; flips--) {
					seed[random.nextInt(seed.length)] = (byte) random.nextInt(256);
				}
				bytes = seed;
			}
			else {
				byte[] noise = new byte[random.nextInt(200)];
				random.nextBytes(noise);
				bytes = concat((random.nextBoolean() ? ascii("PROXY ") : V2_SIGNATURE), noise);
			}
			ProxyHeaderReader reader = new ProxyHeaderReader(true);
			int offset = 0;
			try {
				Outcome outcome = Outcome.MORE;
				while (offset < bytes.length && outcome == Outcome.MORE) {
					int piece = 1 + random.nextInt(bytes.length - offset);
					outcome = reader.offer(ByteBuffer.wrap(bytes, offset, piece));
					offset += piece;
				}
				if (outcome == Outcome.HEADER && reader.source() != null) {
					assertThat(reader.source().getPort()).isBetween(0, 65535);
				}
			}
			catch (FramingException ex) {
				assertThat(ex.reason()).isEqualTo("proxy-header");
			}
		}
	}

	private static byte[] remaining(ByteBuffer buffer) {
		byte[] bytes = new byte[buffer.remaining()];
		buffer.duplicate().get(bytes);
		return bytes;
	}

}
