package dev.socketgateway.haproxy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.socketgateway.ConfigTemplate;
import dev.socketgateway.ForegroundServer;
import dev.socketgateway.InstalledProgram;

import static dev.socketgateway.GatewayClients.TIMEOUT;
import static java.nio.charset.StandardCharsets.US_ASCII;

/**
 * HAProxy as an operator runs it, in the foreground ({@code haproxy -db}) on the configuration in
 * {@code src/test/resources/haproxy/haproxy.cfg}, asked through its stats socket how it sees its servers.
 * Everything it prints is kept for failure messages.
 */
final class Haproxy extends ForegroundServer {

	/** Names an HAProxy binary to use instead of the one on the PATH, or a missing one to try the skip. */
	static final String BINARY_PROPERTY = "it.haproxy.binary";

	static final String TEMPLATE = "/haproxy/haproxy.cfg";

	/**
	 * The HAProxy binary: the one {@value #BINARY_PROPERTY} names if that is set, else the first on the PATH,
	 * else Debian's {@code /usr/sbin/haproxy} (not on a normal user's PATH).
	 */
	static final InstalledProgram PROGRAM = new InstalledProgram("haproxy", BINARY_PROPERTY,
			List.of(Path.of("/usr/sbin/haproxy"), Path.of("/usr/local/sbin/haproxy")));

	private final Path statsSocket;

	private Haproxy(Path binary, Path config, Path statsSocket) throws IOException {
		super(new ProcessBuilder(binary.toString(), "-db", "-f", config.toString()), "haproxy");
		this.statsSocket = statsSocket;
	}

	/**
	 * Writes the configuration, with {@code values} in place of its placeholders, to {@code directory} and
	 * starts HAProxy on it, its stats socket in the same directory.
	 */
	static Haproxy start(Path binary, Path directory, Map<String, String> values) throws IOException {
		Path statsSocket = directory.resolve("stats.sock");
		Map<String, String> all = new LinkedHashMap<>(values);
		all.put("stats-socket", statsSocket.toString());
		Path config = Files.writeString(directory.resolve("haproxy.cfg"), config(all));
		return new Haproxy(binary, config, statsSocket);
	}

	/**
	 * The configuration template with each {@code {{name}}} replaced by its value.
	 * @throws IllegalArgumentException if a placeholder has no value
	 */
	static String config(Map<String, String> values) {
		return ConfigTemplate.fill(TEMPLATE, values);
	}

	/** The backend's servers as {@code show stat} reports them, in configuration order. */
	List<Server> servers(String backend) throws IOException {
		String[] lines = command("show stat").split("\n");
		List<String> columns = Arrays.asList(lines[0].replaceFirst("^# ", "").split(","));
		int status = columns.indexOf("status");
		int check = columns.indexOf("check_status");
		List<Server> servers = new ArrayList<>();
		for (String line : Arrays.copyOfRange(lines, 1, lines.length)) {
			String[] fields = line.split(",", -1);
			if (fields.length > check && fields[0].equals(backend) && !fields[1].equals("BACKEND")) {
				servers.add(new Server(fields[1], fields[status], fields[check]));
			}
		}
		return servers;
	}

	/** The state of one server, by name. */
	Server server(String backend, String name) throws IOException {
		return servers(backend).stream()
			.filter((server) -> server.name().equals(name))
			.findFirst()
			.orElseThrow(() -> new IllegalStateException("No server " + backend + "/" + name + " in show stat"));
	}

	/**
	 * Sends one command to the stats socket and reads the answer to the end; HAProxy closes the connection
	 * after answering a single command. Bounded by {@link dev.socketgateway.GatewayClients#TIMEOUT}.
	 */
	private String command(String command) throws IOException {
		try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
				Selector selector = Selector.open()) {
			channel.connect(UnixDomainSocketAddress.of(this.statsSocket));
			ByteBuffer request = ByteBuffer.wrap((command + "\n").getBytes(US_ASCII));
			while (request.hasRemaining()) {
				channel.write(request);
			}
			channel.configureBlocking(false);
			channel.register(selector, SelectionKey.OP_READ);
			ByteArrayOutputStream answer = new ByteArrayOutputStream();
			ByteBuffer buffer = ByteBuffer.allocate(16 * 1024);
			long deadline = System.nanoTime() + TIMEOUT.toNanos();
			long left;
			while ((left = deadline - System.nanoTime()) > 0) {
				selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
				selector.selectedKeys().clear();
				int count;
				while ((count = channel.read(buffer.clear())) > 0) {
					answer.write(buffer.array(), 0, count);
				}
				if (count < 0) {
					return answer.toString(US_ASCII);
				}
			}
			throw new SocketTimeoutException("No complete answer to '" + command + "' within " + TIMEOUT + ": " + answer);
		}
	}

	/** Whether the stats socket exists yet: HAProxy creates it once its configuration is loaded. */
	boolean isListening() {
		return Files.exists(this.statsSocket);
	}

	/**
	 * One server of a backend.
	 * @param name its name on the {@code server} line
	 * @param status UP, DOWN, MAINT, or a transition such as "DOWN 1/2"
	 * @param check the last check's result, such as L7OK, L7STS (bad status) or L4CON (refused); INI before the
	 * first
	 */
	record Server(String name, String status, String check) {

		/** HAProxy prefixes the last check's status with "* " while the next check is under way. */
		boolean upAfterCheck() {
			return "UP".equals(this.status) && "L7OK".equals(this.check.replaceFirst("^\\* ", ""));
		}

	}

}
