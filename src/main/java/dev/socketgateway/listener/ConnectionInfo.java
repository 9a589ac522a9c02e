package dev.socketgateway.listener;

import java.time.Instant;

/**
 * One open TCP connection as operators see it in {@code /actuator/connections}.
 * @param id the connection's number within its listener, used to close it
 * @param remoteAddress the client's address: the socket's peer, or the client a trusted PROXY header named
 * @param remotePort the client's port
 * @param proxiedBy the load balancer's address and port when a PROXY header named the client; null otherwise
 * @param openedAt when it was accepted
 * @param lastActivity when bytes last arrived (its replies are written at once after)
 * @param bytesReceived bytes read, framing included
 * @param bytesSent bytes written or queued, framing included
 * @param messagesReceived messages framed
 * @param messagesSent replies written or queued
 */
public record ConnectionInfo(long id, String remoteAddress, int remotePort, String proxiedBy, Instant openedAt, Instant lastActivity,
		long bytesReceived, long bytesSent, long messagesReceived, long messagesSent) {
}
