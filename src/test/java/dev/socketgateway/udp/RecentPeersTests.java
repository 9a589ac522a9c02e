package dev.socketgateway.udp;

import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import dev.socketgateway.listener.PeerInfo;
import org.junit.jupiter.api.Test;

import org.springframework.integration.ip.IpHeaders;
import org.springframework.messaging.MessageHeaders;
import org.springframework.test.util.ReflectionTestUtils;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * The UDP peers a listener remembers for the connections endpoint and the active gauge: a bounded list,
 * newest first, with a datagram count each.
 */
class RecentPeersTests {

	private final RecentPeers peers = new RecentPeers();

	@Test
	void keepsAtMostTheTrackedNumberOfPeersAndForgetsTheLeastRecentlySeenFirst() {
		for (int i = 0; i < RecentPeers.TRACKED; i++) {
			this.peers.seen(peer(10_000 + i));
		}
		this.peers.seen(peer(10_000));
		this.peers.seen(peer(20_000));
		List<Integer> ports = ports(this.peers.newestFirst());
		assertThat(ports).hasSize(RecentPeers.TRACKED);
		assertThat(ports).as("heard from again, so not the least recent").contains(10_000);
		assertThat(ports).as("the least recently seen").doesNotContain(10_001);
		assertThat(ports).contains(10_002, 20_000);
	}

	@Test
	void aPeersMessagesShareOneHeadersObjectHoldingItsAddressAndNoIdOrTimestamp() {
		RecentPeers.Receiver receiver = this.peers.receiver(0);
		MessageHeaders first = receiver.seen(peer(1));
		MessageHeaders again = receiver.seen(new InetSocketAddress("127.0.0.1", 1));
		MessageHeaders other = receiver.seen(peer(2));
		assertThat(again).isSameAs(first);
		assertThat(other).isNotSameAs(first);
		assertThat(first.get(IpHeaders.PACKET_ADDRESS)).isEqualTo(peer(1));
		assertThat(other.get(IpHeaders.PACKET_ADDRESS)).isEqualTo(peer(2));
		assertThat(first.getId()).isNull();
		assertThat(first.getTimestamp()).isNull();
	}

	@Test
	void listsPeersMostRecentlySeenFirst() {
		this.peers.seen(peer(1));
		this.peers.seen(peer(2));
		this.peers.seen(peer(3));
		this.peers.seen(peer(1));
		assertThat(ports(this.peers.newestFirst())).containsExactly(1, 3, 2);
	}

	@Test
	void countsTheDatagramsOfEachPeerAndWhenTheLastOneArrived() {
		long before = System.currentTimeMillis();
		this.peers.seen(peer(1));
		this.peers.seen(peer(2));
		this.peers.seen(peer(1));
		this.peers.seen(peer(1));
		long after = System.currentTimeMillis();
		List<PeerInfo> newestFirst = this.peers.newestFirst();
		assertThat(newestFirst).extracting(PeerInfo::address).containsOnly("127.0.0.1");
		assertThat(newestFirst).extracting(PeerInfo::port, PeerInfo::datagrams)
			.containsExactly(tuple(1, 3L), tuple(2, 1L));
		assertThat(newestFirst).extracting(PeerInfo::lastSeen)
			.allSatisfy((lastSeen) -> assertThat(lastSeen).isBetween(Instant.ofEpochMilli(before),
					Instant.ofEpochMilli(after)));
	}

	@Test
	void activeCountsOnlyPeersHeardFromWithinTheActiveWindow() {
		this.peers.seen(peer(1));
		this.peers.seen(peer(2));
		this.peers.seen(peer(3));
		assertThat(this.peers.active()).isEqualTo(3);
		// The window is a minute of wall-clock time; age one peer instead of waiting for it.
		lastHeard(peer(2), System.currentTimeMillis() - RecentPeers.ACTIVE_WINDOW.toMillis() - 1_000);
		assertThat(this.peers.active()).isEqualTo(2);
		assertThat(this.peers.newestFirst()).as("an inactive peer is still listed").hasSize(3);
		this.peers.seen(peer(2));
		assertThat(this.peers.active()).isEqualTo(3);
	}

	@Test
	void theReceiveThreadsPeersAreListedTogetherEachPeerOnceUnderTheThreadThatHeardItLast() {
		RecentPeers spread = new RecentPeers(3);
		spread.receiver(0).seen(peer(1));
		spread.receiver(1).seen(peer(2));
		spread.receiver(2).seen(peer(3));
		lastHeard(spread.receiver(2), peer(3), System.currentTimeMillis() - 1_000); // heard by thread 0 later
		spread.receiver(0).seen(peer(3));
		spread.receiver(0).seen(peer(3));
		List<PeerInfo> newestFirst = spread.newestFirst();
		assertThat(newestFirst).extracting(PeerInfo::port, PeerInfo::datagrams, PeerInfo::receiveThread)
			.containsExactlyInAnyOrder(tuple(1, 1L, 0), tuple(2, 1L, 1), tuple(3, 3L, 0));
		assertThat(newestFirst).extracting(PeerInfo::lastSeen).isSortedAccordingTo(java.util.Comparator.reverseOrder());
		assertThat(spread.active()).isEqualTo(3);
	}

	@Test
	void eachReceiveThreadKeepsItsMostRecentPeersSoThatTheListenersMostRecentAreAllListed() {
		RecentPeers spread = new RecentPeers(2);
		for (int i = 0; i < RecentPeers.TRACKED; i++) {
			spread.receiver(i % 2).seen(peer(10_000 + i));
		}
		assertThat(spread.newestFirst()).hasSize(RecentPeers.TRACKED);
		spread.receiver(0).seen(peer(20_000));
		assertThat(spread.newestFirst()).as("at most the tracked number").hasSize(RecentPeers.TRACKED);
		assertThat(ports(spread.newestFirst())).contains(20_000);
	}

	@Test
	void nothingHeardIsNothingActiveAndNothingListed() {
		assertThat(this.peers.active()).isZero();
		assertThat(this.peers.newestFirst()).isEmpty();
	}

	private void lastHeard(InetSocketAddress address, long epochMillis) {
		lastHeard(this.peers.receiver(0), address, epochMillis);
	}

	private static void lastHeard(RecentPeers.Receiver receiver, InetSocketAddress address, long epochMillis) {
		Map<?, ?> byAddress = (Map<?, ?>) ReflectionTestUtils.getField(receiver, "peers");
		ReflectionTestUtils.setField(byAddress.get(address), "lastSeen", epochMillis);
	}

	private static InetSocketAddress peer(int port) {
		return new InetSocketAddress("127.0.0.1", port);
	}

	private static List<Integer> ports(List<PeerInfo> peers) {
		return peers.stream().map(PeerInfo::port).toList();
	}

}
