package dev.socketgateway;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The package map of docs/architecture.md, held to the code: dependencies run one way (actuate → listener ←
 * tcp, udp; tcp, udp → transform), and nothing imports the actuator package.
 */
class PackageDependenciesTests {

	private static final Path SOURCES = Path.of("src/main/java/dev/socketgateway");

	private static final Pattern IMPORT = Pattern.compile("^import (?:static )?dev\\.socketgateway\\.([a-z]+)",
			Pattern.MULTILINE);

	/** Which of the service's own packages each package may import; the root package may import any. */
	private static final Map<String, Set<String>> ALLOWED = Map.of(
			"config", Set.of("security"),
			"security", Set.of(),
			"transform", Set.of(),
			"listener", Set.of("config"),
			"tcp", Set.of("config", "listener", "security", "transform"),
			"udp", Set.of("config", "listener", "security", "transform"),
			"actuate", Set.of("config", "listener"));

	@Test
	void nothingOutsideTheActuatorPackageImportsIt() {
		assertThat(imports()).filteredOn((edge) -> !edge.from().equals("actuate") && edge.to().equals("actuate"))
			.isEmpty();
	}

	@Test
	void eachPackageImportsOnlyThePackagesItMayDependOn() {
		List<Edge> edges = imports();
		assertThat(edges).as("imports between the service's packages were found").isNotEmpty();
		assertThat(edges).filteredOn((edge) -> !edge.from().isEmpty() && !edge.from().equals(edge.to()))
			.allSatisfy((edge) -> assertThat(ALLOWED).as("a known package: %s", edge.from()).containsKey(edge.from()))
			.allSatisfy((edge) -> assertThat(ALLOWED.get(edge.from())).as("%s imports %s", edge.file(), edge.to())
				.contains(edge.to()));
	}

	private static List<Edge> imports() {
		List<Edge> edges = new ArrayList<>();
		try (Stream<Path> files = Files.walk(SOURCES)) {
			files.filter((file) -> file.toString().endsWith(".java")).forEach((file) -> {
				Path relative = SOURCES.relativize(file);
				String from = (relative.getNameCount() > 1) ? relative.getName(0).toString() : "";
				Matcher matcher = IMPORT.matcher(read(file));
				while (matcher.find()) {
					edges.add(new Edge(relative.toString(), from, matcher.group(1)));
				}
			});
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return edges;
	}

	private static String read(Path file) {
		try {
			return Files.readString(file);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private record Edge(String file, String from, String to) {
	}

}
