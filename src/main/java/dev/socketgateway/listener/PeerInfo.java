package dev.socketgateway.listener;

import java.time.Instant;

/**
 * A UDP client seen recently.
 * @param address the client's address
 * @param port the client's port
 * @param datagrams datagrams received from it while it was tracked
 * @param lastSeen when its last datagram arrived
 * @param receiveThread the listener's receive thread (and socket) that took its datagrams, from 0 to
 * receive-threads - 1: the kernel gives each client to one of them
 */
public record PeerInfo(String address, int port, long datagrams, Instant lastSeen, int receiveThread) {
}
