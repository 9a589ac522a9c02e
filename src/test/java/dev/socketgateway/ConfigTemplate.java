package dev.socketgateway;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static java.nio.charset.StandardCharsets.UTF_8;

/**
 * A configuration file for a program the tests run beside the gateway (HAProxy, nginx), kept on the test class
 * path with {@code {{name}}} placeholders where addresses and paths go: the tests fill them with loopback ports
 * and temporary paths, docs/deployment.md quotes it with example values, and a test checks that the two agree.
 */
public final class ConfigTemplate {

	private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{([a-z0-9-]+)}}");

	private ConfigTemplate() {
	}

	/**
	 * The template at {@code resource} with each {@code {{name}}} replaced by its value.
	 * @throws IllegalArgumentException if a placeholder has no value
	 */
	public static String fill(String resource, Map<String, String> values) {
		Matcher placeholders = PLACEHOLDER.matcher(read(resource));
		StringBuilder config = new StringBuilder();
		while (placeholders.find()) {
			String value = values.get(placeholders.group(1));
			if (value == null) {
				throw new IllegalArgumentException("No value for " + placeholders.group() + " in " + resource);
			}
			placeholders.appendReplacement(config, Matcher.quoteReplacement(value));
		}
		return placeholders.appendTail(config).toString();
	}

	private static String read(String resource) {
		try (InputStream in = ConfigTemplate.class.getResourceAsStream(resource)) {
			if (in == null) {
				throw new IllegalStateException(resource + " is not on the test class path");
			}
			return new String(in.readAllBytes(), UTF_8);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
