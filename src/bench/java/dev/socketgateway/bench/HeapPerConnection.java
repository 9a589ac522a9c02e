package dev.socketgateway.bench;

/**
 * The heap a server holds per open connection: its live heap ({@link AllocationProbe#liveHeapBytes()}) with every
 * connection of the load open, less its live heap before they opened, over their number. Both measures force a full
 * collection, so they are taken outside the measured window: the first as this is made (before the load connects),
 * the second once the window has ended and its last replies are in ({@link Recorder#loadedListener}).
 */
final class HeapPerConnection {

	private final AllocationProbe probe;

	private final Recorder recorder;

	private final long before;

	private volatile double bytes = Double.NaN;

	HeapPerConnection(AllocationProbe probe, Recorder recorder) {
		this.probe = probe;
		this.recorder = recorder;
		this.before = probe.liveHeapBytes();
		recorder.loadedListener = this::loaded;
	}

	private void loaded() {
		long after = this.probe.liveHeapBytes();
		if (this.recorder.connections > 0) {
			this.bytes = (double) (after - this.before) / this.recorder.connections;
		}
	}

	/** The bytes per connection; NaN if the load did not get that far. */
	double bytes() {
		return this.bytes;
	}

}
