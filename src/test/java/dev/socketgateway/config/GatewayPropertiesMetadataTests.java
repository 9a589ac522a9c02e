package dev.socketgateway.config;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.BeanWrapperImpl;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.DataObjectPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.convert.ApplicationConversionService;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.convert.TypeDescriptor;
import org.springframework.core.io.ClassPathResource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What an IDE reads about {@code gateway.listeners.<name>.*}: the configuration processor gives map values no
 * entries, so {@code additional-spring-configuration-metadata.json} declares them as {@code gateway.listeners.*.<key>}.
 * These tests hold that hand-written file to the code: the processor's own metadata of {@code Listener} (its field
 * Javadoc), the fields and defaults of a fresh {@code Listener}, and the enums.
 */
class GatewayPropertiesMetadataTests {

	private static final String PREFIX = "gateway.listeners.*.";

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final JsonNode metadata = read("META-INF/spring-configuration-metadata.json");

	/** The processor's metadata of the Listener type, keys relative to a listener, descriptions from its Javadoc. */
	private final JsonNode listenerSource = read(
			"META-INF/spring/configuration-metadata/dev.socketgateway.config.ListenerProperties.json");

	@Test
	void everyFieldOfAListenerHasAnEntryWithADescription() {
		Map<String, JsonNode> entries = entries(this.metadata.get("properties"), PREFIX);
		assertThat(listenerKeys()).isNotEmpty().allSatisfy((key, field) -> {
			assertThat(entries).as(PREFIX + key).containsKey(key);
			assertThat(entries.get(key).path("description").asString()).as(PREFIX + key).isNotBlank();
		});
	}

	@Test
	void theEntriesAreTheKeysDescriptionsAndTypesTheProcessorFindsOnAListener() {
		Map<String, JsonNode> entries = entries(this.metadata.get("properties"), PREFIX);
		Map<String, JsonNode> source = entries(this.listenerSource.get("properties"), "");
		assertThat(entries.keySet()).containsExactlyInAnyOrderElementsOf(source.keySet());
		source.forEach((key, expected) -> assertSame(entries.get(key), expected, PREFIX + key, "description", "type",
				"sourceType"));
		Map<String, JsonNode> groups = entries(this.metadata.get("groups"), PREFIX);
		Map<String, JsonNode> sourceGroups = entries(this.listenerSource.get("groups"), "");
		assertThat(groups.keySet()).containsExactlyInAnyOrderElementsOf(sourceGroups.keySet());
		sourceGroups.forEach((key, expected) -> assertSame(groups.get(key), expected, PREFIX + key, "type",
				"sourceType", "sourceMethod"));
	}

	/** The entry's fields are the processor's: an IDE goes to the class and method they name. */
	private static void assertSame(JsonNode entry, JsonNode expected, String name, String... fields) {
		for (String field : fields) {
			assertThat(entry.path(field).asString()).as(name + " " + field).isEqualTo(expected.path(field).asString());
		}
	}

	@Test
	void defaultsAreTheValuesOfAFreshListener() {
		Map<String, JsonNode> entries = entries(this.metadata.get("properties"), PREFIX);
		BeanWrapperImpl listener = new BeanWrapperImpl(new ListenerProperties());
		BeanWrapperImpl ssl = new BeanWrapperImpl(new ListenerSslProperties());
		listenerKeys().forEach((key, field) -> {
			Object fresh = (key.startsWith("ssl.") ? ssl : listener).getPropertyValue(field.getName());
			assertThat(entries).as(PREFIX + key).containsKey(key);
			JsonNode documented = entries.get(key).get("defaultValue");
			if (fresh == null) {
				assertThat(documented).as(PREFIX + key + " has no default").isNull();
				return;
			}
			assertThat(documented).as(PREFIX + key + " documents its default").isNotNull();
			Object value = JSON.treeToValue(documented, Object.class);
			Object converted = ApplicationConversionService.getSharedInstance()
				.convert(value, TypeDescriptor.forObject(value), new TypeDescriptor(field));
			assertThat(converted).as(PREFIX + key).isEqualTo(fresh);
		});
	}

	@Test
	void everyEnumKeyHintsExactlyTheEnumValuesAsTheyAreWritten() {
		Map<String, JsonNode> hints = entries(this.metadata.get("hints"), PREFIX);
		Map<String, Class<?>> enumKeys = new LinkedHashMap<>();
		listenerKeys().forEach((key, field) -> {
			if (field.getType().isEnum()) {
				enumKeys.put(key, field.getType());
			}
		});
		assertThat(enumKeys).containsKeys("protocol", "framing", "proxy-protocol", "ssl.client-auth");
		assertThat(hints.keySet()).containsExactlyInAnyOrderElementsOf(enumKeys.keySet());
		enumKeys.forEach((key, type) -> assertThat(values(hints.get(key))).as(PREFIX + key)
			.containsExactlyElementsOf(Arrays.stream(type.getEnumConstants()).map(Object::toString).toList()));
	}

	@Test
	void listenerNamesHintThePackagedListeners() throws IOException {
		Binder packaged = new Binder(ConfigurationPropertySources.from(new YamlPropertySourceLoader()
			.load("packaged", new ClassPathResource("application.yml"))));
		Map<String, Object> listeners = packaged.bind("gateway.listeners", Bindable.mapOf(String.class, Object.class))
			.get();
		JsonNode hint = entries(this.metadata.get("hints"), "gateway.listeners.").get("keys");
		assertThat(values(hint)).containsExactlyElementsOf(listeners.keySet());
		assertThat(hint.path("providers").path(0).path("name").asString()).as("other names are allowed")
			.isEqualTo("any");
	}

	/** Listener and Ssl fields by their kebab-case key relative to a listener; the ssl group stands for its fields. */
	private static Map<String, Field> listenerKeys() {
		Map<String, Field> keys = new LinkedHashMap<>();
		for (Field field : instanceFields(ListenerProperties.class)) {
			if (field.getType() == ListenerSslProperties.class) {
				for (Field sslField : instanceFields(ListenerSslProperties.class)) {
					keys.put(DataObjectPropertyName.toDashedForm(field.getName()) + "."
							+ DataObjectPropertyName.toDashedForm(sslField.getName()), sslField);
				}
			}
			else {
				keys.put(DataObjectPropertyName.toDashedForm(field.getName()), field);
			}
		}
		return keys;
	}

	private static List<Field> instanceFields(Class<?> type) {
		return Arrays.stream(type.getDeclaredFields())
			.filter((field) -> !Modifier.isStatic(field.getModifiers()) && !field.isSynthetic())
			.toList();
	}

	/** Named items of a metadata section whose names start with the prefix, by the rest of their name. */
	private static Map<String, JsonNode> entries(JsonNode items, String prefix) {
		Map<String, JsonNode> entries = new LinkedHashMap<>();
		for (JsonNode item : items) {
			String name = item.path("name").asString();
			if (name.startsWith(prefix)) {
				entries.put(name.substring(prefix.length()), item);
			}
		}
		return entries;
	}

	private static List<String> values(JsonNode hint) {
		List<String> values = new ArrayList<>();
		hint.path("values").forEach((value) -> values.add(value.path("value").asString()));
		return values;
	}

	private static JsonNode read(String path) {
		try (InputStream in = new ClassPathResource(path).getInputStream()) {
			return JSON.readTree(in);
		}
		catch (IOException ex) {
			throw new IllegalStateException(path + " is missing: the configuration processor writes it on compile", ex);
		}
	}

}
