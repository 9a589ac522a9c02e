package dev.socketgateway.udp;

import dev.socketgateway.listener.ListenerMetrics;
import dev.socketgateway.listener.ThrottledWarnings;
import dev.socketgateway.security.AllowList;

/**
 * What a UDP listener's receive threads share: its name, its checks and its meters. Everything here is safe to use
 * from every receive thread at once.
 * @param name the listener
 * @param maxDatagramBytes the largest datagram answered
 * @param allowList allowed-cidrs
 * @param rate client-message-rate, or null when the listener has none
 * @param metrics the listener's meters
 * @param warnings the listener's one WARN line a second about bad datagrams
 */
record UdpListenerContext(String name, int maxDatagramBytes, AllowList allowList, DatagramRate rate,
		ListenerMetrics metrics, ThrottledWarnings warnings) {
}
