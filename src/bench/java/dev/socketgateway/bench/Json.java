package dev.socketgateway.bench;

import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** Just enough JSON for the results file: maps, lists, strings, numbers, booleans and null, indented. */
final class Json {

	private Json() {
	}

	static String write(Object value) {
		StringBuilder out = new StringBuilder();
		write(value, out, "");
		return out.append('\n').toString();
	}

	private static void write(Object value, StringBuilder out, String indent) {
		if (value == null) {
			out.append("null");
		}
		else if (value instanceof Map<?, ?> map) {
			writeEntries(map.entrySet().iterator(), out, indent, '{', '}');
		}
		else if (value instanceof List<?> list) {
			writeEntries(list.iterator(), out, indent, '[', ']');
		}
		else if (value instanceof Double number) {
			// JSON has no NaN: an unknown figure is null.
			out.append(number.isNaN() || number.isInfinite() ? "null" : String.valueOf(Math.round(number * 1000) / 1000.0));
		}
		else if (value instanceof Number || value instanceof Boolean) {
			out.append(value);
		}
		else {
			string(value.toString(), out);
		}
	}

	private static void writeEntries(Iterator<?> entries, StringBuilder out, String indent, char open, char close) {
		out.append(open);
		if (!entries.hasNext()) {
			out.append(close);
			return;
		}
		String inner = indent + "  ";
		while (entries.hasNext()) {
			Object entry = entries.next();
			out.append('\n').append(inner);
			if (entry instanceof Map.Entry<?, ?> field) {
				string(String.valueOf(field.getKey()), out);
				out.append(": ");
				write(field.getValue(), out, inner);
			}
			else {
				write(entry, out, inner);
			}
			if (entries.hasNext()) {
				out.append(',');
			}
		}
		out.append('\n').append(indent).append(close);
	}

	private static void string(String text, StringBuilder out) {
		out.append('"');
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			switch (c) {
				case '"' -> out.append("\\\"");
				case '\\' -> out.append("\\\\");
				case '\n' -> out.append("\\n");
				case '\r' -> out.append("\\r");
				case '\t' -> out.append("\\t");
				default -> {
					if (c < 0x20) {
						out.append(String.format("\\u%04x", (int) c));
					}
					else {
						out.append(c);
					}
				}
			}
		}
		out.append('"');
	}

}
