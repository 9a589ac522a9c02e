package dev.socketgateway.udp;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.socketgateway.listener.PeerInfo;

import org.springframework.integration.ip.IpHeaders;
import org.springframework.messaging.MessageHeaders;

/**
 * The UDP clients a listener heard from most recently, for the connections endpoint and the active
 * gauge. UDP has no connections, so this is the closest operators get to "who is connected"; it keeps
 * the {@value #TRACKED} most recent peers and forgets the oldest.
 *
 * <p>Each receive thread notes its peers in a {@link Receiver} of its own, so that the threads never wait for one
 * another; the kernel gives each client to one socket, so a peer is normally in one of them. The views merge them
 * when read.
 */
final class RecentPeers {

	/** Peers remembered per listener (and per receive thread, so that the listener's most recent are all kept). */
	static final int TRACKED = 1000;

	/** A peer counts as active for the gauge while it was heard from within this window. */
	static final Duration ACTIVE_WINDOW = Duration.ofMinutes(1);

	private static final Comparator<PeerInfo> NEWEST_FIRST = Comparator.comparing(PeerInfo::lastSeen).reversed();

	private static final class Peer {

		/** Made once per peer, so that a datagram costs no headers of its own. */
		final MessageHeaders headers;

		long datagrams;

		long lastSeen;

		Peer(SocketAddress address) {
			this.headers = new PeerHeaders(address);
		}

	}

	/**
	 * The headers of every message from one peer: its address, which the reply goes to, and nothing else. Nothing on
	 * the flow's path reads a message id or timestamp, so there are none (as on TCP, where a connection's headers are
	 * made once): per datagram they would cost a map copy, a random id and a clock read, most of what a datagram
	 * allocated.
	 */
	private static final class PeerHeaders extends MessageHeaders {

		PeerHeaders(SocketAddress address) {
			super(Map.of(IpHeaders.PACKET_ADDRESS, address), ID_VALUE_NONE, -1L);
		}

	}

	/** The peers one receive thread heard from; its lock is only ever contended by a read of the views. */
	static final class Receiver {

		private final int index;

		private final Map<SocketAddress, Peer> peers = new LinkedHashMap<>(64, 0.75f, true) {

			@Override
			protected boolean removeEldestEntry(Map.Entry<SocketAddress, Peer> eldest) {
				return size() > TRACKED;
			}

		};

		private Receiver(int index) {
			this.index = index;
		}

		/** Notes a datagram from this peer; returns the headers its messages carry. */
		synchronized MessageHeaders seen(SocketAddress address) {
			Peer peer = this.peers.get(address);
			if (peer == null) {
				peer = new Peer(address);
				this.peers.put(address, peer);
			}
			peer.datagrams++;
			peer.lastSeen = System.currentTimeMillis();
			return peer.headers;
		}

		private synchronized void addActive(long since, Set<SocketAddress> active) {
			this.peers.forEach((address, peer) -> {
				if (peer.lastSeen >= since) {
					active.add(address);
				}
			});
		}

		/** Newest first. */
		private synchronized List<PeerInfo> newestFirst() {
			List<PeerInfo> list = new ArrayList<>(this.peers.size());
			this.peers.forEach((address, peer) -> {
				InetSocketAddress socket = (InetSocketAddress) address;
				list.add(new PeerInfo(socket.getAddress().getHostAddress(), socket.getPort(), peer.datagrams,
						Instant.ofEpochMilli(peer.lastSeen), this.index));
			});
			java.util.Collections.reverse(list);
			return list;
		}

	}

	private final Receiver[] receivers;

	RecentPeers() {
		this(1);
	}

	/** @param receivers the listener's receive threads */
	RecentPeers(int receivers) {
		this.receivers = new Receiver[receivers];
		for (int i = 0; i < receivers; i++) {
			this.receivers[i] = new Receiver(i);
		}
	}

	/** Where receive thread {@code index} notes its peers. */
	Receiver receiver(int index) {
		return this.receivers[index];
	}

	/** A datagram from this peer, noted for the first receive thread. */
	void seen(SocketAddress address) {
		this.receivers[0].seen(address);
	}

	int active() {
		long since = System.currentTimeMillis() - ACTIVE_WINDOW.toMillis();
		Set<SocketAddress> active = new HashSet<>();
		for (Receiver receiver : this.receivers) {
			receiver.addActive(since, active);
		}
		return active.size();
	}

	/**
	 * The {@value #TRACKED} peers heard from most recently, newest first. A peer that more than one thread heard from
	 * (the kernel spread the clients anew while the sockets were being bound) is listed once, with its datagrams
	 * added up, under the thread that heard from it last.
	 */
	List<PeerInfo> newestFirst() {
		if (this.receivers.length == 1) {
			return this.receivers[0].newestFirst();
		}
		Map<String, PeerInfo> merged = new LinkedHashMap<>();
		for (Receiver receiver : this.receivers) {
			for (PeerInfo peer : receiver.newestFirst()) {
				merged.merge(peer.address() + " " + peer.port(), peer, RecentPeers::sum);
			}
		}
		// Stable, and each thread's list is newest first already: peers seen within one millisecond keep their order.
		return merged.values().stream().sorted(NEWEST_FIRST).limit(TRACKED).toList();
	}

	private static PeerInfo sum(PeerInfo one, PeerInfo other) {
		PeerInfo last = one.lastSeen().isAfter(other.lastSeen()) ? one : other;
		return new PeerInfo(last.address(), last.port(), one.datagrams() + other.datagrams(), last.lastSeen(),
				last.receiveThread());
	}

}
