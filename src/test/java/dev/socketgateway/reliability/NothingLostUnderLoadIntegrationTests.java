package dev.socketgateway.reliability;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import static dev.socketgateway.GatewayClients.readExactly;
import static dev.socketgateway.GatewayClients.readToEnd;
import static dev.socketgateway.GatewayClients.send;
import static dev.socketgateway.GatewayClients.tcp;
import static dev.socketgateway.GatewayClients.text;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A hundred clients connecting, pipelining random messages, reading and disconnecting in every way, for 15
 * seconds ({@code -Dreliability.soakSeconds=480} for the soak, as {@code ./mvnw -Psoak verify} runs it): every
 * reply is the request upper-cased, byte for byte and in order, on every connection.
 */
class NothingLostUnderLoadIntegrationTests extends ReliabilityTestSupport {

	private static final int CLIENTS = 100;

	private static final long SECONDS = Long.getLong("reliability.soakSeconds", 15);

	private static final int MAX_MESSAGES = 20;

	private static final int MAX_MESSAGE_BYTES = 2000;

	@Test
	void everyReplyOfAHundredChurningPipeliningClientsIsTheirRequestUpperCasedInOrder() throws Exception {
		String[] listeners = { "tcp", "line" };
		double[] opened = { count("gateway.connections.opened", "tcp"), count("gateway.connections.opened", "line") };
		double[] closed = { count("gateway.connections.closed", "tcp"), count("gateway.connections.closed", "line") };
		double[] malformed = { errors("tcp", "malformed"), errors("line", "malformed") };
		double[] tooLarge = { errors("tcp", "frame-too-large"), errors("line", "frame-too-large") };
		long heapBefore = usedHeapAfterGc();
		AtomicLong verified = new AtomicLong();
		AtomicLong abandoned = new AtomicLong();
		AtomicLong bytes = new AtomicLong();
		Queue<String> failures = new ConcurrentLinkedQueue<>();
		long start = System.nanoTime();
		long deadline = start + TimeUnit.SECONDS.toNanos(SECONDS);
		ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
		try {
			List<Future<?>> clients = new ArrayList<>();
			for (int c = 0; c < CLIENTS; c++) {
				clients.add(pool.submit(() -> {
					ThreadLocalRandom random = ThreadLocalRandom.current();
					while (System.nanoTime() < deadline && failures.size() < 10) {
						boolean line = random.nextBoolean();
						String listener = line ? "line" : "tcp";
						byte[] request = request(random, line);
						Ending ending = Ending.values()[random.nextInt(Ending.values().length)];
						try {
							if (connection(port(listener), request, ending, random)) {
								verified.incrementAndGet();
								bytes.addAndGet(request.length);
							}
							else {
								abandoned.incrementAndGet();
							}
						}
						catch (IOException | AssertionError ex) {
							failures.add(listener + " " + ending + " " + request.length + " bytes: " + ex);
						}
					}
					return null;
				}));
			}
			for (Future<?> client : clients) {
				client.get(SECONDS + 60, TimeUnit.SECONDS);
			}
		}
		finally {
			pool.shutdownNow();
			assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
		}
		long elapsed = System.nanoTime() - start;
		System.out.printf("nothing lost: %d connections verified (%d MB), %d abandoned mid-request, in %d s%n",
				verified.get(), bytes.get() >> 20, abandoned.get(), TimeUnit.NANOSECONDS.toSeconds(elapsed));
		assertThat(failures).as("connections whose replies were wrong or missing").isEmpty();
		assertThat(verified.get()).isPositive();
		for (int i = 0; i < listeners.length; i++) {
			String listener = listeners[i];
			int at = i;
			awaiting(SETTLE).untilAsserted(() -> assertThat(count("gateway.connections.closed", listener) - closed[at])
				.as("%s connections closed", listener)
				.isEqualTo(count("gateway.connections.opened", listener) - opened[at]));
			assertThat(errors(listener, "malformed") - malformed[i]).isZero();
			assertThat(errors(listener, "frame-too-large") - tooLarge[i]).isZero();
		}
		awaitHeapBelow(heapBefore + 128L * 1024 * 1024);
		assertHealthy("tcp", false);
		assertHealthy("line", true);
	}

	/** How a client leaves. */
	private enum Ending {

		/** Reads every reply, then closes. */
		CLOSE_AFTER_REPLIES,

		/** Shuts its output down at once, then reads every reply and the server's close. */
		HALF_CLOSE_BEFORE_READING,

		/** Reads every reply, then resets. */
		RESET_AFTER_REPLIES,

		/** Sends part of its request, maybe in the middle of a message, and resets without reading. */
		RESET_MID_REQUEST

	}

	/** Pipelined messages: random text, each a line on a line listener. */
	private static byte[] request(ThreadLocalRandom random, boolean line) {
		ByteArrayOutputStream request = new ByteArrayOutputStream();
		int messages = 1 + random.nextInt(MAX_MESSAGES);
		for (int m = 0; m < messages; m++) {
			request.writeBytes(randomText(random, 1 + random.nextInt(MAX_MESSAGE_BYTES)));
			if (line) {
				request.write('\n');
			}
		}
		return request.toByteArray();
	}

	/** @return true if every reply was read and checked, false if the client left without reading */
	private static boolean connection(int port, byte[] request, Ending ending, ThreadLocalRandom random)
			throws IOException {
		byte[] expected = upperCasedAscii(request);
		try (Socket client = tcp(port)) {
			switch (ending) {
				case CLOSE_AFTER_REPLIES -> {
					send(client, request);
					assertThat(text(readExactly(client, expected.length))).isEqualTo(text(expected));
				}
				case HALF_CLOSE_BEFORE_READING -> {
					send(client, request);
					client.shutdownOutput();
					assertThat(text(readToEnd(client, expected.length))).isEqualTo(text(expected));
				}
				case RESET_AFTER_REPLIES -> {
					send(client, request);
					assertThat(text(readExactly(client, expected.length))).isEqualTo(text(expected));
					client.setSoLinger(true, 0);
				}
				case RESET_MID_REQUEST -> {
					client.getOutputStream().write(request, 0, random.nextInt(request.length));
					client.getOutputStream().flush();
					client.setSoLinger(true, 0);
					return false;
				}
			}
			return true;
		}
	}

}
