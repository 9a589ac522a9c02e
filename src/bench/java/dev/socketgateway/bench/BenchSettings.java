package dev.socketgateway.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * The knobs, read from system properties so that {@code ./mvnw -Pbench verify -Dbench.seconds=3} reaches them.
 */
record BenchSettings(int seconds, int warmupSeconds, int pacedSeconds, int rounds, List<Scenario> scenarios) {

	static BenchSettings fromSystemProperties() {
		return new BenchSettings(seconds("bench.seconds", 8, 1), seconds("bench.warmup", 5, 0),
				seconds("bench.paced.seconds", 60, 1), seconds("bench.rounds", 3, 1),
				scenarios(System.getProperty("bench.scenarios", "all")));
	}

	private static int seconds(String property, int defaultValue, int minimum) {
		String value = System.getProperty(property, "").trim();
		if (value.isEmpty()) {
			return defaultValue;
		}
		int seconds;
		try {
			seconds = Integer.parseInt(value);
		}
		catch (NumberFormatException ex) {
			throw new IllegalArgumentException(property + " must be a whole number of seconds, not '" + value + "'");
		}
		// An hour caps a typo such as 600000 that would otherwise hold the build for days.
		if (seconds < minimum || seconds > 3_600) {
			throw new IllegalArgumentException(property + " must be between " + minimum + " and 3600, not " + seconds);
		}
		return seconds;
	}

	private static List<Scenario> scenarios(String value) {
		if (value.isBlank() || value.trim().equalsIgnoreCase("all")) {
			return Scenario.ALL;
		}
		List<Scenario> chosen = new ArrayList<>();
		for (String name : value.split(",")) {
			Scenario scenario = Scenario.ALL.stream()
				.filter((candidate) -> candidate.name().equals(name.trim()))
				.findFirst()
				.orElseThrow(() -> new IllegalArgumentException("bench.scenarios: unknown scenario '" + name.trim()
						+ "'; known: " + Scenario.ALL.stream().map(Scenario::name).toList()));
			if (!chosen.contains(scenario)) {
				chosen.add(scenario);
			}
		}
		// Run in the canonical order whatever order was asked for, so reports line up across runs.
		chosen.sort((a, b) -> Integer.compare(Scenario.ALL.indexOf(a), Scenario.ALL.indexOf(b)));
		return List.copyOf(chosen);
	}

}
