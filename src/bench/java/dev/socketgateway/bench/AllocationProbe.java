package dev.socketgateway.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;


import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

import com.sun.management.ThreadMXBean;
import com.sun.tools.attach.AttachNotSupportedException;
import com.sun.tools.attach.VirtualMachine;

/**
 * The bytes a server allocates per answered message: the sum over its threads of
 * {@link ThreadMXBean#getThreadAllocatedBytes(long[])} at the end of the measured window less at its start, over the
 * replies completed in the window. The JVM counts those bytes exactly (every TLAB and outside-TLAB allocation of the
 * thread), so the figure does not depend on the machine's speed, only on what the server's code allocates.
 * <p>
 * The probe attaches to the server's JVM through the Attach API and starts its local JMX agent (loopback only, no
 * port to choose, no flag on the server's command line), during the warm-up, so that the agent's own start is not in
 * the window. A thread that ends inside the window loses its count; the servers' event loops and receive threads live
 * through the run, and a thread started in the window counts whole. The two snapshots' own JMX calls allocate a few
 * kilobytes in the server, a rounding error over the window's hundreds of thousands of messages.
 * <p>
 * Through the same connection it reads the server's live heap ({@link #liveHeapBytes()}), from which
 * {@link HeapPerConnection} works out the heap an open connection holds.
 */
final class AllocationProbe implements AutoCloseable {

	private final JMXConnector connector;

	private final ThreadMXBean threads;

	private final MemoryMXBean memory;

	private Thread sampler;

	private volatile Map<Long, Long> atStart;

	private volatile Map<Long, Long> atEnd;

	private volatile Exception failure;

	private AllocationProbe(JMXConnector connector, ThreadMXBean threads, MemoryMXBean memory) {
		this.connector = connector;
		this.threads = threads;
		this.memory = memory;
	}

	/** Attaches to the server with the given process id, which must be a JVM of this user. */
	static AllocationProbe attach(long pid) throws IOException {
		String address;
		try {
			VirtualMachine vm = VirtualMachine.attach(String.valueOf(pid));
			try {
				address = vm.startLocalManagementAgent();
			}
			finally {
				vm.detach();
			}
		}
		catch (AttachNotSupportedException ex) {
			throw new IOException("cannot attach to process " + pid + ": " + ex.getMessage(), ex);
		}
		JMXConnector connector = JMXConnectorFactory.connect(new JMXServiceURL(address));
		try {
			ThreadMXBean threads = ManagementFactory.newPlatformMXBeanProxy(connector.getMBeanServerConnection(),
					ManagementFactory.THREAD_MXBEAN_NAME, ThreadMXBean.class);
			if (!threads.isThreadAllocatedMemorySupported()) {
				throw new IOException("process " + pid + " does not count allocated bytes per thread");
			}
			threads.setThreadAllocatedMemoryEnabled(true);
			MemoryMXBean memory = ManagementFactory.newPlatformMXBeanProxy(connector.getMBeanServerConnection(),
					ManagementFactory.MEMORY_MXBEAN_NAME, MemoryMXBean.class);
			return new AllocationProbe(connector, threads, memory);
		}
		catch (IOException | RuntimeException ex) {
			connector.close();
			throw ex;
		}
	}

	/**
	 * Takes the snapshots at the window's start and end (both {@link System#nanoTime()}) on a thread of its own, so
	 * that the load generator's thread does not wait for JMX.
	 */
	void window(long start, long end) {
		this.sampler = new Thread(() -> {
			try {
				this.atStart = snapshotAt(start);
				this.atEnd = snapshotAt(end);
			}
			catch (Exception ex) {
				this.failure = ex;
			}
		}, "bench-allocation-probe");
		this.sampler.setDaemon(true);
		this.sampler.start();
	}

	private Map<Long, Long> snapshotAt(long nanoTime) {
		long wait;
		while ((wait = nanoTime - System.nanoTime()) > 0) {
			LockSupport.parkNanos(wait);
		}
		long[] ids = this.threads.getAllThreadIds();
		long[] bytes = this.threads.getThreadAllocatedBytes(ids);
		Map<Long, Long> snapshot = new HashMap<>();
		for (int i = 0; i < ids.length; i++) {
			// -1: the thread ended between the two calls.
			if (bytes[i] >= 0) {
				snapshot.put(ids[i], bytes[i]);
			}
		}
		return snapshot;
	}

	/**
	 * The bytes allocated in the window over the messages answered in it; NaN if the window's snapshots are missing
	 * (the window never started, or a snapshot failed) or no message was answered.
	 */
	double bytesPerMessage(long messages) throws InterruptedException {
		Thread thread = this.sampler;
		if (thread == null) {
			return Double.NaN;
		}
		// The end snapshot is due at the window's end, which has passed when the load returns.
		thread.join(TimeUnit.SECONDS.toMillis(30));
		Map<Long, Long> start = this.atStart;
		Map<Long, Long> end = this.atEnd;
		if (this.failure != null || start == null || end == null || messages <= 0) {
			return Double.NaN;
		}
		long allocated = 0;
		for (Map.Entry<Long, Long> entry : end.entrySet()) {
			allocated += entry.getValue() - start.getOrDefault(entry.getKey(), 0L);
		}
		return (double) allocated / messages;
	}

	/**
	 * The heap the server holds: a full collection ({@code System.gc()} in the server), then the heap in use. Taken
	 * before the connections open and again while they are all open, the difference over their number is the heap
	 * an open connection holds. A full collection moves whatever survives it to the old generation, so it is taken
	 * only outside the measured window, where it changes no latency.
	 */
	long liveHeapBytes() {
		this.memory.gc();
		return this.memory.getHeapMemoryUsage().getUsed();
	}

	@Override
	public void close() throws IOException {
		this.connector.close();
	}

}
