package dev.socketgateway.bench;

import tools.jackson.core.JsonGenerator;
import tools.jackson.core.util.DefaultIndenter;
import tools.jackson.core.util.DefaultPrettyPrinter;
import tools.jackson.core.util.Separators;
import tools.jackson.core.util.Separators.Spacing;
import tools.jackson.databind.ObjectWriter;
import tools.jackson.databind.SerializationContext;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.module.SimpleModule;
import tools.jackson.databind.ser.std.StdSerializer;

/**
 * The results file's JSON, written by the Jackson 3 that the gateway itself ships: two-space indentation with
 * one value per line (so that committed results diff line by line), decimals to three places.
 */
final class Json {

	private static final DefaultIndenter INDENTER = new DefaultIndenter("  ", "\n");

	private static final ObjectWriter WRITER = JsonMapper.builder()
		.addModule(new SimpleModule().addSerializer(Double.class, new DecimalSerializer()))
		.build()
		.writer()
		.with(new DefaultPrettyPrinter(Separators.createDefaultInstance()
			.withObjectNameValueSpacing(Spacing.AFTER)
			.withObjectEmptySeparator("")
			.withArrayEmptySeparator("")).withObjectIndenter(INDENTER).withArrayIndenter(INDENTER));

	private Json() {
	}

	static String write(Object value) {
		return WRITER.writeValueAsString(value) + "\n";
	}

	/** JSON has no NaN: an unknown figure is null. */
	private static final class DecimalSerializer extends StdSerializer<Double> {

		DecimalSerializer() {
			super(Double.class);
		}

		@Override
		public void serialize(Double value, JsonGenerator generator, SerializationContext context) {
			if (value.isNaN() || value.isInfinite()) {
				generator.writeNull();
			}
			else {
				generator.writeNumber(Math.round(value * 1000) / 1000.0);
			}
		}

	}

}
