package dev.socketgateway.bench;

import java.io.IOException;

/** One scenario's load against one running server, on the calling thread, bounded by the given durations. */
interface Load {

	void run(long warmupNanos, long measuredNanos) throws IOException;

}
