package dev.socketgateway.tcp;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.Charset;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

import dev.socketgateway.GatewayTest;
import dev.socketgateway.listener.ListenerRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

import static dev.socketgateway.GatewayClients.TIMEOUT;
import static dev.socketgateway.GatewayClients.concat;
import static dev.socketgateway.GatewayClients.exchange;
import static dev.socketgateway.GatewayClients.hasIpv6Loopback;
import static dev.socketgateway.GatewayClients.hex;
import static dev.socketgateway.GatewayClients.readExactly;
import static dev.socketgateway.GatewayClients.readToEnd;
import static dev.socketgateway.GatewayClients.send;
import static dev.socketgateway.GatewayClients.tcp;
import static dev.socketgateway.GatewayClients.upperCased;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The TCP listener seen from its clients: real loopback sockets against the default stream-framed
 * listener, plus a GBK listener. Every expectation is about bytes on the wire.
 */
@GatewayTest
@TestPropertySource(properties = {
		"gateway.listeners.gbk.protocol=tcp",
		"gateway.listeners.gbk.port=0",
		"gateway.listeners.gbk.charset=GBK" })
class TcpGatewayIntegrationTests {

	private static final Charset GBK = Charset.forName("GBK");

	/** Time allowed for a many-clients test to finish; on success they take a few seconds at most. */
	private static final Duration MANY_CLIENTS_LIMIT = Duration.ofSeconds(30);

	@Autowired
	private ListenerRegistry registry;

	private int port;

	@BeforeEach
	void findPort() {
		this.port = this.registry.listener("tcp").port();
	}

	@Test
	void textSentWithoutNewlineComesBackUpperCased() throws IOException {
		try (Socket socket = tcp(this.port)) {
			assertThat(exchange(socket, "hello world")).isEqualTo("HELLO WORLD");
			assertThat(exchange(socket, "show 信息")).isEqualTo("SHOW 信息");
		}
	}

	@Test
	void crlfTerminatedLineComesBackByteExactIncludingTheCrlf() throws IOException {
		try (Socket socket = tcp(this.port)) {
			socket.getOutputStream().write("hello world\r\n".getBytes(UTF_8));
			socket.shutdownOutput();
			assertThat(readToEnd(socket, 1024)).isEqualTo("HELLO WORLD\r\n".getBytes(UTF_8));
		}
	}

	@Test
	void twoInterleavedConnectionsFromOneClientEachGetTheirOwnReplies() throws IOException {
		try (Socket first = tcp(this.port); Socket second = tcp(this.port)) {
			write(first, "first one");
			write(second, "second one");
			write(first, " first two");
			assertThat(read(second, "SECOND ONE")).isEqualTo("SECOND ONE");
			write(second, " second two");
			assertThat(read(first, "FIRST ONE FIRST TWO")).isEqualTo("FIRST ONE FIRST TWO");
			assertThat(read(second, " SECOND TWO")).isEqualTo(" SECOND TWO");
		}
	}

	@Test
	void twoThousandPipelinedMessagesComeBackInOrder() throws Exception {
		List<byte[]> messages = new ArrayList<>();
		StringBuilder all = new StringBuilder();
		for (int i = 0; i < 2000; i++) {
			String message = String.format("message %04d\n", i);
			messages.add(message.getBytes(UTF_8));
			all.append(message);
		}
		byte[] expected = upperCased(all.toString(), UTF_8);
		ExecutorService writer = Executors.newSingleThreadExecutor();
		try (Socket socket = tcp(this.port)) {
			OutputStream out = socket.getOutputStream();
			Future<?> writing = writer.submit(() -> {
				for (byte[] message : messages) {
					out.write(message);
				}
				out.flush();
				return null;
			});
			byte[] reply = readExactly(socket.getInputStream(), expected.length);
			writing.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
			assertThat(new String(reply, UTF_8)).isEqualTo(new String(expected, UTF_8));
			socket.shutdownOutput();
			assertThat(readToEnd(socket, 64 * 1024)).as("bytes after the last reply").isEmpty();
		}
		finally {
			writer.shutdownNow();
		}
	}

	@Test
	void twoHundredConcurrentClientsEachGetTheirOwnTwentyReplies() throws IOException {
		List<Client> clients = new ArrayList<>();
		for (int c = 0; c < 200; c++) {
			List<String> requests = new ArrayList<>();
			for (int m = 0; m < 20; m++) {
				requests.add(String.format("client %03d message %02d;", c, m));
			}
			clients.add(Client.lockstep("client " + c, requests));
		}
		assertEveryClientGetsItsReplies(clients, Client::connectLater);
	}

	/** Stock Spring Integration could lose such a first message with "Unable to find outbound socket". */
	@Test
	void fiveHundredClientsThatSendAsTheyConnectAllGetTheirReply() throws IOException {
		List<Client> clients = new ArrayList<>();
		for (int c = 0; c < 500; c++) {
			clients.add(Client.lockstep("client " + c, List.of(String.format("sent on connect by client %03d", c))));
		}
		assertEveryClientGetsItsReplies(clients, Client::connectAndSend);
	}

	@Test
	void twoHundredClientsThatHalfCloseRightAfterSendingGetTheirWholeReplyThenEndOfStream() throws IOException {
		List<Client> clients = new ArrayList<>();
		for (int c = 0; c < 200; c++) {
			clients.add(Client.halfClosing("client " + c, List.of(String.format("last words of client %03d", c))));
		}
		assertEveryClientGetsItsReplies(clients, Client::connectAndSend);
	}

	@Test
	void sharpSIsUpperCasedToDoubleS() throws IOException {
		try (Socket socket = tcp(this.port)) {
			socket.getOutputStream().write("straße".getBytes(UTF_8));
			socket.shutdownOutput();
			assertThat(new String(readToEnd(socket, 1024), UTF_8)).isEqualTo("STRASSE");
		}
	}

	@Test
	void upperCasingIgnoresATurkishDefaultLocale() throws IOException {
		Locale original = Locale.getDefault();
		Locale.setDefault(Locale.forLanguageTag("tr-TR"));
		try (Socket socket = tcp(this.port)) {
			socket.getOutputStream().write("i istanbul".getBytes(UTF_8));
			socket.shutdownOutput();
			byte[] reply = readToEnd(socket, 1024);
			assertThat(new String(reply, UTF_8)).as("reply bytes %s", hex(reply)).isEqualTo("I ISTANBUL");
		}
		finally {
			Locale.setDefault(original);
		}
	}

	@Test
	void multiByteCharacterSplitAcrossSegmentsIsHeldBackUntilComplete() throws IOException {
		byte[] xin = "信".getBytes(UTF_8);
		assertThat(xin).hasSize(3);
		try (Socket socket = tcp(this.port)) {
			OutputStream out = socket.getOutputStream();
			out.write(concat("ab".getBytes(UTF_8), Arrays.copyOfRange(xin, 0, 2)));
			out.flush();
			// The reply to the first segment: the server read it and held back the incomplete character.
			assertThat(readExactly(socket.getInputStream(), 2)).isEqualTo("AB".getBytes(UTF_8));
			out.write(concat(Arrays.copyOfRange(xin, 2, 3), "cd".getBytes(UTF_8)));
			socket.shutdownOutput();
			byte[] rest = readToEnd(socket, 1024);
			assertThat(rest).as("rest of the reply, bytes %s", hex(rest)).isEqualTo("信CD".getBytes(UTF_8));
		}
	}

	@Test
	void malformedUtf8PassesThroughUnchanged() throws IOException {
		try (Socket socket = tcp(this.port)) {
			socket.getOutputStream().write(new byte[] { 0x61, (byte) 0xFF, 0x62 });
			socket.shutdownOutput();
			byte[] reply = readToEnd(socket, 1024);
			assertThat(reply).as("reply bytes %s", hex(reply)).isEqualTo(new byte[] { 0x41, (byte) 0xFF, 0x42 });
		}
	}

	@Test
	void ipv4LoopbackClientIsServedByTheDefaultBindAddress() throws IOException {
		try (Socket socket = tcp("127.0.0.1", this.port)) {
			assertThat(exchange(socket, "over ipv4")).isEqualTo("OVER IPV4");
		}
	}

	@Test
	void ipv6LoopbackClientIsServedByTheDefaultBindAddress() throws IOException {
		assumeTrue(hasIpv6Loopback(), "this machine has no IPv6 loopback address ::1");
		try (Socket socket = tcp("::1", this.port)) {
			assertThat(exchange(socket, "over ipv6")).isEqualTo("OVER IPV6");
		}
	}

	@Test
	void burstOfOneThousandSimultaneousConnectsIsAllAcceptedAndAnswered() throws IOException {
		List<Client> clients = new ArrayList<>();
		for (int c = 0; c < 1000; c++) {
			clients.add(Client.lockstep("client " + c, List.of(String.format("burst client %04d", c))));
		}
		// Every connect is fired before any is finished, so the accept queue takes the whole burst.
		assertEveryClientGetsItsReplies(clients, Client::connectLater);
	}

	@Test
	void gbkListenerReturnsACharacterWhoseTrailByteLooksLikeAsciiUnchanged() throws IOException {
		byte[] character = "乤".getBytes(GBK);
		assertThat(character).isEqualTo(new byte[] { (byte) 0x81, 0x61 });
		try (Socket socket = tcp(this.registry.listener("gbk").port())) {
			socket.getOutputStream().write(character);
			socket.shutdownOutput();
			byte[] reply = readToEnd(socket, 1024);
			assertThat(reply).as("reply bytes %s", hex(reply)).isEqualTo(character);
		}
	}

	@Test
	void gbkListenerUpperCasesLatinLettersNextToChineseText() throws IOException {
		try (Socket socket = tcp(this.registry.listener("gbk").port())) {
			socket.getOutputStream().write("你好abc".getBytes(GBK));
			socket.shutdownOutput();
			byte[] reply = readToEnd(socket, 1024);
			assertThat(reply).as("reply bytes %s", hex(reply)).isEqualTo("你好ABC".getBytes(GBK));
		}
	}

	private static void write(Socket socket, String text) throws IOException {
		send(socket, text.getBytes(UTF_8));
	}

	/** Reads as many bytes as {@code expected} has, so a wrong reply shows up as different text. */
	private static String read(Socket socket, String expected) throws IOException {
		return new String(readExactly(socket, expected.getBytes(UTF_8).length), UTF_8);
	}

	/**
	 * Connects every client the given way, drives them all on one selector until each is done or the time
	 * limit passes, and asserts that each got exactly its own replies.
	 */
	private void assertEveryClientGetsItsReplies(List<Client> clients, BiConsumer<Client, InetSocketAddress> connect)
			throws IOException {
		InetSocketAddress address = new InetSocketAddress("127.0.0.1", this.port);
		try {
			clients.forEach((client) -> connect.accept(client, address));
			converse(clients);
		}
		finally {
			clients.forEach(Client::close);
		}
		assertAllSucceeded(clients);
	}

	/** Drives every client on this thread with one selector until all are done or the time limit passes. */
	private static void converse(List<Client> clients) throws IOException {
		ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
		try (Selector selector = Selector.open()) {
			for (Client client : clients) {
				client.register(selector);
			}
			long unfinished = clients.stream().filter((client) -> !client.finished).count();
			long deadline = System.nanoTime() + MANY_CLIENTS_LIMIT.toNanos();
			long left;
			while (unfinished > 0 && (left = deadline - System.nanoTime()) > 0) {
				selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
				for (SelectionKey key : selector.selectedKeys()) {
					Client client = (Client) key.attachment();
					if (!client.finished) {
						client.handle(key, buffer);
						if (client.finished) {
							unfinished--;
						}
					}
				}
				selector.selectedKeys().clear();
			}
		}
	}

	private static void assertAllSucceeded(List<Client> clients) {
		List<String> problems = clients.stream().filter((client) -> !client.succeeded()).map(Client::describe).toList();
		assertThat(problems).as("%d of %d clients did not get exactly their replies within %s; first: %s",
				problems.size(), clients.size(), MANY_CLIENTS_LIMIT, problems.stream().limit(5).toList()).isEmpty();
	}

	/**
	 * One non-blocking client of a many-clients test. In lockstep it sends its next request once the reply
	 * to the previous one is complete; half-closing, it sends every request, shuts its output and reads
	 * until the server closes. Either way it must receive exactly the upper-cased requests, in order.
	 */
	private static final class Client {

		private final String name;

		private final List<byte[]> requests = new ArrayList<>();

		/** Reply bytes expected once request i is answered. */
		private final int[] replyEnds;

		private final byte[] expected;

		private final boolean halfClose;

		private final ByteArrayOutputStream received = new ByteArrayOutputStream();

		private SocketChannel channel;

		private boolean connected;

		private ByteBuffer out;

		private int next;

		private boolean finished;

		private String failure;

		private Client(String name, List<String> texts, boolean halfClose) {
			this.name = name;
			this.halfClose = halfClose;
			this.replyEnds = new int[texts.size()];
			ByteArrayOutputStream replies = new ByteArrayOutputStream();
			for (int i = 0; i < texts.size(); i++) {
				this.requests.add(texts.get(i).getBytes(UTF_8));
				replies.writeBytes(upperCased(texts.get(i), UTF_8));
				this.replyEnds[i] = replies.size();
			}
			this.expected = replies.toByteArray();
		}

		static Client lockstep(String name, List<String> requests) {
			return new Client(name, requests, false);
		}

		static Client halfClosing(String name, List<String> requests) {
			return new Client(name, requests, true);
		}

		/** Connects (bounded by the timeout) and writes the first request in the same breath. */
		void connectAndSend(InetSocketAddress address) {
			try {
				this.channel = SocketChannel.open();
				this.channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
				this.channel.socket().connect(address, (int) TIMEOUT.toMillis());
				this.channel.configureBlocking(false);
				this.connected = true;
				sendNext();
			}
			catch (IOException ex) {
				fail("connect and send failed: " + ex);
			}
		}

		/** Starts a non-blocking connect; the selector finishes it. */
		void connectLater(InetSocketAddress address) {
			try {
				this.channel = SocketChannel.open();
				this.channel.configureBlocking(false);
				this.channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
				this.connected = this.channel.connect(address);
			}
			catch (IOException ex) {
				fail("connect failed: " + ex);
			}
		}

		void register(Selector selector) throws IOException {
			if (this.finished) {
				return;
			}
			SelectionKey key = this.channel.register(selector, 0, this);
			try {
				if (this.connected && this.next == 0) {
					sendNext();
				}
			}
			catch (IOException ex) {
				fail("send failed: " + ex);
				return;
			}
			key.interestOps(interest());
		}

		void handle(SelectionKey key, ByteBuffer buffer) {
			try {
				if (key.isConnectable()) {
					if (!this.channel.finishConnect()) {
						return;
					}
					this.connected = true;
					sendNext();
				}
				else {
					if (key.isWritable()) {
						flush();
					}
					if (key.isReadable()) {
						read(buffer);
					}
				}
				if (!this.finished) {
					key.interestOps(interest());
				}
			}
			catch (IOException ex) {
				fail(ex.toString());
			}
		}

		private int interest() {
			if (!this.connected) {
				return SelectionKey.OP_CONNECT;
			}
			return SelectionKey.OP_READ | ((this.out != null) ? SelectionKey.OP_WRITE : 0);
		}

		private void sendNext() throws IOException {
			this.out = ByteBuffer.wrap(this.requests.get(this.next++));
			flush();
		}

		private void flush() throws IOException {
			while (this.out != null) {
				this.channel.write(this.out);
				if (this.out.hasRemaining()) {
					return;
				}
				this.out = null;
				if (this.halfClose) {
					if (this.next < this.requests.size()) {
						this.out = ByteBuffer.wrap(this.requests.get(this.next++));
					}
					else {
						this.channel.shutdownOutput();
					}
				}
			}
		}

		private void read(ByteBuffer buffer) throws IOException {
			int count = this.channel.read(buffer.clear());
			if (count < 0) {
				if (this.halfClose && this.out == null && this.next == this.requests.size()) {
					finish();
				}
				else {
					fail("end of stream after " + this.received.size() + " of " + this.expected.length
							+ " reply bytes");
				}
				return;
			}
			this.received.write(buffer.array(), 0, count);
			int have = this.received.size();
			if (have > this.expected.length) {
				fail("more than the " + this.expected.length + " expected reply bytes: "
						+ new String(this.received.toByteArray(), UTF_8));
			}
			else if (!this.halfClose) {
				if (have == this.expected.length) {
					finish();
				}
				else if (this.out == null && this.next < this.requests.size() && have >= this.replyEnds[this.next - 1]) {
					sendNext();
				}
			}
		}

		private void finish() {
			byte[] reply = this.received.toByteArray();
			if (!Arrays.equals(reply, this.expected)) {
				fail("expected '" + new String(this.expected, UTF_8) + "' but got '" + new String(reply, UTF_8) + "'");
				return;
			}
			this.finished = true;
			close();
		}

		private void fail(String why) {
			this.failure = why;
			this.finished = true;
			close();
		}

		boolean succeeded() {
			return this.finished && this.failure == null;
		}

		String describe() {
			if (this.failure != null) {
				return this.name + ": " + this.failure;
			}
			return this.name + ": " + (this.connected ? "" : "never connected, ") + "got " + this.received.size()
					+ " of " + this.expected.length + " reply bytes in time";
		}

		void close() {
			if (this.channel != null) {
				try {
					this.channel.close();
				}
				catch (IOException ex) {
					// Nothing left to read from it either way.
				}
			}
		}

	}

}
