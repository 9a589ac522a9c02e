package dev.socketgateway.bench;

import java.util.LinkedHashMap;
import java.util.Map;

import org.HdrHistogram.Histogram;

/**
 * One target's figures for one scenario; {@code failure} is null when the run counts. {@code bytesPerMessage} is
 * what the server allocated per message answered in the measured window ({@link AllocationProbe}), NaN if unknown;
 * {@code heapBytesPerConnection} the heap an open connection held, measured on the paced scenario only, NaN
 * elsewhere.
 */
record RunResult(Target target, String failure, double msgsPerSecond, long p50Micros, long p99Micros,
		long p999Micros, long maxMicros, double meanMicros, Recorder counts, long peakRssKb, Integer exitCode,
		double bytesPerMessage, double heapBytesPerConnection) {

	static RunResult of(Target target, Recorder recorder, int measuredSeconds, long peakRssKb, Integer exitCode,
			String failure) {
		if (failure == null && recorder.completedInWindow == 0) {
			failure = "no verified reply in the measured window";
		}
		Histogram latencies = recorder.latencyMicros;
		boolean measured = latencies.getTotalCount() > 0;
		return new RunResult(target, failure, (double) recorder.completedInWindow / measuredSeconds,
				measured ? latencies.getValueAtPercentile(50) : -1, measured ? latencies.getValueAtPercentile(99) : -1,
				measured ? latencies.getValueAtPercentile(99.9) : -1, measured ? latencies.getMaxValue() : -1,
				measured ? latencies.getMean() : Double.NaN, recorder, peakRssKb, exitCode, Double.NaN, Double.NaN);
	}

	RunResult withBytesPerMessage(double bytes) {
		return new RunResult(this.target, this.failure, this.msgsPerSecond, this.p50Micros, this.p99Micros,
				this.p999Micros, this.maxMicros, this.meanMicros, this.counts, this.peakRssKb, this.exitCode, bytes,
				this.heapBytesPerConnection);
	}

	RunResult withHeapBytesPerConnection(double bytes) {
		return new RunResult(this.target, this.failure, this.msgsPerSecond, this.p50Micros, this.p99Micros,
				this.p999Micros, this.maxMicros, this.meanMicros, this.counts, this.peakRssKb, this.exitCode,
				this.bytesPerMessage, bytes);
	}

	boolean ok() {
		return this.failure == null;
	}

	long errors() {
		return this.counts.errors();
	}

	long lost() {
		return this.counts.lost;
	}

	double peakRssMb() {
		return (this.peakRssKb < 0) ? Double.NaN : this.peakRssKb / 1024.0;
	}

	Map<String, Object> toJson() {
		Map<String, Object> json = new LinkedHashMap<>();
		json.put("status", ok() ? "ok" : "failed");
		json.put("failure", this.failure);
		json.put("msgsPerSecond", ok() ? this.msgsPerSecond : null);
		Map<String, Object> latency = new LinkedHashMap<>();
		latency.put("p50", micros(this.p50Micros));
		latency.put("p99", micros(this.p99Micros));
		latency.put("p999", micros(this.p999Micros));
		latency.put("max", micros(this.maxMicros));
		latency.put("mean", this.meanMicros);
		json.put("latencyMicros", latency);
		json.put("connections", this.counts.connections);
		json.put("sent", this.counts.sent);
		json.put("completed", this.counts.completed);
		json.put("completedInWindow", this.counts.completedInWindow);
		Map<String, Object> errors = new LinkedHashMap<>();
		errors.put("total", errors());
		errors.put("wrongBytes", this.counts.wrongBytes);
		errors.put("connectFailures", this.counts.connectFailures);
		errors.put("resets", this.counts.resets);
		json.put("errors", errors);
		json.put("lost", this.counts.lost);
		json.put("lateUdpReplies", this.counts.late);
		json.put("skippedPacedSends", this.counts.skipped);
		json.put("peakRssMb", peakRssMb());
		json.put("allocatedBytesPerMessage", Double.isNaN(this.bytesPerMessage) ? null : this.bytesPerMessage);
		json.put("heapBytesPerOpenConnection",
				Double.isNaN(this.heapBytesPerConnection) ? null : this.heapBytesPerConnection);
		json.put("serverExitCode", this.exitCode);
		return json;
	}

	private static Long micros(long value) {
		return (value < 0) ? null : value;
	}

}
