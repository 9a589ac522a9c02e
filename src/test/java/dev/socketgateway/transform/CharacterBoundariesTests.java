package dev.socketgateway.transform;

import java.nio.charset.Charset;
import java.util.HexFormat;
import java.util.List;

import org.junit.jupiter.api.Test;

import static java.nio.charset.StandardCharsets.UTF_16BE;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link CharacterBoundaries}: where a read may be cut so that no character is split.
 */
class CharacterBoundariesTests {

	private static final Charset GBK = Charset.forName("GBK");

	private static final Charset GB18030 = Charset.forName("GB18030");

	private static final CharacterBoundaries UTF8 = CharacterBoundaries.forCharset(UTF_8);

	private static final CharacterBoundaries GBK_BOUNDARIES = CharacterBoundaries.forCharset(GBK);

	private static final CharacterBoundaries GB18030_BOUNDARIES =
			CharacterBoundaries.forCharset(GB18030);

	private static final CharacterBoundaries UTF16BE = CharacterBoundaries.forCharset(UTF_16BE);

	@Test
	void completeLengthOfNothingIsZero() {
		assertThat(UTF8.completeLength(new byte[0], 0, 0)).isZero();
		assertThat(GBK_BOUNDARIES.completeLength(bytes("c4"), 1, 0)).isZero();
	}

	@Test
	void completeLengthOfCompleteTextIsEverything() {
		for (CharacterBoundaries boundaries : List.of(UTF8, GBK_BOUNDARIES, GB18030_BOUNDARIES, UTF16BE)) {
			for (String text : List.of("abc", "abc你", "你好", "ÿ😀", "a乤")) {
				byte[] in = text.getBytes(boundaries.charset());
				assertThat(boundaries.completeLength(in, 0, in.length)).as("%s in %s", text, boundaries)
					.isEqualTo(in.length);
			}
		}
	}

	@Test
	void utf8CompleteLengthHoldsBackOneToThreeBytesOfASplitEmoji() {
		byte[] in = "a😀".getBytes(UTF_8);
		assertThat(in).hasSize(5);
		assertThat(UTF8.completeLength(in, 0, 2)).isEqualTo(1);
		assertThat(UTF8.completeLength(in, 0, 3)).isEqualTo(1);
		assertThat(UTF8.completeLength(in, 0, 4)).isEqualTo(1);
		assertThat(UTF8.completeLength(in, 0, 5)).isEqualTo(5);
	}

	@Test
	void utf8CompleteLengthHoldsBackASplitCjkCharacter() {
		byte[] in = "信息".getBytes(UTF_8);
		assertThat(UTF8.completeLength(in, 0, 4)).isEqualTo(3);
		assertThat(UTF8.completeLength(in, 0, 5)).isEqualTo(3);
		assertThat(UTF8.completeLength(in, 0, 1)).isZero();
	}

	@Test
	void gbkCompleteLengthHoldsBackALoneLeadByte() {
		assertThat(GBK_BOUNDARIES.completeLength(bytes("81"), 0, 1)).isZero();
		assertThat(GBK_BOUNDARIES.completeLength(bytes("61c4"), 0, 2)).isEqualTo(1);
	}

	@Test
	void gbkCompleteLengthSeesThatNiEndsOnATrailByteThatLooksLikeALeadByte() {
		byte[] ni = "你".getBytes(GBK);
		assertThat(hex(ni)).isEqualTo("c4e3");
		assertThat(GBK_BOUNDARIES.completeLength(ni, 0, ni.length)).isEqualTo(2);
		byte[] niHao = "你好".getBytes(GBK);
		assertThat(GBK_BOUNDARIES.completeLength(niHao, 0, niHao.length)).isEqualTo(4);
	}

	@Test
	void gbkCompleteLengthHoldsExactlyOneByteAfterACompleteCharacter() {
		assertThat(GBK_BOUNDARIES.completeLength(bytes("c4e3c4"), 0, 3)).isEqualTo(2);
		assertThat(GBK_BOUNDARIES.completeLength(bytes("61c4e362c4e3c4"), 0, 7)).isEqualTo(6);
		assertThat(GBK_BOUNDARIES.completeLength(bytes("8161c4"), 0, 3)).isEqualTo(2);
	}

	@Test
	void gb18030CompleteLengthHoldsBackAFourByteCharacterWhoseLastByteSoFarIsAnAsciiDigit() {
		byte[] in = "a😀".getBytes(GB18030);
		assertThat(in).hasSize(5);
		assertThat(in[2]).isBetween((byte) '0', (byte) '9');
		assertThat(GB18030_BOUNDARIES.completeLength(in, 0, 2)).isEqualTo(1);
		assertThat(GB18030_BOUNDARIES.completeLength(in, 0, 3)).isEqualTo(1);
		assertThat(GB18030_BOUNDARIES.completeLength(in, 0, 4)).isEqualTo(1);
		assertThat(GB18030_BOUNDARIES.completeLength(in, 0, 5)).isEqualTo(5);
	}

	@Test
	void utf16CompleteLengthHoldsBackHalfASurrogatePair() {
		byte[] in = "a😀".getBytes(UTF_16BE);
		for (int len = 3; len < 6; len++) {
			assertThat(UTF16BE.completeLength(in, 0, len)).isEqualTo(2);
		}
		assertThat(UTF16BE.completeLength(in, 0, 6)).isEqualTo(6);
	}

	@Test
	void completeLengthNeverHoldsBackMalformedTails() {
		assertThat(UTF8.completeLength(bytes("61ff"), 0, 2)).isEqualTo(2);
		assertThat(UTF8.completeLength(bytes("61c0"), 0, 2)).isEqualTo(2);
		assertThat(UTF8.completeLength(bytes("61e4e4"), 0, 3)).isEqualTo(2);
		assertThat(UTF8.completeLength(bytes("61f09fff"), 0, 4)).isEqualTo(4);
		// Could only become a surrogate, which UTF-8 does not allow.
		assertThat(UTF8.completeLength(bytes("61eda0"), 0, 3)).isEqualTo(3);
		assertThat(UTF8.completeLength(bytes("61eda0e4"), 0, 4)).isEqualTo(3);
		assertThat(GBK_BOUNDARIES.completeLength(bytes("6180"), 0, 2)).isEqualTo(2);
		assertThat(GBK_BOUNDARIES.completeLength(bytes("61ff"), 0, 2)).isEqualTo(2);
		assertThat(GBK_BOUNDARIES.completeLength(bytes("c4e380"), 0, 3)).isEqualTo(3);
	}

	@Test
	void completeLengthLooksOnlyAtTheGivenRange() {
		byte[] in = bytes("ffe4bda0e4bd61");
		assertThat(UTF8.completeLength(in, 1, 5)).isEqualTo(3);
		assertThat(UTF8.completeLength(in, 1, 3)).isEqualTo(3);
		byte[] gbk = bytes("c4c4e3c4");
		assertThat(GBK_BOUNDARIES.completeLength(gbk, 1, 3)).isEqualTo(2);
		assertThat(GBK_BOUNDARIES.completeLength(gbk, 0, 3)).isEqualTo(2);
	}

	private static byte[] bytes(String hex) {
		return HexFormat.of().parseHex(hex);
	}

	private static String hex(byte[] bytes) {
		return HexFormat.of().formatHex(bytes);
	}

}
