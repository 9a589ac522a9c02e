package dev.socketgateway.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * UDP closed loop on one selector thread: each client sends a datagram and waits for its reply; a reply not in within
 * 1 s is lost and the client moves on to its next request.
 */
final class UdpLoad implements Load {

	private static final long REPLY_TIMEOUT = TimeUnit.SECONDS.toNanos(1);

	private final Scenario scenario;

	private final InetSocketAddress server;

	private final Recorder recorder;

	private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(64 * 1024);

	private final byte[] datagram = new byte[64 * 1024];

	private UdpClient[] clients;

	private boolean sending;

	UdpLoad(Scenario scenario, InetSocketAddress server, Recorder recorder) {
		this.scenario = scenario;
		this.server = server;
		this.recorder = recorder;
	}

	@Override
	public void run(long warmupNanos, long measuredNanos) throws IOException {
		this.clients = new UdpClient[this.scenario.connections()];
		try (Selector selector = Selector.open()) {
			for (int id = 0; id < this.clients.length; id++) {
				DatagramChannel channel = DatagramChannel.open(StandardProtocolFamily.INET);
				UdpClient client = new UdpClient(id, channel);
				this.clients[id] = client;
				// Connected: the kernel drops datagrams from anyone but the server's own address and port.
				channel.connect(this.server);
				channel.configureBlocking(false);
				client.key = channel.register(selector, SelectionKey.OP_READ, client);
			}
			this.recorder.connections = this.clients.length;
			long start = System.nanoTime();
			long windowEnd = start + warmupNanos + measuredNanos;
			this.recorder.window(start + warmupNanos, windowEnd);
			this.sending = true;
			for (UdpClient client : this.clients) {
				send(client, start);
			}
			while (System.nanoTime() < windowEnd) {
				select(selector, Math.min(windowEnd, expireOverdue()));
			}
			this.sending = false;
			// The replies still owed get their full second, then count as lost.
			long drainEnd = System.nanoTime() + REPLY_TIMEOUT;
			while (System.nanoTime() < drainEnd && awaitingCount() > 0) {
				select(selector, drainEnd);
			}
			this.recorder.lost += awaitingCount();
		}
		finally {
			for (UdpClient client : this.clients) {
				if (client != null) {
					client.close();
				}
			}
		}
	}

	/** Counts requests past their timeout as lost and moves those clients on; returns the next timeout. */
	private long expireOverdue() {
		long now = System.nanoTime();
		long next = Long.MAX_VALUE;
		for (UdpClient client : this.clients) {
			if (client.awaiting && now - client.sentAt >= REPLY_TIMEOUT) {
				this.recorder.lost++;
				client.awaiting = false;
				client.sequence++;
				send(client, now);
			}
			if (client.awaiting) {
				next = Math.min(next, client.sentAt + REPLY_TIMEOUT);
			}
		}
		return next;
	}

	private void select(Selector selector, long wakeAt) throws IOException {
		long waitMillis = TimeUnit.NANOSECONDS.toMillis(wakeAt - System.nanoTime() + 999_999);
		if (waitMillis <= 0) {
			selector.selectNow(this::ready);
		}
		else {
			selector.select(this::ready, waitMillis);
		}
	}

	private void ready(SelectionKey key) {
		UdpClient client = (UdpClient) key.attachment();
		// Every datagram queued on this channel, so a late one never hides a current one.
		for (int datagrams = 0; datagrams < 64; datagrams++) {
			this.readBuffer.clear();
			int length;
			try {
				length = client.channel.read(this.readBuffer);
			}
			catch (PortUnreachableException ex) {
				// ICMP port unreachable for an earlier send: the server was not there. The timeout moves on.
				this.recorder.resets++;
				return;
			}
			catch (IOException ex) {
				this.recorder.resets++;
				return;
			}
			if (length <= 0) {
				return;
			}
			long now = System.nanoTime();
			this.readBuffer.flip();
			this.readBuffer.get(this.datagram, 0, length);
			received(client, length, now);
		}
	}

	private void received(UdpClient client, int length, long now) {
		if (client.awaiting && length == Messages.SIZE
				&& Arrays.equals(this.datagram, 0, Messages.SIZE, client.expected, 0, Messages.SIZE)) {
			this.recorder.completed(client.sentAt, now);
			client.awaiting = false;
			client.sequence++;
			if (this.sending) {
				send(client, now);
			}
			return;
		}
		long answered = Messages.sequenceOfReply(this.datagram, 0, length, client.id);
		if (answered >= 0 && answered < client.sequence) {
			// A correct reply that came after its timeout: already counted as lost.
			this.recorder.late++;
		}
		else {
			this.recorder.wrongBytes++;
		}
	}

	private void send(UdpClient client, long now) {
		client.prepare();
		client.sentAt = now;
		client.awaiting = true;
		this.recorder.sent++;
		try {
			client.channel.write(client.request);
		}
		catch (IOException ex) {
			// Usually a port-unreachable left over from the previous send; this request then times out as lost.
			this.recorder.resets++;
		}
	}

	private long awaitingCount() {
		return Arrays.stream(this.clients).filter((client) -> client.awaiting).count();
	}

}
