package dev.socketgateway.actuate;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.socketgateway.listener.ConnectionInfo;
import dev.socketgateway.listener.GatewayListener;
import dev.socketgateway.listener.ListenerRegistry;
import dev.socketgateway.listener.PeerInfo;

import org.springframework.boot.actuate.endpoint.Access;
import org.springframework.boot.actuate.endpoint.annotation.DeleteOperation;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.actuate.endpoint.web.annotation.WebEndpoint;
import org.springframework.stereotype.Component;

/**
 * {@code /actuator/connections}: who is connected to each listener, and a way to cut one TCP client off
 * without a restart. Closing is a write operation, off unless the operator sets
 * {@code management.endpoint.connections.access=unrestricted}.
 */
@Component
@WebEndpoint(id = "connections", defaultAccess = Access.READ_ONLY)
public class ConnectionsEndpoint {

	private final ListenerRegistry registry;

	ConnectionsEndpoint(ListenerRegistry registry) {
		this.registry = registry;
	}

	@ReadOperation
	public Map<String, ListenerConnections> connections() {
		Map<String, ListenerConnections> all = new LinkedHashMap<>();
		for (GatewayListener listener : this.registry.listeners()) {
			all.put(listener.name(), describe(listener));
		}
		return all;
	}

	@ReadOperation
	public ListenerConnections listener(@Selector String listener) {
		return this.registry.find(listener).map(ConnectionsEndpoint::describe).orElse(null);
	}

	/**
	 * Closes one TCP connection.
	 * @return what was closed, or 404 when the listener has no open connection with that id (Boot answers a
	 * null from a delete operation with 204, which would tell a mistyped id that it succeeded)
	 */
	@DeleteOperation
	public WebEndpointResponse<ClosedConnection> close(@Selector String listener, @Selector long id) {
		return this.registry.find(listener)
			.filter((candidate) -> candidate.closeConnection(id))
			.map((candidate) -> new WebEndpointResponse<>(new ClosedConnection(listener, id)))
			.orElseGet(() -> new WebEndpointResponse<>(WebEndpointResponse.STATUS_NOT_FOUND));
	}

	private static ListenerConnections describe(GatewayListener listener) {
		return new ListenerConnections(listener.protocol().toString(), listener.port(), listener.activeConnections(),
				listener.connections(), listener.peers());
	}

	/**
	 * One listener's clients.
	 * @param protocol tcp or udp
	 * @param port the port bound
	 * @param active open connections (TCP) or peers heard from in the last minute (UDP)
	 * @param connections open TCP connections
	 * @param peers the UDP peers heard from most recently, newest first, at most 1,000
	 */
	public record ListenerConnections(String protocol, int port, int active, List<ConnectionInfo> connections,
			List<PeerInfo> peers) {
	}

	/**
	 * The answer to a DELETE.
	 * @param listener the listener
	 * @param id the connection closed
	 */
	public record ClosedConnection(String listener, long id) {
	}

}
