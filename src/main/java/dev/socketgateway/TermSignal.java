package dev.socketgateway;

import sun.misc.Signal;

/**
 * Makes SIGTERM a clean stop. The JVM's own handler runs the shutdown hooks (and so the graceful drain)
 * but then exits with status 143, which process supervisors report as a failure; exiting through
 * {@link System#exit(int)} runs the same hooks and exits 0.
 */
public final class TermSignal {

	private TermSignal() {
	}

	public static void exitZeroOnTerm() {
		Signal.handle(new Signal("TERM"), (signal) -> {
			Thread exit = new Thread(() -> System.exit(0), "sigterm-exit");
			exit.start();
		});
	}

}
