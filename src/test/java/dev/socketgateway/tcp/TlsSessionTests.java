package dev.socketgateway.tcp;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.locks.ReentrantLock;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.pem.PemSslStoreBundle;
import org.springframework.boot.ssl.pem.PemSslStoreDetails;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The server side of one TLS connection on its own, driven in memory: a client {@link SSLEngine} trusting
 * the test certificate under {@code src/test/resources/tls} talks to a {@link TlsSession} through its
 * {@link TlsSession.Link}, with records fed whole or split at every byte as a socket may deliver them.
 */
class TlsSessionTests {

	private static final SSLContext SERVER = SslBundle
		.of(new PemSslStoreBundle(PemSslStoreDetails.forCertificate("classpath:tls/server.crt")
			.withPrivateKey("classpath:tls/server.key"), null))
		.createSslContext();

	private static final SSLContext CLIENT = SslBundle
		.of(new PemSslStoreBundle(null, PemSslStoreDetails.forCertificate("classpath:tls/server.crt")))
		.createSslContext();

	private static final int WHOLE = Integer.MAX_VALUE;

	private final ReentrantLock writeLock = new ReentrantLock();

	private final RecordingLink link = new RecordingLink();

	private final TlsSession session = new TlsSession(serverEngine(), this.writeLock, this.link);

	@ParameterizedTest
	@ValueSource(strings = { "TLSv1.3", "TLSv1.2" })
	void theHandshakeCompletesAndIsReportedOnce(String protocol) throws SSLException {
		Client client = connected(protocol);
		assertThat(this.session.established()).isTrue();
		assertThat(client.engine.getSession().getProtocol()).isEqualTo(protocol);
		send(client, "after the handshake", WHOLE);
		assertThat(this.link.established).isEqualTo(1);
		assertThat(this.link.sentWithoutWriteLock).as("handshake records sent without the write lock").isFalse();
	}

	@ParameterizedTest
	@ValueSource(strings = { "TLSv1.3", "TLSv1.2" })
	void applicationDataFlowsBothWays(String protocol) throws SSLException {
		Client client = connected(protocol);
		send(client, "hello tls", WHOLE);
		assertThat(this.link.plaintext()).isEqualTo("hello tls");
		client.unwrap(serverWrap("HELLO TLS"));
		assertThat(client.received()).isEqualTo("HELLO TLS");
	}

	@ParameterizedTest
	@ValueSource(strings = { "TLSv1.3", "TLSv1.2" })
	void messagesLongerThanOneRecordFlowBothWays(String protocol) throws SSLException {
		Client client = connected(protocol);
		String big = "0123456789abcdef".repeat(6000); // 96 KB: six records at the most
		send(client, big, 1000);
		assertThat(this.link.plaintext()).isEqualTo(big);
		client.unwrap(serverWrap(big.toUpperCase()));
		assertThat(client.received()).isEqualTo(big.toUpperCase());
	}

	@ParameterizedTest
	@ValueSource(strings = { "TLSv1.3", "TLSv1.2" })
	void recordsArrivingOneByteAtATimeAreUnwrappedWhole(String protocol) throws SSLException {
		Client client = new Client(protocol);
		handshake(client, 1);
		assertThat(this.link.established).isEqualTo(1);
		send(client, "first", 1);
		send(client, " and second", 7);
		assertThat(this.link.plaintext()).isEqualTo("first and second");
	}

	@ParameterizedTest
	@ValueSource(strings = { "TLSv1.3", "TLSv1.2" })
	void closeNotifyFromTheClientEndsTheSessionAfterWhatCameBeforeIt(String protocol) throws SSLException {
		Client client = connected(protocol);
		byte[] lastWords = client.wrap("last words".getBytes(UTF_8));
		client.engine.closeOutbound();
		byte[] closeNotify = client.wrap(new byte[0]);
		assertThat(this.session.receive(ByteBuffer.wrap(concat(lastWords, closeNotify)))).isFalse();
		assertThat(this.link.plaintext()).isEqualTo("last words");
		byte[] repliedBeforeClosing = this.link.takeSent(); // TLS 1.2 answers close_notify at once
		client.unwrap(concat(repliedBeforeClosing, serverClose()));
		assertThat(client.engine.isInboundDone()).as("client saw the server's close_notify").isTrue();
	}

	@ParameterizedTest
	@ValueSource(strings = { "TLSv1.3", "TLSv1.2" })
	void garbageInARecordAfterTheHandshakeFails(String protocol) throws SSLException {
		Client client = connected(protocol);
		byte[] garbage = new byte[5 + 48];
		new Random(11).nextBytes(garbage);
		ByteBuffer.wrap(garbage).put((byte) 23).putShort((short) 0x0303).putShort((short) 48); // application_data
		assertThatExceptionOfType(SSLException.class).isThrownBy(() -> feed(garbage, 3));
		assertThat(this.session.established()).as("a failure after the handshake, not of it").isTrue();
		assertThat(this.link.plaintext()).isEmpty();
	}

	@ParameterizedTest
	@ValueSource(strings = { "TLSv1.3", "TLSv1.2" })
	void aRecordOfNoKnownTypeAfterTheHandshakeFails(String protocol) throws SSLException {
		Client client = connected(protocol);
		byte[] unknown = { 'G', 3, 3, 0, 4, 'E', 'T', ' ', '/' };
		assertThatExceptionOfType(SSLException.class).isThrownBy(() -> feed(unknown, WHOLE));
	}

	@ParameterizedTest
	@ValueSource(strings = { "TLSv1.3", "TLSv1.2" })
	void aCorruptedRecordFailsAndIsNotHandedOn(String protocol) throws SSLException {
		Client client = connected(protocol);
		byte[] record = client.wrap("tampered".getBytes(UTF_8));
		record[record.length - 1] ^= 0x01; // the last byte of the authentication tag
		assertThatExceptionOfType(SSLException.class).isThrownBy(() -> this.session.receive(ByteBuffer.wrap(record)));
		assertThat(this.link.plaintext()).isEmpty();
	}

	@ParameterizedTest
	@ValueSource(strings = { "TLSv1.3", "TLSv1.2" })
	void plainTextInsteadOfAHandshakeFailsBeforeTheSessionIsEstablished(String protocol) {
		ByteBuffer plain = ByteBuffer.wrap("hello, is this TLS?\n".getBytes(UTF_8));
		assertThatExceptionOfType(SSLException.class).isThrownBy(() -> this.session.receive(plain));
		assertThat(this.session.established()).isFalse();
		assertThat(this.link.established).isZero();
	}

	/** A client of that protocol, with the handshake done, its records fed to the server whole. */
	private Client connected(String protocol) throws SSLException {
		Client client = new Client(protocol);
		handshake(client, WHOLE);
		return client;
	}

	/** Runs the handshake to its end, each side taking what the other sent, the server in pieces of {@code chunk}. */
	private void handshake(Client client, int chunk) throws SSLException {
		client.engine.beginHandshake();
		for (int round = 0; round < 10; round++) {
			assertThat(feed(client.wrap(new byte[0]), chunk)).isTrue();
			client.unwrap(this.link.takeSent());
			if (client.engine.getHandshakeStatus() == HandshakeStatus.NOT_HANDSHAKING && this.session.established()) {
				return;
			}
		}
		throw new AssertionError("no handshake after 10 rounds: client " + client.engine.getHandshakeStatus()
				+ ", server established " + this.session.established());
	}

	private void send(Client client, String text, int chunk) throws SSLException {
		assertThat(feed(client.wrap(text.getBytes(UTF_8)), chunk)).isTrue();
	}

	/** @return what the last {@link TlsSession#receive} returned */
	private boolean feed(byte[] records, int chunk) throws SSLException {
		boolean open = true;
		for (int start = 0; start < records.length; start += chunk) {
			open = this.session.receive(ByteBuffer.wrap(records, start, Math.min(chunk, records.length - start)));
		}
		return open;
	}

	private byte[] serverWrap(String text) throws SSLException {
		this.writeLock.lock();
		try {
			return bytes(this.session.wrap(ByteBuffer.wrap(text.getBytes(UTF_8))));
		}
		finally {
			this.writeLock.unlock();
		}
	}

	/** What the connection sends when it closes: close_notify, unless the session sent it already. */
	private byte[] serverClose() throws SSLException {
		this.writeLock.lock();
		try {
			return bytes(this.session.close());
		}
		finally {
			this.writeLock.unlock();
		}
	}

	private static SSLEngine serverEngine() {
		SSLEngine engine = SERVER.createSSLEngine();
		engine.setUseClientMode(false);
		return engine;
	}

	private static byte[] bytes(ByteBuffer buffer) {
		byte[] bytes = new byte[buffer.remaining()];
		buffer.get(bytes);
		return bytes;
	}

	private static byte[] concat(byte[] first, byte[] second) {
		byte[] both = Arrays.copyOf(first, first.length + second.length);
		System.arraycopy(second, 0, both, first.length, second.length);
		return both;
	}

	/** The connection's side of the link: what the session sent and handed on. */
	private final class RecordingLink implements TlsSession.Link {

		private final ByteArrayOutputStream sent = new ByteArrayOutputStream();

		private final ByteArrayOutputStream received = new ByteArrayOutputStream();

		private int established;

		private boolean sentWithoutWriteLock;

		@Override
		public void send(ByteBuffer records) {
			this.sentWithoutWriteLock |= !TlsSessionTests.this.writeLock.isHeldByCurrentThread();
			this.sent.writeBytes(bytes(records));
		}

		@Override
		public void received(ByteBuffer plaintext) {
			this.received.writeBytes(bytes(plaintext));
		}

		@Override
		public void established() {
			this.established++;
		}

		byte[] takeSent() {
			byte[] records = this.sent.toByteArray();
			this.sent.reset();
			return records;
		}

		String plaintext() {
			return this.received.toString(UTF_8);
		}

	}

	/** A TLS client in memory, as it would be on the other end of the socket. */
	private static final class Client {

		private final SSLEngine engine;

		/** What the server sent that is not unwrapped yet, readable. */
		private ByteBuffer unread = ByteBuffer.allocate(0);

		private final ByteArrayOutputStream received = new ByteArrayOutputStream();

		Client(String protocol) {
			this.engine = CLIENT.createSSLEngine("localhost", 443);
			this.engine.setUseClientMode(true);
			this.engine.setEnabledProtocols(new String[] { protocol });
		}

		/** Records for the plaintext, after any handshake messages the engine has to send first. */
		byte[] wrap(byte[] plaintext) throws SSLException {
			ByteBuffer source = ByteBuffer.wrap(plaintext);
			ByteArrayOutputStream records = new ByteArrayOutputStream();
			ByteBuffer out = ByteBuffer.allocate(this.engine.getSession().getPacketBufferSize());
			for (int i = 0; i < 1000; i++) {
				out.clear();
				SSLEngineResult result = this.engine.wrap(source, out);
				runTasks();
				records.write(out.array(), 0, out.position());
				if (result.getStatus() == SSLEngineResult.Status.CLOSED
						|| (!source.hasRemaining() && this.engine.getHandshakeStatus() != HandshakeStatus.NEED_WRAP)) {
					return records.toByteArray();
				}
			}
			throw new AssertionError("client engine keeps wrapping");
		}

		/** Unwraps what the server sent, as far as whole records go and the engine does not need to wrap. */
		void unwrap(byte[] records) throws SSLException {
			ByteBuffer input = ByteBuffer.allocate(this.unread.remaining() + records.length)
				.put(this.unread)
				.put(records)
				.flip();
			ByteBuffer plaintext = ByteBuffer.allocate(this.engine.getSession().getApplicationBufferSize());
			while (input.hasRemaining() && this.engine.getHandshakeStatus() != HandshakeStatus.NEED_WRAP) {
				plaintext.clear();
				SSLEngineResult result = this.engine.unwrap(input, plaintext);
				runTasks();
				this.received.write(plaintext.array(), 0, plaintext.position());
				if (result.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
					plaintext = ByteBuffer.allocate(plaintext.capacity() * 2);
				}
				else if (result.getStatus() != SSLEngineResult.Status.OK) {
					break; // an incomplete record, or close_notify
				}
			}
			this.unread = input;
		}

		String received() {
			return this.received.toString(UTF_8);
		}

		private void runTasks() {
			Runnable task;
			while ((task = this.engine.getDelegatedTask()) != null) {
				task.run();
			}
		}

	}

}
