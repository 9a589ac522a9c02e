package dev.socketgateway.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One server's launches in the start-up scenario: for each, the wall-clock time from starting the process to the
 * first correct TCP reply, and the CPU time the process had used by then (steadier than wall-clock on a machine
 * shared with other work). {@code failure} is null when every launch answered.
 */
record StartupResult(StartupServer server, List<Long> millis, List<Long> cpuMillis, String failure) {

	boolean ok() {
		return this.failure == null && !this.millis.isEmpty();
	}

	long medianMillis() {
		return median(this.millis);
	}

	long medianCpuMillis() {
		return median(this.cpuMillis);
	}

	long minMillis() {
		return this.millis.stream().mapToLong(Long::longValue).min().orElse(-1);
	}

	long maxMillis() {
		return this.millis.stream().mapToLong(Long::longValue).max().orElse(-1);
	}

	/** The lower middle one of an even count, as the throughput rows pick their round; -1 when there is none. */
	private static long median(List<Long> values) {
		if (values.isEmpty()) {
			return -1;
		}
		List<Long> sorted = new ArrayList<>(values);
		sorted.sort(null);
		return sorted.get((sorted.size() - 1) / 2);
	}

	Map<String, Object> toJson() {
		Map<String, Object> json = new LinkedHashMap<>();
		json.put("status", ok() ? "ok" : "failed");
		json.put("failure", this.failure);
		json.put("medianMillis", ok() ? medianMillis() : null);
		json.put("medianCpuMillis", ok() ? medianCpuMillis() : null);
		json.put("millis", this.millis);
		json.put("cpuMillis", this.cpuMillis);
		return json;
	}

}
