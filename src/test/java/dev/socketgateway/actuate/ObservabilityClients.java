package dev.socketgateway.actuate;

import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.stream.Collectors;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What an operator and a client use in these tests: plain HTTP against {@code /actuator} on the
 * management port, and blocking loopback sockets against the listeners. Every connect, read and HTTP
 * call here has a timeout, so a server that does not answer fails a test instead of hanging it.
 */
final class ObservabilityClients {

	/** Upper bound for a connect, a socket read, an HTTP call, and the waits in the tests. */
	static final Duration TIMEOUT = Duration.ofSeconds(10);

	private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

	private final int httpPort;

	ObservabilityClients(int httpPort) {
		this.httpPort = httpPort;
	}

	HttpResponse<String> get(String path) {
		return send(request(path).GET().build());
	}

	HttpResponse<String> delete(String path) {
		return send(request(path).DELETE().build());
	}

	/** GETs a path that must answer 200 with JSON. */
	JsonNode json(String path) {
		HttpResponse<String> response = get(path);
		assertThat(response.statusCode()).as("GET %s: %s", path, response.body()).isEqualTo(200);
		return parse(response.body());
	}

	/**
	 * One meter's value as {@code /actuator/metrics} shows it: the COUNT of a counter or the VALUE of a
	 * gauge, summed over the meters that match the tags.
	 * @param tags {@code key:value} pairs, for example {@code listener:tcp}
	 */
	double metric(String name, String... tags) {
		String query = Arrays.stream(tags).map((tag) -> "tag=" + tag).collect(Collectors.joining("&"));
		JsonNode meter = json("/actuator/metrics/" + name + (query.isEmpty() ? "" : "?" + query));
		for (JsonNode measurement : meter.path("measurements")) {
			String statistic = measurement.path("statistic").asString();
			if ("COUNT".equals(statistic) || "VALUE".equals(statistic)) {
				return measurement.path("value").asDouble();
			}
		}
		throw new AssertionError("No COUNT or VALUE measurement in " + meter);
	}

	private HttpRequest.Builder request(String path) {
		return HttpRequest.newBuilder(URI.create("http://localhost:" + this.httpPort + path)).timeout(TIMEOUT);
	}

	private static HttpResponse<String> send(HttpRequest request) {
		try {
			return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
		}
		catch (IOException ex) {
			throw new IllegalStateException(request.method() + " " + request.uri() + " failed", ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(request.method() + " " + request.uri() + " was interrupted", ex);
		}
	}

	static JsonNode parse(String json) {
		return JSON.readTree(json);
	}

	/** A TCP client on 127.0.0.1 with Nagle off and a read timeout. */
	static Socket tcp(int port) throws IOException {
		Socket socket = new Socket();
		try {
			socket.setTcpNoDelay(true);
			socket.setSoTimeout((int) TIMEOUT.toMillis());
			socket.connect(new InetSocketAddress(LOOPBACK, port), (int) TIMEOUT.toMillis());
			return socket;
		}
		catch (IOException | RuntimeException ex) {
			socket.close();
			throw ex;
		}
	}

	/** Reads exactly {@code n} bytes, failing on end of stream; each read is bounded by the socket's timeout. */
	static byte[] readExactly(Socket socket, int n) throws IOException {
		InputStream in = socket.getInputStream();
		byte[] bytes = new byte[n];
		int read = 0;
		while (read < n) {
			int count = in.read(bytes, read, n - read);
			if (count < 0) {
				throw new IOException("End of stream after " + read + " of " + n + " bytes");
			}
			read += count;
		}
		return bytes;
	}

	/** Writes the request and reads a reply of exactly the expected length. */
	static byte[] exchange(Socket socket, byte[] request, int replyLength) throws IOException {
		socket.getOutputStream().write(request);
		socket.getOutputStream().flush();
		return readExactly(socket, replyLength);
	}

	/** A UDP client connected to the listener on 127.0.0.1, with a receive timeout. */
	static DatagramSocket udp(int port) throws IOException {
		DatagramSocket socket = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
		socket.setSoTimeout((int) TIMEOUT.toMillis());
		socket.connect(LOOPBACK, port);
		return socket;
	}

	/** Sends one datagram and returns the next datagram received. */
	static byte[] exchange(DatagramSocket socket, byte[] request) throws IOException {
		socket.send(new DatagramPacket(request, request.length));
		DatagramPacket reply = new DatagramPacket(new byte[65_536], 65_536);
		socket.receive(reply);
		return Arrays.copyOf(reply.getData(), reply.getLength());
	}

}
