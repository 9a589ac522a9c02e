package dev.socketgateway.listener;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Where a listener is in its life, as {@code /actuator/listeners} and health show it. An operator moves a listener
 * between {@link #RUNNING}, {@link #PAUSED} and {@link #DRAINING}; {@link #STOPPED} is where shutdown leaves it.
 */
public enum ListenerState {

	/** Accepting new clients (TCP) or answering datagrams (UDP). */
	RUNNING,

	/** Refusing new TCP clients while serving the open connections; dropping UDP datagrams. */
	PAUSED,

	/** As {@link #PAUSED}, and closing the open TCP connections once their replies are written. */
	DRAINING,

	/** Shut down; final. */
	STOPPED;

	/** The states an operator may ask for, as they are written. */
	public static final List<String> TARGETS = List.of(RUNNING.toString(), PAUSED.toString(), DRAINING.toString());

	/**
	 * The state an operator asked for, ignoring case.
	 * @return empty unless it is one of {@link #TARGETS}
	 */
	public static Optional<ListenerState> target(String value) {
		if (value == null) {
			return Optional.empty();
		}
		String state = value.strip().toLowerCase(Locale.ROOT);
		return TARGETS.contains(state) ? Optional.of(valueOf(state.toUpperCase(Locale.ROOT))) : Optional.empty();
	}

	/** Whether new clients are turned away: paused or draining. */
	public boolean refusesNewClients() {
		return this == PAUSED || this == DRAINING;
	}

	@Override
	public String toString() {
		return name().toLowerCase(Locale.ROOT);
	}

}
