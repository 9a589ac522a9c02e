package dev.socketgateway.transform;

import java.io.ByteArrayOutputStream;
import java.nio.charset.Charset;
import java.nio.charset.CharsetEncoder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_16BE;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Tests for {@link CaseConverter}.
 */
class CaseConverterTests {

	private static final Charset GBK = Charset.forName("GBK");

	private static final Charset GB18030 = Charset.forName("GB18030");

	private static final CaseConverter UTF8_CONVERTER = CaseConverter.forCharset(UTF_8);

	private static final CaseConverter GBK_CONVERTER = CaseConverter.forCharset(GBK);

	private static final CaseConverter GB18030_CONVERTER = CaseConverter.forCharset(GB18030);

	private static final CaseConverter LATIN1_CONVERTER = CaseConverter.forCharset(ISO_8859_1);

	private static final CaseConverter UTF16BE_CONVERTER = CaseConverter.forCharset(UTF_16BE);

	// Code points from scripts with and without case, including ones that expand ('ß',
	// 'ΐ', 'ŉ'), change byte length in UTF-8 ('ı', 'ſ') or need surrogate pairs.
	private static final int[] CODE_POINT_POOL = (
			"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ,.!?-\n"
					+ "àáâãäåæçèéêëìíîïðñòóôõöøùúûüýþÿßāēěīıńňōœšūſžǎǐǒǔǖǘǚǜŉǰ"
					+ "αβγδεζηθικλμνξοπρσςτυφχψωάέήίόύώΐΰΑΒΓΔΩ"
					+ "абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВЯ"
					+ "你好信息中文乤字符编码測試一二三")
		.codePoints()
		.toArray();

	private static final int[] SUPPLEMENTARY_POOL = "𐐨𐐩𐐪𐐀😀🎉𠀀".codePoints().toArray();

	@Test
	void asciiLettersAreUppercasedAndEverythingElseIsKept() {
		String text = "Hello, World! 0123456789 @[`{ az AZ ~\t\r\n";
		assertThat(UTF8_CONVERTER.uppercase(text.getBytes(UTF_8)))
			.isEqualTo("HELLO, WORLD! 0123456789 @[`{ AZ AZ ~\t\r\n".getBytes(UTF_8));
		assertThat(GBK_CONVERTER.uppercase(text.getBytes(GBK)))
			.isEqualTo("HELLO, WORLD! 0123456789 @[`{ AZ AZ ~\t\r\n".getBytes(GBK));
	}

	@Test
	void resultIsANewArrayAndTheInputIsNeverModified() {
		for (String text : List.of("plain ascii", "straße", "show 信息", "aÿ")) {
			for (CaseConverter converter : List.of(UTF8_CONVERTER, GBK_CONVERTER, LATIN1_CONVERTER)) {
				byte[] in = text.getBytes(converter.charset());
				byte[] copy = in.clone();
				byte[] out = converter.uppercase(in);
				assertThat(out).isNotSameAs(in);
				assertThat(in).isEqualTo(copy);
			}
		}
	}

	@Test
	void plainAsciiIsUppercasedInPlaceInAnAsciiTransparentCharset() {
		for (CaseConverter converter : List.of(UTF8_CONVERTER, GBK_CONVERTER, LATIN1_CONVERTER)) {
			byte[] in = "Hello, World! az @[`{ ~\r\n".getBytes(converter.charset());
			byte[] out = converter.uppercaseInPlace(in);
			assertThat(out).isSameAs(in).isEqualTo("HELLO, WORLD! AZ @[`{ ~\r\n".getBytes(converter.charset()));
		}
	}

	@Test
	void inPlaceGivesTheSameTextAsANewArrayWhateverTheInput() {
		for (String text : List.of("", "plain ascii", "straße", "show 信息", "aÿ", "ab乤cd", "ÿ")) {
			for (CaseConverter converter : List.of(UTF8_CONVERTER, GBK_CONVERTER, GB18030_CONVERTER, LATIN1_CONVERTER,
					UTF16BE_CONVERTER)) {
				byte[] expected = converter.uppercase(text.getBytes(converter.charset()));
				assertThat(converter.uppercaseInPlace(text.getBytes(converter.charset())))
					.as("%s in %s", text, converter.charset())
					.isEqualTo(expected);
			}
		}
	}

	@Test
	void emptyInputGivesEmptyOutput() {
		assertThat(UTF8_CONVERTER.uppercase(new byte[0])).isEmpty();
		assertThat(GBK_CONVERTER.uppercase(new byte[0])).isEmpty();
		assertThat(UTF16BE_CONVERTER.uppercase(new byte[0])).isEmpty();
		assertThat(UTF8_CONVERTER.uppercase("abc".getBytes(UTF_8), 1, 0)).isEmpty();
	}

	@Test
	void onlyTheGivenSliceIsConverted() {
		byte[] ascii = "xxabcxx".getBytes(UTF_8);
		assertThat(UTF8_CONVERTER.uppercase(ascii, 2, 3)).isEqualTo("ABC".getBytes(UTF_8));
		byte[] mixed = "xxé信bxx".getBytes(UTF_8);
		assertThat(UTF8_CONVERTER.uppercase(mixed, 2, mixed.length - 4)).isEqualTo("É信B".getBytes(UTF_8));
	}

	@Test
	void sharpSBecomesDoubleS() {
		assertThat(UTF8_CONVERTER.uppercase("straße".getBytes(UTF_8))).isEqualTo("STRASSE".getBytes(UTF_8));
		assertThat(LATIN1_CONVERTER.uppercase("straße".getBytes(ISO_8859_1)))
			.isEqualTo("STRASSE".getBytes(ISO_8859_1));
	}

	@Test
	void turkishDefaultLocaleDoesNotTurnIIntoDottedCapitalI() {
		Locale original = Locale.getDefault();
		Locale.setDefault(new Locale("tr", "TR"));
		try {
			CaseConverter converter = CaseConverter.forCharset(UTF_8);
			assertThat(converter.uppercase("istanbul".getBytes(UTF_8))).isEqualTo("ISTANBUL".getBytes(UTF_8));
			assertThat(converter.uppercase("istanbul için".getBytes(UTF_8)))
				.isEqualTo("ISTANBUL IÇIN".getBytes(UTF_8));
		}
		finally {
			Locale.setDefault(original);
		}
	}

	@Test
	void greekAndCyrillicAreUppercased() {
		assertThat(UTF8_CONVERTER.uppercase("καλημέρα κόσμε ς".getBytes(UTF_8)))
			.isEqualTo("ΚΑΛΗΜΈΡΑ ΚΌΣΜΕ Σ".getBytes(UTF_8));
		assertThat(UTF8_CONVERTER.uppercase("привет, мир ёж".getBytes(UTF_8)))
			.isEqualTo("ПРИВЕТ, МИР ЁЖ".getBytes(UTF_8));
		Charset windows1251 = Charset.forName("windows-1251");
		assertThat(CaseConverter.forCharset(windows1251).uppercase("привет, мир".getBytes(windows1251)))
			.isEqualTo("ПРИВЕТ, МИР".getBytes(windows1251));
		assertThat(GBK_CONVERTER.uppercase("αβγ абв".getBytes(GBK))).isEqualTo("ΑΒΓ АБВ".getBytes(GBK));
	}

	@Test
	void cjkIsKeptAndAsciiAroundItIsUppercased() {
		assertThat(UTF8_CONVERTER.uppercase("show 信息".getBytes(UTF_8))).isEqualTo("SHOW 信息".getBytes(UTF_8));
		assertThat(UTF8_CONVERTER.uppercase("信息 show".getBytes(UTF_8))).isEqualTo("信息 SHOW".getBytes(UTF_8));
	}

	@Test
	void supplementaryCharactersAreUppercasedAndEmojiAreKept() {
		assertThat(UTF8_CONVERTER.uppercase("𐐨a😀".getBytes(UTF_8))).isEqualTo("𐐀A😀".getBytes(UTF_8));
		assertThat(UTF16BE_CONVERTER.uppercase("𐐨a😀".getBytes(UTF_16BE))).isEqualTo("𐐀A😀".getBytes(UTF_16BE));
		assertThat(GB18030_CONVERTER.uppercase("𐐨a😀".getBytes(GB18030))).isEqualTo("𐐀A😀".getBytes(GB18030));
	}

	@Test
	void malformedUtf8InTheMiddlePassesThroughByteForByte() {
		assertThat(hex(UTF8_CONVERTER.uppercase(bytes("61ff62")))).isEqualTo("41ff42");
		assertThat(hex(UTF8_CONVERTER.uppercase(bytes("61c32862")))).isEqualTo("41c32842");
		assertThat(hex(UTF8_CONVERTER.uppercase(bytes("80c3a9e4bd61c0afc3a9")))).isEqualTo("80c389e4bd41c0afc389");
	}

	@Test
	void incompleteUtf8AtTheEndPassesThroughUnchanged() {
		assertThat(hex(UTF8_CONVERTER.uppercase(bytes("61e4bd")))).isEqualTo("41e4bd");
		assertThat(hex(UTF8_CONVERTER.uppercase(bytes("c3a9f09f98")))).isEqualTo("c389f09f98");
		assertThat(hex(UTF8_CONVERTER.uppercase(bytes("e4")))).isEqualTo("e4");
	}

	@Test
	void gbkTrailByteThatLooksLikeALetterIsLeftAlone() {
		byte[] in = "乤".getBytes(GBK);
		assertThat(hex(in)).isEqualTo("8161");
		assertThat(GBK_CONVERTER.uppercase(in)).isEqualTo(in);
		assertThat(GBK_CONVERTER.uppercase("a乤a".getBytes(GBK))).isEqualTo("A乤A".getBytes(GBK));
	}

	@Test
	void gbkAsciiAfterChineseIsUppercased() {
		assertThat(GBK_CONVERTER.uppercase("你好abc".getBytes(GBK))).isEqualTo("你好ABC".getBytes(GBK));
	}

	@Test
	void gbkBytesThatDoNotDecodePassThroughUnchanged() {
		assertThat(hex(GBK_CONVERTER.uppercase(bytes("6180ff62")))).isEqualTo("4180ff42");
		assertThat(hex(GBK_CONVERTER.uppercase(bytes("616281")))).isEqualTo("414281");
		assertThat(hex(GBK_CONVERTER.uppercase(bytes("812061")))).isEqualTo("812041");
	}

	@Test
	void latin1CharacterWithoutAnUppercaseInLatin1KeepsItsByte() {
		assertThat(hex(LATIN1_CONVERTER.uppercase(bytes("ff")))).isEqualTo("ff");
		assertThat(LATIN1_CONVERTER.uppercase("aÿé".getBytes(ISO_8859_1))).isEqualTo("AÿÉ".getBytes(ISO_8859_1));
	}

	@Test
	void gbkCharacterWithoutAnUppercaseInGbkKeepsItsBytes() {
		// GBK has the pinyin letter 'à' but not 'À'.
		assertThat(GBK_CONVERTER.uppercase("pàn 你".getBytes(GBK))).isEqualTo("PàN 你".getBytes(GBK));
	}

	@Test
	void gb18030FourByteCharactersAreUppercased() {
		byte[] in = "ÿ".getBytes(GB18030);
		assertThat(in).hasSize(4);
		assertThat(GB18030_CONVERTER.uppercase(in)).isEqualTo("Ÿ".getBytes(GB18030));
	}

	@Test
	void charsetsThatAreNotAsciiCompatibleStillWork() {
		assertThat(UTF16BE_CONVERTER.uppercase("Hello straße".getBytes(UTF_16BE)))
			.isEqualTo("HELLO STRASSE".getBytes(UTF_16BE));
		Charset ebcdic = Charset.forName("IBM037");
		assertThat(CaseConverter.forCharset(ebcdic).uppercase("Hello, World".getBytes(ebcdic)))
			.isEqualTo("HELLO, WORLD".getBytes(ebcdic));
	}

	@Test
	void longInputAcrossInternalChunksIsConvertedWhole() {
		String text = "é😀ßaÿ信".repeat(1000);
		assertThat(UTF8_CONVERTER.uppercase(text.getBytes(UTF_8)))
			.isEqualTo(text.toUpperCase(Locale.ROOT).getBytes(UTF_8));
		String latin = "aÿéb".repeat(1000);
		assertThat(LATIN1_CONVERTER.uppercase(latin.getBytes(ISO_8859_1)))
			.isEqualTo("AÿÉB".repeat(1000).getBytes(ISO_8859_1));
	}

	@Test
	void decodeOnlyCharsetIsRejected() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> CaseConverter.forCharset(Charset.forName("x-JISAutoDetect")))
			.withMessageContaining("x-JISAutoDetect");
	}

	@Test
	void bytesThatNeverDecodeComeBackUnchanged() {
		Random random = new Random(20240611L);
		byte[] utf8Garbage = bytes("80bfc0c1f5f8fe");
		byte[] gbkGarbage = bytes("80ff");
		for (int i = 0; i < 2000; i++) {
			byte[] in = randomFrom(random, utf8Garbage, random.nextInt(12));
			assertThat(UTF8_CONVERTER.uppercase(in)).as(hex(in)).isEqualTo(in);
			byte[] gbk = randomFrom(random, gbkGarbage, random.nextInt(12));
			if (random.nextBoolean()) {
				// A lead byte with nothing after it is just as undecodable.
				gbk = Arrays.copyOf(gbk, gbk.length + 1);
				gbk[gbk.length - 1] = (byte) (0x81 + random.nextInt(0x7e));
			}
			assertThat(GBK_CONVERTER.uppercase(gbk)).as(hex(gbk)).isEqualTo(gbk);
		}
	}

	@Test
	void randomBytesKeepWhatDoesNotDecodeAndUppercaseTheRest() {
		Random random = new Random(42L);
		for (CaseConverter converter : List.of(UTF8_CONVERTER, GBK_CONVERTER)) {
			Charset charset = converter.charset();
			for (int i = 0; i < 2000; i++) {
				byte[] in = new byte[random.nextInt(16)];
				random.nextBytes(in);
				if (random.nextBoolean()) {
					// Mostly-ASCII input reaches the boundaries between the paths.
					for (int j = 0; j < in.length; j++) {
						in[j] = (random.nextInt(4) == 0) ? in[j] : (byte) ('a' + random.nextInt(26));
					}
				}
				byte[] out = converter.uppercase(in);
				assertThat(new String(out, charset)).as(hex(in))
					.isEqualTo(uppercaseWhereEncodable(new String(in, charset), charset));
			}
		}
	}

	@Test
	void randomValidTextIsUppercasedLikeJavaStrings() {
		Random random = new Random(7L);
		for (CaseConverter converter : List.of(UTF8_CONVERTER, GBK_CONVERTER, GB18030_CONVERTER, LATIN1_CONVERTER,
				UTF16BE_CONVERTER)) {
			Charset charset = converter.charset();
			int[] pool = encodablePool(charset);
			int fullyEncodable = 0;
			for (int i = 0; i < 1000; i++) {
				String text = string(randomFrom(random, pool, random.nextInt(24)));
				byte[] in = text.getBytes(charset);
				String decoded = new String(in, charset);
				String upper = decoded.toUpperCase(Locale.ROOT);
				byte[] out = converter.uppercase(in);
				if (charset.newEncoder().canEncode(upper)) {
					fullyEncodable++;
					assertThat(out).as("%s in %s", text, charset).isEqualTo(upper.getBytes(charset));
				}
				assertThat(out).as("%s in %s", text, charset)
					.isEqualTo(uppercaseWhereEncodable(decoded, charset).getBytes(charset));
			}
			assertThat(fullyEncodable).as(charset.name()).isGreaterThan(100);
		}
	}

	@Test
	void splittingValidTextAnywhereAndHoldingBackIncompleteTailsGivesTheSameResult() {
		Random random = new Random(99L);
		for (CaseConverter converter : List.of(UTF8_CONVERTER, GBK_CONVERTER, GB18030_CONVERTER,
				UTF16BE_CONVERTER)) {
			Charset charset = converter.charset();
			int[] pool = encodablePool(charset);
			for (int i = 0; i < 200; i++) {
				byte[] in = string(randomFrom(random, pool, 1 + random.nextInt(16))).getBytes(charset);
				byte[] whole = converter.uppercase(in);
				for (int split = 0; split <= in.length; split++) {
					List<byte[]> chunks = List.of(Arrays.copyOfRange(in, 0, split),
							Arrays.copyOfRange(in, split, in.length));
					assertThat(streamed(converter, chunks)).as("%s split at %d", hex(in), split).isEqualTo(whole);
				}
				assertThat(streamed(converter, randomChunks(random, in))).as(hex(in)).isEqualTo(whole);
			}
		}
	}

	@Test
	void sharedConverterGivesTheSameAnswersOnManyThreads() throws Exception {
		List<String> texts = List.of("hello", "straße 信息", "你好abc乤", "ÿ😀𐐨", "ΐ ς");
		List<byte[]> expected = texts.stream().map((text) -> UTF8_CONVERTER.uppercase(text.getBytes(UTF_8))).toList();
		ExecutorService executor = Executors.newFixedThreadPool(8);
		try {
			List<Future<Boolean>> results = new ArrayList<>();
			for (int t = 0; t < 8; t++) {
				results.add(executor.submit(() -> {
					for (int i = 0; i < 2000; i++) {
						int index = i % texts.size();
						byte[] out = UTF8_CONVERTER.uppercase(texts.get(index).getBytes(UTF_8));
						if (!Arrays.equals(out, expected.get(index))) {
							return false;
						}
					}
					return true;
				}));
			}
			for (Future<Boolean> result : results) {
				assertThat(result.get(30, TimeUnit.SECONDS)).isTrue();
			}
		}
		finally {
			executor.shutdownNow();
		}
	}

	@Test
	void transformerKeepsOneConverterPerCharset() {
		UppercaseTransformer transformer = new UppercaseTransformer();
		CaseConverter gbk = transformer.converter(GBK);
		assertThat(transformer.converter(Charset.forName("gbk"))).isSameAs(gbk);
		assertThat(transformer.converter(UTF_8)).isNotSameAs(gbk);
		assertThat(gbk.charset()).isEqualTo(GBK);
	}

	@Test
	void eachListenerGetsAFunctionThatUppercasesInItsOwnCharset() throws Exception {
		UppercaseTransformer transformer = new UppercaseTransformer();
		assertThat(transformer.forListener("legacy", GBK).transform("你好abc乤".getBytes(GBK)))
			.isEqualTo("你好ABC乤".getBytes(GBK));
		assertThat(transformer.forListener("tcp", UTF_8).transform("straße".getBytes(UTF_8)))
			.isEqualTo("STRASSE".getBytes(UTF_8));
	}

	private static byte[] streamed(CaseConverter converter, List<byte[]> chunks) {
		CharacterBoundaries boundaries = CharacterBoundaries.forCharset(converter.charset());
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		byte[] held = new byte[0];
		for (byte[] chunk : chunks) {
			byte[] buf = Arrays.copyOf(held, held.length + chunk.length);
			System.arraycopy(chunk, 0, buf, held.length, chunk.length);
			int complete = boundaries.completeLength(buf, 0, buf.length);
			assertThat(buf.length - complete).isLessThanOrEqualTo(3);
			out.writeBytes(converter.uppercase(buf, 0, complete));
			held = Arrays.copyOfRange(buf, complete, buf.length);
		}
		assertThat(held).as("valid text never ends part-way through a character").isEmpty();
		return out.toByteArray();
	}

	private static List<byte[]> randomChunks(Random random, byte[] in) {
		List<byte[]> chunks = new ArrayList<>();
		int from = 0;
		while (from < in.length) {
			int to = Math.min(in.length, from + 1 + random.nextInt(4));
			chunks.add(Arrays.copyOfRange(in, from, to));
			from = to;
		}
		return chunks;
	}

	// What the converter promises: every character upper-cased, except those whose
	// upper-case form the charset cannot encode.
	private static String uppercaseWhereEncodable(String text, Charset charset) {
		CharsetEncoder encoder = charset.newEncoder();
		StringBuilder result = new StringBuilder();
		text.codePoints().forEach((codePoint) -> {
			String original = Character.toString(codePoint);
			String upper = original.toUpperCase(Locale.ROOT);
			result.append(encoder.canEncode(upper) ? upper : original);
		});
		return result.toString();
	}

	private static int[] encodablePool(Charset charset) {
		CharsetEncoder encoder = charset.newEncoder();
		return IntStream.concat(Arrays.stream(CODE_POINT_POOL), Arrays.stream(SUPPLEMENTARY_POOL))
			.filter((codePoint) -> encoder.canEncode(Character.toString(codePoint)))
			.toArray();
	}

	private static String string(int[] codePoints) {
		return new String(codePoints, 0, codePoints.length);
	}

	private static int[] randomFrom(Random random, int[] pool, int count) {
		int[] result = new int[count];
		for (int i = 0; i < count; i++) {
			result[i] = pool[random.nextInt(pool.length)];
		}
		return result;
	}

	private static byte[] randomFrom(Random random, byte[] pool, int count) {
		byte[] result = new byte[count];
		for (int i = 0; i < count; i++) {
			result[i] = pool[random.nextInt(pool.length)];
		}
		return result;
	}

	private static byte[] bytes(String hex) {
		return HexFormat.of().parseHex(hex);
	}

	private static String hex(byte[] bytes) {
		return HexFormat.of().formatHex(bytes);
	}

}
