package dev.socketgateway.actuate;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.socketgateway.listener.GatewayListener;
import dev.socketgateway.listener.ListenerRegistry;
import dev.socketgateway.listener.ListenerState;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.Access;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.actuate.endpoint.web.annotation.WebEndpoint;
import org.springframework.stereotype.Component;

/**
 * {@code /actuator/listeners}: each listener's state, and a way to pause, drain and resume one without a restart
 * ({@code POST /actuator/listeners/<name>} with {@code {"state": "paused"}}). Changing a state is a write
 * operation, off unless the operator sets {@code management.endpoint.listeners.access=unrestricted}.
 */
@Component
@WebEndpoint(id = "listeners", defaultAccess = Access.READ_ONLY)
public class ListenersEndpoint {

	/** The answer when the listener could not take the state asked for: its port is taken, or it has stopped. */
	static final int STATUS_CONFLICT = 409;

	private final ListenerRegistry registry;

	ListenersEndpoint(ListenerRegistry registry) {
		this.registry = registry;
	}

	@ReadOperation
	public Map<String, ListenerDescriptor> listeners() {
		Map<String, ListenerDescriptor> all = new LinkedHashMap<>();
		for (GatewayListener listener : this.registry.listeners()) {
			all.put(listener.name(), describe(listener));
		}
		return all;
	}

	/** One listener; Boot answers 404 for a null. */
	@ReadOperation
	public ListenerDescriptor listener(@Selector String name) {
		return this.registry.find(name).map(ListenersEndpoint::describe).orElse(null);
	}

	/**
	 * Moves a listener to {@code running}, {@code paused} or {@code draining}.
	 * @param state from the JSON body; optional here so that a missing one gets the same answer as a wrong one
	 * @return the listener in its new state; 404 for an unknown listener, 400 naming the allowed states for
	 * another state, 409 when the listener cannot listen on its port again (it stays as it was) or has stopped
	 */
	@WriteOperation
	public WebEndpointResponse<Object> changeState(@Selector String name, @Nullable String state) {
		Optional<GatewayListener> listener = this.registry.find(name);
		if (listener.isEmpty()) {
			return new WebEndpointResponse<>(WebEndpointResponse.STATUS_NOT_FOUND);
		}
		Optional<ListenerState> target = ListenerState.target(state);
		if (target.isEmpty()) {
			return new WebEndpointResponse<>(new Refused("Unknown state '" + state + "'; the allowed states are "
					+ String.join(", ", ListenerState.TARGETS), ListenerState.TARGETS, null),
					WebEndpointResponse.STATUS_BAD_REQUEST);
		}
		try {
			listener.get().changeState(target.get());
		}
		catch (IllegalStateException ex) {
			return new WebEndpointResponse<>(
					new Refused(ex.getMessage(), ListenerState.TARGETS, listener.get().state().toString()),
					STATUS_CONFLICT);
		}
		return new WebEndpointResponse<>(describe(listener.get()));
	}

	private static ListenerDescriptor describe(GatewayListener listener) {
		return new ListenerDescriptor(listener.protocol().toString(), listener.port(), listener.state().toString(),
				listener.activeConnections());
	}

	/**
	 * One listener.
	 * @param protocol tcp or udp
	 * @param port the port bound, which a paused listener keeps; -1 once stopped
	 * @param state running, paused, draining or stopped
	 * @param openConnections open TCP connections, or UDP peers heard from in the last minute
	 */
	public record ListenerDescriptor(String protocol, int port, String state, int openConnections) {
	}

	/**
	 * Why a change of state was refused.
	 * @param error what was wrong
	 * @param allowedStates the states that may be asked for
	 * @param state the listener's state, which did not change; null for a request that was not understood
	 */
	public record Refused(String error, List<String> allowedStates, String state) {
	}

}
