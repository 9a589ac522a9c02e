package dev.socketgateway.udp;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.socketgateway.listener.PeerInfo;

/**
 * The UDP clients a listener heard from most recently, for the connections endpoint and the active
 * gauge. UDP has no connections, so this is the closest operators get to "who is connected"; it keeps
 * the {@value #TRACKED} most recent peers and forgets the oldest.
 */
final class RecentPeers {

	/** Peers remembered per listener. */
	static final int TRACKED = 1000;

	/** A peer counts as active for the gauge while it was heard from within this window. */
	static final Duration ACTIVE_WINDOW = Duration.ofMinutes(1);

	private static final class Peer {

		long datagrams;

		long lastSeen;

	}

	private final Map<SocketAddress, Peer> peers = new LinkedHashMap<>(64, 0.75f, true) {

		@Override
		protected boolean removeEldestEntry(Map.Entry<SocketAddress, Peer> eldest) {
			return size() > TRACKED;
		}

	};

	synchronized void seen(SocketAddress address) {
		Peer peer = this.peers.get(address);
		if (peer == null) {
			peer = new Peer();
			this.peers.put(address, peer);
		}
		peer.datagrams++;
		peer.lastSeen = System.currentTimeMillis();
	}

	synchronized int active() {
		long since = System.currentTimeMillis() - ACTIVE_WINDOW.toMillis();
		int active = 0;
		for (Peer peer : this.peers.values()) {
			if (peer.lastSeen >= since) {
				active++;
			}
		}
		return active;
	}

	synchronized List<PeerInfo> newestFirst() {
		List<PeerInfo> list = new ArrayList<>(this.peers.size());
		this.peers.forEach((address, peer) -> {
			InetSocketAddress socket = (InetSocketAddress) address;
			list.add(new PeerInfo(socket.getAddress().getHostAddress(), socket.getPort(), peer.datagrams,
					Instant.ofEpochMilli(peer.lastSeen)));
		});
		java.util.Collections.reverse(list);
		return list;
	}

}
