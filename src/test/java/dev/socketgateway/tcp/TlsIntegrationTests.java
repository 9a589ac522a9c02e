package dev.socketgateway.tcp;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

import dev.socketgateway.GatewayTest;
import dev.socketgateway.listener.ListenerRegistry;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.pem.PemSslStoreBundle;
import org.springframework.boot.ssl.pem.PemSslStoreDetails;
import org.springframework.core.io.ClassPathResource;
import org.springframework.test.context.TestPropertySource;

import static dev.socketgateway.GatewayClients.TIMEOUT;
import static dev.socketgateway.GatewayClients.readExactly;
import static dev.socketgateway.GatewayClients.send;
import static dev.socketgateway.GatewayClients.tcp;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * TCP listeners with TLS, seen from real TLS clients on loopback: Java's {@link SSLSocket}, and Python's
 * ssl module and {@code openssl s_client} where installed. The server certificate is a self-signed one for
 * localhost and 127.0.0.1 under {@code src/test/resources/tls}; so is the client certificate that the
 * client-auth listener trusts.
 */
@GatewayTest
@TestPropertySource(properties = {
		"spring.ssl.bundle.pem.test.keystore.certificate=classpath:tls/server.crt",
		"spring.ssl.bundle.pem.test.keystore.private-key=classpath:tls/server.key",
		"spring.ssl.bundle.pem.test.truststore.certificate=classpath:tls/client.crt",
		"gateway.listeners.tls.protocol=tcp",
		"gateway.listeners.tls.port=0",
		"gateway.listeners.tls.event-loops=2",
		"gateway.listeners.tls.ssl.bundle=test",
		"gateway.listeners.tls-line.protocol=tcp",
		"gateway.listeners.tls-line.port=0",
		"gateway.listeners.tls-line.framing=line",
		"gateway.listeners.tls-line.banner=welcome",
		"gateway.listeners.tls-line.max-frame-bytes=2097152",
		"gateway.listeners.tls-line.max-pending-write-bytes=4194304",
		"gateway.listeners.tls-line.quit-command=quit",
		"gateway.listeners.tls-line.ssl.bundle=test",
		"gateway.listeners.tls-idle.protocol=tcp",
		"gateway.listeners.tls-idle.port=0",
		"gateway.listeners.tls-idle.idle-timeout=300ms",
		"gateway.listeners.tls-idle.ssl.bundle=test",
		"gateway.listeners.mtls.protocol=tcp",
		"gateway.listeners.mtls.port=0",
		"gateway.listeners.mtls.framing=line",
		"gateway.listeners.mtls.ssl.bundle=test",
		"gateway.listeners.mtls.ssl.client-auth=need" })
class TlsIntegrationTests {

	private static final SSLContext CLIENT = clientContext(false);

	private static final SSLContext CLIENT_WITH_CERTIFICATE = clientContext(true);

	private static final ExecutorService background = Executors.newCachedThreadPool((task) -> {
		Thread thread = new Thread(task, "tls-test-client");
		thread.setDaemon(true);
		return thread;
	});

	@Autowired
	private ListenerRegistry registry;

	@Autowired
	private MeterRegistry meters;

	@AfterAll
	static void stopBackground() {
		background.shutdownNow();
	}

	@Test
	void aJavaTlsClientRoundTripsOnStreamFraming() throws IOException {
		try (SSLSocket client = connect(CLIENT, port("tls"))) {
			assertThat(exchange(client, "hello tls")).isEqualTo("HELLO TLS");
			assertThat(exchange(client, "show 信息")).isEqualTo("SHOW 信息");
			assertThat(client.getSession().getPeerPrincipal().getName()).isEqualTo("CN=localhost");
		}
	}

	@Test
	void aJavaTlsClientGetsTheBannerAfterTheHandshakeThenRoundTripsLines() throws IOException {
		try (SSLSocket client = connect(CLIENT, port("tls-line"))) {
			assertThat(readExactly(client, "welcome\r\n".length())).asString(UTF_8).isEqualTo("welcome\r\n");
			send(client, "first line\nsecond line\r\n".getBytes(UTF_8));
			String expected = "FIRST LINE\nSECOND LINE\r\n";
			assertThat(readExactly(client, expected.length())).asString(UTF_8).isEqualTo(expected);
		}
	}

	@Test
	void aLastLineWithoutNewlineIsAnsweredAfterTheClientClosesItsSideThenTheServerCloses() throws IOException {
		try (SSLSocket client = connect(CLIENT, port("tls-line"))) {
			readExactly(client, "welcome\r\n".length());
			send(client, "last words".getBytes(UTF_8));
			client.shutdownOutput(); // close_notify; TLS 1.3 lets the client go on reading
			assertThat(readExactly(client, 10)).asString(UTF_8).isEqualTo("LAST WORDS");
			assertThat(client.getInputStream().read()).as("closed after the last reply").isEqualTo(-1);
		}
	}

	@Test
	void theQuitCommandIsAnsweredThenTheConnectionIsClosed() throws IOException {
		try (SSLSocket client = connect(CLIENT, port("tls-line"))) {
			readExactly(client, "welcome\r\n".length());
			send(client, "quit\n".getBytes(UTF_8));
			assertThat(readExactly(client, 5)).asString(UTF_8).isEqualTo("QUIT\n");
			assertThat(client.getInputStream().read()).as("closed after quit").isEqualTo(-1);
		}
	}

	@Test
	void aHandshakeThatNeverCompletesIsEndedByTheIdleTimeout() throws IOException {
		Counter idle = errors("tls-idle", "idle-timeout");
		double before = idle.count();
		try (Socket silent = tcp(port("tls-idle"))) {
			assertClosed(silent);
		}
		await().atMost(TIMEOUT).untilAsserted(() -> assertThat(idle.count() - before).isEqualTo(1));
		try (SSLSocket client = connect(CLIENT, port("tls-idle"))) {
			assertThat(exchange(client, "still served")).isEqualTo("STILL SERVED");
		}
	}

	@Test
	void severalTlsClientsAtOnceEachGetTheirOwnReplies() throws Exception {
		List<Future<?>> clients = new ArrayList<>();
		for (int c = 0; c < 16; c++) {
			int id = c;
			clients.add(background.submit(() -> {
				try (SSLSocket client = connect(CLIENT, port("tls-line"))) {
					readExactly(client, "welcome\r\n".length());
					for (int i = 0; i < 50; i++) {
						String line = "client " + id + " message " + i + "\n";
						send(client, line.getBytes(UTF_8));
						assertThat(readExactly(client, line.length())).asString(UTF_8)
							.isEqualTo(line.toUpperCase(Locale.ROOT));
					}
				}
				return null;
			}));
		}
		for (Future<?> client : clients) {
			client.get(TIMEOUT.toSeconds() * 3, TimeUnit.SECONDS);
		}
	}

	@Test
	void aOneMegabyteLineRoundTripsIntact() throws Exception {
		String line = lowercase(1 << 20) + "\n";
		try (SSLSocket client = connect(CLIENT, port("tls-line"))) {
			readExactly(client, "welcome\r\n".length());
			Future<?> writing = background.submit(() -> {
				send(client, line.getBytes(UTF_8));
				return null;
			});
			byte[] reply = readExactly(client, line.length());
			writing.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
			assertThat(new String(reply, UTF_8)).isEqualTo(line.toUpperCase(Locale.ROOT));
		}
	}

	@Test
	void oneMegabyteOnStreamFramingRoundTripsIntact() throws Exception {
		String text = lowercase(1 << 20);
		try (SSLSocket client = connect(CLIENT, port("tls"))) {
			Future<?> writing = background.submit(() -> {
				OutputStream out = client.getOutputStream();
				byte[] bytes = text.getBytes(UTF_8);
				for (int offset = 0; offset < bytes.length; offset += 10_000) {
					out.write(bytes, offset, Math.min(10_000, bytes.length - offset));
				}
				out.flush();
				return null;
			});
			byte[] reply = readExactly(client, text.length());
			writing.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
			assertThat(new String(reply, UTF_8)).isEqualTo(text.toUpperCase(Locale.ROOT));
		}
	}

	@Test
	void aPlainTextClientOnTheTlsPortIsClosedAndCountedWhileTlsClientsGoOn() throws IOException {
		Counter handshakeErrors = errors("tls", "tls-handshake");
		double before = handshakeErrors.count();
		try (SSLSocket tlsClient = connect(CLIENT, port("tls"))) {
			assertThat(exchange(tlsClient, "before")).isEqualTo("BEFORE");
			try (Socket plain = tcp(port("tls"))) {
				send(plain, "hello in plain text\n".getBytes(UTF_8));
				assertClosed(plain);
			}
			await().atMost(TIMEOUT).untilAsserted(() -> assertThat(handshakeErrors.count() - before).isEqualTo(1));
			assertThat(exchange(tlsClient, "after")).isEqualTo("AFTER");
		}
		try (SSLSocket tlsClient = connect(CLIENT, port("tls"))) {
			assertThat(exchange(tlsClient, "a new client")).isEqualTo("A NEW CLIENT");
		}
	}

	@Test
	void clientAuthNeedRejectsAClientWithoutACertificateAndServesOneWithIt() throws IOException {
		Counter handshakeErrors = errors("mtls", "tls-handshake");
		double before = handshakeErrors.count();
		try (SSLSocket anonymous = open(CLIENT, port("mtls"))) {
			// Under TLS 1.3 the client may finish its side of the handshake before the server refuses it.
			Throwable failure = catchThrowable(() -> {
				anonymous.startHandshake();
				send(anonymous, "let me in\n".getBytes(UTF_8));
				assertThat(anonymous.getInputStream().read()).isEqualTo(-1);
			});
			if (failure != null) {
				assertThat(failure).isInstanceOf(IOException.class);
			}
		}
		await().atMost(TIMEOUT).untilAsserted(() -> assertThat(handshakeErrors.count() - before).isEqualTo(1));
		try (SSLSocket client = connect(CLIENT_WITH_CERTIFICATE, port("mtls"))) {
			send(client, "with a certificate\n".getBytes(UTF_8));
			assertThat(readExactly(client, 19)).asString(UTF_8).isEqualTo("WITH A CERTIFICATE\n");
		}
	}

	@Test
	void aPythonSslClientRoundTrips() throws Exception {
		assumeTrue(onPath("python3"), "python3 is not on the PATH");
		String script = String.join("\n",
				"import socket, ssl, sys",
				"context = ssl.create_default_context(cafile=sys.argv[2])",
				"with context.wrap_socket(socket.create_connection(('127.0.0.1', int(sys.argv[1])), timeout=10), server_hostname='localhost') as s:",
				"    s.sendall(b'hello from python\\n')",
				"    print(s.makefile('rb').readline().decode(), end='')");
		Process python = new ProcessBuilder("python3", "-c", script, String.valueOf(port("tls")),
				serverCertificate())
			.redirectErrorStream(true)
			.start();
		try {
			assertThat(firstLines(python.getInputStream(), 1)).containsExactly("HELLO FROM PYTHON");
			assertThat(python.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
			assertThat(python.exitValue()).isZero();
		}
		finally {
			python.destroyForcibly();
		}
	}

	@Test
	void aLinePipedThroughOpensslSClientComesBackUpperCased() throws Exception {
		assumeTrue(onPath("openssl"), "openssl is not on the PATH");
		Process openssl = new ProcessBuilder("openssl", "s_client", "-quiet", "-connect", "127.0.0.1:" + port("tls"),
				"-CAfile", serverCertificate(), "-verify_return_error")
			.redirectError(ProcessBuilder.Redirect.DISCARD)
			.start();
		try {
			openssl.getOutputStream().write("hello from openssl\n".getBytes(UTF_8));
			openssl.getOutputStream().flush();
			assertThat(firstLines(openssl.getInputStream(), 1)).containsExactly("HELLO FROM OPENSSL");
		}
		finally {
			openssl.destroyForcibly();
			openssl.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
		}
	}

	private Integer port(String listener) {
		return this.registry.listener(listener).port();
	}

	private Counter errors(String listener, String reason) {
		return this.meters.get("gateway.errors").tags("listener", listener, "reason", reason).counter();
	}

	/** A TLS client connected to 127.0.0.1 that has checked the server certificate, with a read timeout. */
	static SSLSocket connect(SSLContext context, int port) throws IOException {
		SSLSocket socket = open(context, port);
		try {
			socket.startHandshake();
			return socket;
		}
		catch (IOException | RuntimeException ex) {
			socket.close();
			throw ex;
		}
	}

	/** A TLS client connected, the handshake not started yet. */
	static SSLSocket open(SSLContext context, int port) throws IOException {
		SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket();
		try {
			socket.setTcpNoDelay(true);
			socket.setSoTimeout((int) TIMEOUT.toMillis());
			SSLParameters parameters = socket.getSSLParameters();
			parameters.setEndpointIdentificationAlgorithm("HTTPS"); // the certificate names 127.0.0.1
			socket.setSSLParameters(parameters);
			socket.connect(new InetSocketAddress("127.0.0.1", port), (int) TIMEOUT.toMillis());
			return socket;
		}
		catch (IOException | RuntimeException ex) {
			socket.close();
			throw ex;
		}
	}

	/** Trusts the test server certificate; with a certificate, presents the test client one. */
	static SSLContext clientContext(boolean withCertificate) {
		PemSslStoreDetails trust = PemSslStoreDetails.forCertificate("classpath:tls/server.crt");
		PemSslStoreDetails key = withCertificate
				? PemSslStoreDetails.forCertificate("classpath:tls/client.crt").withPrivateKey("classpath:tls/client.key")
				: null;
		return SslBundle.of(new PemSslStoreBundle(key, trust)).createSslContext();
	}

	private static String exchange(Socket client, String text) throws IOException {
		byte[] bytes = text.getBytes(UTF_8);
		send(client, bytes);
		return new String(readExactly(client, bytes.length), UTF_8);
	}

	/** The server closed the connection: the stream ends, or fails, within the read timeout. */
	private static void assertClosed(Socket socket) {
		Throwable failure = catchThrowable(() -> {
			InputStream in = socket.getInputStream();
			byte[] buffer = new byte[1024];
			int total = 0;
			for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
				total += read;
				assertThat(total).as("bytes before the close (at most a TLS alert)").isLessThan(1024);
			}
		});
		if (failure != null) {
			assertThat(failure).as("a reset, not a read timeout").isInstanceOf(IOException.class)
				.hasMessageContainingAll("reset");
		}
	}

	private static String lowercase(int length) {
		Random random = new Random(42);
		StringBuilder text = new StringBuilder(length);
		for (int i = 0; i < length; i++) {
			text.append((char) ('a' + random.nextInt(26)));
		}
		return text.toString();
	}

	private static String serverCertificate() throws IOException {
		File file = new ClassPathResource("tls/server.crt").getFile();
		return file.getAbsolutePath();
	}

	private static boolean onPath(String command) {
		String path = System.getenv("PATH");
		if (path == null) {
			return false;
		}
		for (String directory : path.split(File.pathSeparator)) {
			if (new File(directory, command).canExecute()) {
				return true;
			}
		}
		return false;
	}

	/** The first {@code count} lines of a process's output, read on another thread and bounded by the timeout. */
	private static List<String> firstLines(InputStream output, int count) throws Exception {
		CompletableFuture<List<String>> lines = CompletableFuture.supplyAsync(() -> {
			List<String> read = new ArrayList<>();
			try {
				BufferedReader reader = new BufferedReader(new InputStreamReader(output, StandardCharsets.UTF_8));
				for (String line = reader.readLine(); line != null && read.size() < count; line = reader.readLine()) {
					read.add(line);
					if (read.size() == count) {
						break;
					}
				}
			}
			catch (IOException ex) {
				read.add("(read failed: " + ex + ")");
			}
			return read;
		}, background);
		return lines.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
	}

}
