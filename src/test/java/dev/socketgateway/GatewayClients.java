package dev.socketgateway;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import static java.nio.charset.StandardCharsets.ISO_8859_1;

/**
 * Small blocking clients for the gateway's TCP and UDP listeners, for tests that talk to it over real
 * loopback sockets, and the byte helpers they share. Every connect and read here is bounded by
 * {@link #TIMEOUT}, so a server that does not answer fails the test instead of hanging it.
 */
public final class GatewayClients {

	/** Upper bound for a connect, and for each blocking read, on any socket made here; and for tests' waits. */
	public static final Duration TIMEOUT = Duration.ofSeconds(10);

	/** Larger than any UDP payload (65,507 bytes over IPv4, 65,527 over IPv6), so nothing is cut. */
	private static final int MAX_DATAGRAM = 65_536;

	/** Room for a few of the largest datagrams, so that a large reply is not dropped before it is read. */
	private static final int UDP_RECEIVE_BUFFER = 256 * 1024;

	private GatewayClients() {
	}

	/** A TCP client connected to 127.0.0.1, with Nagle off and a read timeout of {@link #TIMEOUT}. */
	public static Socket tcp(int port) throws IOException {
		return tcp("127.0.0.1", port);
	}

	/** A TCP client connected to {@code host} (a literal such as "127.0.0.1" or "::1"). */
	public static Socket tcp(String host, int port) throws IOException {
		Socket socket = new Socket();
		try {
			socket.setTcpNoDelay(true);
			socket.setSoTimeout((int) TIMEOUT.toMillis());
			socket.connect(new InetSocketAddress(InetAddress.getByName(host), port), (int) TIMEOUT.toMillis());
			return socket;
		}
		catch (IOException | RuntimeException ex) {
			socket.close();
			throw ex;
		}
	}

	/** Writes all of {@code bytes} and flushes them. */
	public static void send(Socket socket, byte[] bytes) throws IOException {
		socket.getOutputStream().write(bytes);
		socket.getOutputStream().flush();
	}

	/**
	 * Reads exactly {@code n} bytes from a socket made by {@link #tcp(int)}, each read bounded by its timeout.
	 * @throws EOFException if the stream ends first, naming what did arrive
	 */
	public static byte[] readExactly(Socket socket, int n) throws IOException {
		return readExactly(socket.getInputStream(), n);
	}

	/**
	 * Reads exactly {@code n} bytes. The stream must come from a socket with a read timeout, such as one
	 * from {@link #tcp(int)}, so that a missing reply throws {@link SocketTimeoutException}.
	 * @throws EOFException if the stream ends first, naming what did arrive
	 */
	public static byte[] readExactly(InputStream in, int n) throws IOException {
		byte[] bytes = new byte[n];
		int read = 0;
		while (read < n) {
			int count = in.read(bytes, read, n - read);
			if (count < 0) {
				throw new EOFException("Stream ended after " + read + " of " + n + " bytes: "
						+ hex(Arrays.copyOf(bytes, read)));
			}
			read += count;
		}
		return bytes;
	}

	/**
	 * Reads until the peer closes, for a client that has half-closed and expects its last replies.
	 * @throws IOException if more than {@code maxBytes} arrive, or a read times out
	 */
	public static byte[] readToEnd(Socket socket, int maxBytes) throws IOException {
		InputStream in = socket.getInputStream();
		ByteArrayOutputStream all = new ByteArrayOutputStream();
		byte[] chunk = new byte[8192];
		int count;
		while ((count = in.read(chunk)) >= 0) {
			all.write(chunk, 0, count);
			if (all.size() > maxBytes) {
				throw new IOException("Expected end of stream within " + maxBytes + " bytes, got " + all.size());
			}
		}
		return all.toByteArray();
	}

	/** The bytes the gateway answers {@code text} with: its Locale.ROOT upper case in {@code charset}. */
	public static byte[] upperCased(String text, Charset charset) {
		return text.toUpperCase(Locale.ROOT).getBytes(charset);
	}

	/** Sends {@code text} in UTF-8 and returns the reply, read to the expected upper-cased length. */
	public static String exchange(Socket socket, String text) throws IOException {
		return exchange(socket, text, StandardCharsets.UTF_8);
	}

	/** Sends {@code text} in {@code charset} and returns the reply, read to the expected upper-cased length. */
	public static String exchange(Socket socket, String text, Charset charset) throws IOException {
		send(socket, text.getBytes(charset));
		return new String(readExactly(socket, upperCased(text, charset).length), charset);
	}

	/** Sends the request and returns a reply of exactly {@code replyLength} bytes. */
	public static byte[] exchange(Socket socket, byte[] request, int replyLength) throws IOException {
		send(socket, request);
		return readExactly(socket, replyLength);
	}

	/**
	 * A UDP client on 127.0.0.1 connected to the listener, so that it accepts datagrams from that port only,
	 * with a receive timeout of {@link #TIMEOUT}.
	 */
	public static DatagramSocket udp(int port) throws IOException {
		InetAddress loopback = InetAddress.getByName("127.0.0.1");
		DatagramSocket socket = new DatagramSocket(new InetSocketAddress(loopback, 0));
		try {
			socket.setSoTimeout((int) TIMEOUT.toMillis());
			socket.setReceiveBufferSize(UDP_RECEIVE_BUFFER);
			socket.connect(loopback, port);
			return socket;
		}
		catch (IOException | RuntimeException ex) {
			socket.close();
			throw ex;
		}
	}

	/** Sends {@code payload} as one datagram to the peer the socket is connected to. */
	public static void send(DatagramSocket socket, byte[] payload) throws IOException {
		socket.send(new DatagramPacket(payload, payload.length));
	}

	/**
	 * Waits, up to the socket's timeout, for the next datagram.
	 * @return the datagram's payload
	 * @throws SocketTimeoutException if none arrives in time
	 */
	public static byte[] receive(DatagramSocket socket) throws IOException {
		DatagramPacket packet = new DatagramPacket(new byte[MAX_DATAGRAM], MAX_DATAGRAM);
		socket.receive(packet);
		return Arrays.copyOfRange(packet.getData(), packet.getOffset(), packet.getOffset() + packet.getLength());
	}

	/** Sends one datagram and returns the next datagram received. */
	public static byte[] exchange(DatagramSocket socket, byte[] request) throws IOException {
		send(socket, request);
		return receive(socket);
	}

	/** A UDP client connected to the listener, as {@code nc -u} is: it accepts datagrams from that port only. */
	public static DatagramChannel connectedUdp(String host, int port) throws IOException {
		DatagramChannel channel = DatagramChannel.open();
		try {
			channel.connect(new InetSocketAddress(InetAddress.getByName(host), port));
			return channel;
		}
		catch (IOException | RuntimeException ex) {
			channel.close();
			throw ex;
		}
	}

	/**
	 * Waits up to {@code timeout} for one datagram; on a connected channel, one from its peer only.
	 * @return the datagram's payload, flipped for reading (empty for an empty datagram)
	 * @throws SocketTimeoutException if none arrives in time
	 */
	public static ByteBuffer receive(DatagramChannel channel, Duration timeout) throws IOException {
		boolean blocking = channel.isBlocking();
		channel.configureBlocking(false);
		try (Selector selector = Selector.open()) {
			channel.register(selector, SelectionKey.OP_READ);
			ByteBuffer buffer = ByteBuffer.allocate(MAX_DATAGRAM);
			long deadline = System.nanoTime() + timeout.toNanos();
			long left;
			while ((left = deadline - System.nanoTime()) > 0) {
				selector.select(Math.max(1, Duration.ofNanos(left).toMillis()));
				selector.selectedKeys().clear();
				if (channel.receive(buffer) != null) {
					return buffer.flip();
				}
			}
			throw new SocketTimeoutException("No datagram within " + timeout);
		}
		finally {
			// Deregistration completes on the selector's close, so the mode can be restored now.
			channel.configureBlocking(blocking);
		}
	}

	/** Closes every one of {@code sockets}, TCP or UDP, as a test's {@code finally} does with its clients. */
	public static void closeAll(List<? extends Closeable> sockets) throws IOException {
		for (Closeable socket : sockets) {
			socket.close();
		}
	}

	/** Whether this machine can use the IPv6 loopback address ::1. */
	public static boolean hasIpv6Loopback() {
		try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName("::1"))) {
			return true;
		}
		catch (IOException ex) {
			return false;
		}
	}

	/** The parts, one after another. */
	public static byte[] concat(byte[]... parts) {
		ByteArrayOutputStream joined = new ByteArrayOutputStream();
		for (byte[] part : parts) {
			joined.writeBytes(part);
		}
		return joined.toByteArray();
	}

	/** Text as bytes, one byte a character (ISO-8859-1), for requests and frames written as ASCII text. */
	public static byte[] ascii(String text) {
		return text.getBytes(ISO_8859_1);
	}

	/** Bytes as text, one character a byte (ISO-8859-1), so that any bytes compare and show unchanged. */
	public static String text(byte[] bytes) {
		return new String(bytes, ISO_8859_1);
	}

	/** Bytes as "61 ff 62", for failure messages. */
	public static String hex(byte[] bytes) {
		StringBuilder text = new StringBuilder();
		for (byte b : bytes) {
			if (text.length() > 0) {
				text.append(' ');
			}
			text.append(String.format("%02x", b & 0xff));
		}
		return text.toString();
	}

}
