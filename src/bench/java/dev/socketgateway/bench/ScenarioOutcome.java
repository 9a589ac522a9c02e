package dev.socketgateway.bench;

/** Both targets' results for one scenario. */
record ScenarioOutcome(Scenario scenario, int warmupSeconds, int measuredSeconds, RunResult gateway,
		RunResult netty) {

	boolean ok() {
		return this.gateway.ok() && this.netty.ok();
	}

	/** Gateway throughput over Netty's: below 1 means the gateway is slower. */
	double throughputRatio() {
		return ok() ? this.gateway.msgsPerSecond() / this.netty.msgsPerSecond() : Double.NaN;
	}

	/** Gateway p99 over Netty's: above 1 means the gateway's tail is longer. */
	double p99Ratio() {
		return (ok() && this.netty.p99Micros() > 0) ? (double) this.gateway.p99Micros() / this.netty.p99Micros()
				: Double.NaN;
	}

}
