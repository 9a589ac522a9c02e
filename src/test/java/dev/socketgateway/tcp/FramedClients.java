package dev.socketgateway.tcp;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.util.Locale;

import static dev.socketgateway.GatewayClients.ascii;
import static dev.socketgateway.GatewayClients.concat;
import static dev.socketgateway.GatewayClients.readExactly;
import static dev.socketgateway.GatewayClients.send;
import static dev.socketgateway.GatewayClients.tcp;
import static dev.socketgateway.GatewayClients.text;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the framing tests of this package share: how a client frames a payload for each framing, and what
 * it expects back on a socket from {@link dev.socketgateway.GatewayClients#tcp(int)}.
 */
final class FramedClients {

	private FramedClients() {
	}

	/**
	 * Whether a new connection to a line-framed listener is served, for a test waiting for a closed connection to
	 * free its place.
	 * @return false while new connections are still refused with the busy message, or reset before it was read
	 */
	static boolean servedAgain(int port, String busyMessage) throws IOException {
		try (Socket next = tcp(port)) {
			send(next, ascii("let me in\n"));
			String answer = text(next.getInputStream().readNBytes(10));
			if (answer.equals("LET ME IN\n")) {
				return true;
			}
			assertThat(busyMessage + "\r\n").as("refused while the closed connection is still counted").startsWith(answer);
			return false;
		}
		catch (SocketException ex) {
			return false; // refused and reset before the busy message was read
		}
	}

	/** Sends {@code text} framed the listener's way and asserts the reply is its upper case, framed the same way. */
	static void roundTrip(Socket client, Framing framing, String text) throws IOException {
		send(client, framing.frame(ascii(text)));
		byte[] expected = framing.frame(ascii(text.toUpperCase(Locale.ROOT)));
		assertThat(text(readExactly(client, expected.length))).as("%s reply to %s", framing, text)
			.isEqualTo(text(expected));
	}

	/** Everything until the server closes the connection (a reset counts as closed too), bounded. */
	static byte[] readUntilClosed(Socket socket) throws IOException {
		ByteArrayOutputStream all = new ByteArrayOutputStream();
		InputStream in = socket.getInputStream();
		byte[] buffer = new byte[8192];
		try {
			for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
				all.write(buffer, 0, read);
				assertThat(all.size()).as("bytes before the end of the stream").isLessThan(1 << 20);
			}
		}
		catch (SocketException ex) {
			assertThat(ex.getMessage()).as("reset").containsIgnoringCase("reset");
		}
		return all.toByteArray();
	}

	/**
	 * The server closed this connection: nothing more arrives, only the end of the stream (or a reset, when
	 * the server closed with bytes of ours still unread).
	 */
	static void assertClosedByServer(Socket socket) throws IOException {
		assertThat(text(readUntilClosed(socket))).as("bytes after the server should have closed").isEmpty();
	}

	/** How a client frames a payload for a listener of each framing; the listener frames its reply the same way. */
	enum Framing {

		/** Every read is a message: nothing is added. */
		STREAM(0),

		LINE_CRLF(0),

		LINE_LF(0),

		STX_ETX(0),

		LENGTH_HEADER_1(1),

		LENGTH_HEADER_2(2),

		LENGTH_HEADER_4(4);

		private final int headerBytes;

		Framing(int headerBytes) {
			this.headerBytes = headerBytes;
		}

		/** The width of the big-endian length header; 0 for the framings without one. */
		int headerBytes() {
			return this.headerBytes;
		}

		byte[] frame(byte[] payload) {
			return switch (this) {
				case STREAM -> payload;
				case LINE_CRLF -> concat(payload, new byte[] { '\r', '\n' });
				case LINE_LF -> concat(payload, new byte[] { '\n' });
				case STX_ETX -> concat(new byte[] { 0x02 }, payload, new byte[] { 0x03 });
				case LENGTH_HEADER_1, LENGTH_HEADER_2, LENGTH_HEADER_4 -> concat(lengthHeader(payload.length), payload);
			};
		}

		private byte[] lengthHeader(int length) {
			byte[] header = new byte[this.headerBytes];
			for (int i = 0; i < this.headerBytes; i++) {
				header[i] = (byte) (length >>> (8 * (this.headerBytes - 1 - i)));
			}
			return header;
		}

	}

}
