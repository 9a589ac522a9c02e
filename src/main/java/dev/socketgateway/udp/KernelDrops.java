package dev.socketgateway.udp;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The datagrams the kernel dropped on one UDP listener's sockets, mostly because their receive buffer was full:
 * {@code gateway.errors{reason=receive-buffer-full}}, read from {@link ProcNetUdp} whenever the meter is read, never
 * per datagram. One per listener name for as long as the application runs, so that the count goes on from where it
 * was when the listener starts again on new sockets; it never goes down.
 *
 * <p>Bounded: it tracks the sockets of the listener's current start, at most
 * {@link dev.socketgateway.config.ListenerProperties#MAX_RECEIVE_THREADS}.
 */
final class KernelDrops {

	/** Each tracked socket's inode, and its drops when last read; a closed socket keeps its last value. */
	private final Map<Long, Long> sockets = new HashMap<>();

	/** The drops of the sockets of earlier starts. */
	private long retired;

	/** Counts the drops of these sockets (inodes) from now on. */
	synchronized void track(Set<Long> inodes) {
		inodes.forEach((inode) -> this.sockets.putIfAbsent(inode, 0L));
	}

	/** The listener is stopping: its sockets' drops, read one last time before they close, become history. */
	synchronized void retire() {
		this.retired = count();
		this.sockets.clear();
	}

	/** The drops so far, over every start of the listener. */
	synchronized long count() {
		if (!this.sockets.isEmpty()) {
			ProcNetUdp.readDrops(this.sockets);
		}
		long drops = this.retired;
		for (long socketDrops : this.sockets.values()) {
			drops += socketDrops;
		}
		return drops;
	}

}
