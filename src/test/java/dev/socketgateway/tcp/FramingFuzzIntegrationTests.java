package dev.socketgateway.tcp;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import dev.socketgateway.LoopbackGatewayTest;
import dev.socketgateway.listener.ListenerRegistry;
import dev.socketgateway.tcp.FramedClients.Framing;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

import static dev.socketgateway.GatewayClients.TIMEOUT;
import static dev.socketgateway.GatewayClients.ascii;
import static dev.socketgateway.GatewayClients.concat;
import static dev.socketgateway.GatewayClients.send;
import static dev.socketgateway.GatewayClients.tcp;
import static dev.socketgateway.GatewayClients.text;
import static dev.socketgateway.tcp.FramedClients.roundTrip;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hostile clients on every framing: random bytes, truncated frames, huge headers and clients that vanish
 * mid-frame, while one well-behaved client on the same listener keeps getting correct answers. Bounded by
 * a fixed seed, a fixed number of clients and a time limit.
 */
@LoopbackGatewayTest
@TestPropertySource(properties = {
		"gateway.listeners.line.protocol=tcp",
		"gateway.listeners.line.port=0",
		"gateway.listeners.line.bind-address=127.0.0.1",
		"gateway.listeners.line.framing=line",
		"gateway.listeners.line.max-frame-bytes=200",
		"gateway.listeners.stx.protocol=tcp",
		"gateway.listeners.stx.port=0",
		"gateway.listeners.stx.bind-address=127.0.0.1",
		"gateway.listeners.stx.framing=stx-etx",
		"gateway.listeners.stx.max-frame-bytes=200",
		"gateway.listeners.len1.protocol=tcp",
		"gateway.listeners.len1.port=0",
		"gateway.listeners.len1.bind-address=127.0.0.1",
		"gateway.listeners.len1.framing=length-header-1",
		"gateway.listeners.len1.max-frame-bytes=200",
		"gateway.listeners.len2.protocol=tcp",
		"gateway.listeners.len2.port=0",
		"gateway.listeners.len2.bind-address=127.0.0.1",
		"gateway.listeners.len2.framing=length-header-2",
		"gateway.listeners.len2.max-frame-bytes=200",
		"gateway.listeners.len4.protocol=tcp",
		"gateway.listeners.len4.port=0",
		"gateway.listeners.len4.bind-address=127.0.0.1",
		"gateway.listeners.len4.framing=length-header-4",
		"gateway.listeners.len4.max-frame-bytes=200" })
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class FramingFuzzIntegrationTests {

	private static final long SEED = 0xF0_22_1D_EAL;

	private static final int HOSTILE_CLIENTS = 60;

	/** Largest payload the well-behaved client sends: the frame limit of the listeners above. */
	private static final int MAX_PAYLOAD = 200;

	/** Every framing the fuzz runs against, in the order their seeds are numbered. */
	private static final List<Framing> FRAMINGS = List.of(Framing.STREAM, Framing.LINE_CRLF, Framing.STX_ETX,
			Framing.LENGTH_HEADER_1, Framing.LENGTH_HEADER_2, Framing.LENGTH_HEADER_4);

	/** The listener configured above for each framing. */
	private static final Map<Framing, String> LISTENERS = Map.of(Framing.STREAM, "tcp", Framing.LINE_CRLF, "line",
			Framing.STX_ETX, "stx", Framing.LENGTH_HEADER_1, "len1", Framing.LENGTH_HEADER_2, "len2",
			Framing.LENGTH_HEADER_4, "len4");

	private static ExecutorService hostile;

	@Autowired
	private ListenerRegistry registry;

	@BeforeAll
	static void startPool() {
		hostile = Executors.newFixedThreadPool(6);
	}

	@AfterAll
	static void stopPool() {
		hostile.shutdownNow();
	}

	@ParameterizedTest
	@FieldSource("FRAMINGS")
	void hostileClientsDoNotDisturbAWellBehavedOneNorTheListener(Framing framing) throws Exception {
		int index = FRAMINGS.indexOf(framing);
		Queue<String> failures = new ConcurrentLinkedQueue<>();
		List<Future<?>> clients = new ArrayList<>();
		for (int i = 0; i < HOSTILE_CLIENTS; i++) {
			long seed = SEED + 1000L * index + i;
			clients.add(hostile.submit(() -> misbehave(framing, seed, failures)));
		}
		int rounds = 0;
		try (Socket good = connect(framing)) {
			Random random = new Random(SEED - index);
			long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(8);
			while ((rounds < 20 || !clients.stream().allMatch(Future::isDone)) && System.nanoTime() < deadline) {
				roundTrip(good, framing, randomWord(random, 1 + random.nextInt(MAX_PAYLOAD)));
				rounds++;
			}
		}
		for (Future<?> client : clients) {
			client.get(10, TimeUnit.SECONDS);
		}
		assertThat(failures).as("hostile clients that saw something wrong").isEmpty();
		assertThat(rounds).isGreaterThanOrEqualTo(20);
		assertThat(this.registry.listener(LISTENERS.get(framing)).isListening()).isTrue();
		try (Socket late = connect(framing)) {
			roundTrip(late, framing, "a new client after the storm");
		}
	}

	/**
	 * One hostile client: sends something broken in random pieces, then goes away in one of three ways.
	 * Anything it sees that the server should not have sent is added to {@code failures}.
	 */
	private void misbehave(Framing framing, long seed, Queue<String> failures) {
		Random random = new Random(seed);
		String context = framing + " client " + seed;
		try (Socket socket = connect(framing)) {
			if (random.nextInt(4) == 0) {
				// A valid exchange first, so the garbage arrives on a connection with history.
				String word = randomWord(random, 1 + random.nextInt(MAX_PAYLOAD));
				send(socket, framing.frame(ascii(word)));
				byte[] expected = framing.frame(ascii(word.toUpperCase(Locale.ROOT)));
				try {
					byte[] reply = socket.getInputStream().readNBytes(expected.length);
					if (!Arrays.equals(reply, expected)) {
						failures.add(context + ": valid frame answered with " + text(reply));
					}
				}
				catch (IOException ex) {
					failures.add(context + ": valid frame not answered: " + ex);
					return;
				}
			}
			byte[] bytes = switch (random.nextInt(5)) {
				case 0 -> randomBytes(random, random.nextInt(1024));
				case 1 -> truncated(random, framing.frame(randomBytes(random, random.nextInt(MAX_PAYLOAD + 1))));
				case 2 -> oversize(framing, random);
				case 3 -> concat(framing.frame(ascii("ok")), randomBytes(random, random.nextInt(64)));
				default -> truncated(random, framing.frame(ascii(randomWord(random, 1 + random.nextInt(MAX_PAYLOAD)))));
			};
			sendInPieces(socket, random, bytes);
			switch (random.nextInt(3)) {
				case 0 -> {
					socket.setSoLinger(true, 0); // vanish: the close sends a reset
				}
				case 1 -> {
					// plain close, with whatever replies unread
				}
				default -> {
					socket.shutdownOutput();
					drainUntilClosed(socket, context, failures);
				}
			}
		}
		catch (IOException ex) {
			// The server may close a broken connection at any point; that is what it should do.
		}
		catch (RuntimeException | Error ex) {
			failures.add(context + ": " + ex);
		}
	}

	/** After a half-close the server must answer what it can and then close; it must not leave us hanging. */
	private static void drainUntilClosed(Socket socket, String context, Queue<String> failures) throws IOException {
		InputStream in = socket.getInputStream();
		byte[] buffer = new byte[4096];
		long total = 0;
		try {
			for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
				total += read;
				if (total > (1 << 20)) {
					failures.add(context + ": more than 1 MiB of replies to a few KiB of requests");
					return;
				}
			}
		}
		catch (SocketTimeoutException ex) {
			failures.add(context + ": still open " + TIMEOUT.toMillis() + " ms after the client half-closed");
		}
	}

	private static void sendInPieces(Socket socket, Random random, byte[] bytes) throws IOException {
		int at = 0;
		for (int piece = 0; at < bytes.length && piece < 16; piece++) {
			int length = (piece == 15) ? bytes.length - at : Math.min(bytes.length - at, 1 + random.nextInt(256));
			socket.getOutputStream().write(bytes, at, length);
			socket.getOutputStream().flush();
			at += length;
		}
	}

	private static byte[] truncated(Random random, byte[] frame) {
		return Arrays.copyOf(frame, random.nextInt(frame.length));
	}

	private static byte[] randomBytes(Random random, int length) {
		byte[] bytes = new byte[length];
		random.nextBytes(bytes);
		return bytes;
	}

	private static String randomWord(Random random, int length) {
		StringBuilder word = new StringBuilder(length);
		for (int i = 0; i < length; i++) {
			word.append("abcdefghijklmnopqrstuvwxyz0123456789 -".charAt(random.nextInt(38)));
		}
		return word.toString();
	}

	/** Input over the frame limit: a huge header, or a frame too long to buffer. */
	private static byte[] oversize(Framing framing, Random random) {
		return switch (framing) {
			case STREAM -> randomBytes(random, 4096);
			case LINE_CRLF, LINE_LF -> concat(ascii("x".repeat(201 + random.nextInt(300))), new byte[] { '\n' });
			case STX_ETX -> framing.frame(ascii("y".repeat(201 + random.nextInt(300))));
			case LENGTH_HEADER_1 -> new byte[] { (byte) 0xFF, 'z', 'z' };
			case LENGTH_HEADER_2 -> new byte[] { (byte) 0xFF, (byte) 0xFF, 'z' };
			case LENGTH_HEADER_4 -> random.nextBoolean() ? new byte[] { 0x7F, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF }
					: new byte[] { (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 'z' };
		};
	}

	private Socket connect(Framing framing) throws IOException {
		return tcp(this.registry.listener(LISTENERS.get(framing)).port());
	}

}
