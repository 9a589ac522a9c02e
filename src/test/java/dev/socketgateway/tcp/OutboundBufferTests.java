package dev.socketgateway.tcp;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.WritableByteChannel;

import dev.socketgateway.config.ListenerProperties;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * One connection's write queue on its own, over a socket whose client reads as slowly as each test says:
 * what the socket does not take waits in order, max-pending-write-bytes is a hard limit, and a closing
 * connection closes once its queue is written, or at the close deadline when its client stops reading.
 */
class OutboundBufferTests {

	private static final int LIMIT = 16;

	private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

	private final WriteFlusher flusher = new WriteFlusher("outbound-test");

	private final SlowReader socket = new SlowReader();

	private final Connection connection = new Connection();

	private final ConnectionStats stats = new ConnectionStats(1, InetAddress.getLoopbackAddress(), 40000);

	private final OutboundBuffer buffer = new OutboundBuffer(this.socket, listener(), this.stats, this.connection);

	@AfterEach
	void stopFlusher() {
		this.flusher.stop();
	}

	@Test
	void whatTheSocketDoesNotTakeIsQueuedAndFlushedInOrder() {
		this.socket.room = 3;
		this.buffer.write(ascii("first "), true);
		assertThat(this.socket.wire()).isEqualTo("fir");
		assertThat(this.buffer.hasPending()).isTrue();
		this.socket.room = 100;
		this.buffer.write(ascii("second"), true);
		assertThat(this.socket.wire()).as("a write waits behind the queue, even when the socket could take it")
			.isEqualTo("fir");
		assertThat(this.connection.flushRequests).as("the flusher is asked once, when the queue starts").isEqualTo(1);
		this.socket.room = 4;
		assertThat(this.buffer.flush()).isFalse();
		assertThat(this.socket.wire()).isEqualTo("first s");
		this.socket.room = 100;
		assertThat(this.buffer.flush()).isTrue();
		assertThat(this.socket.wire()).isEqualTo("first second");
		assertThat(this.buffer.hasPending()).isFalse();
		assertThat(this.stats.bytesSent()).isEqualTo(12);
		assertThat(this.connection.closes).isZero();
	}

	@Test
	void whatIsQueuedOfAReusedBufferIsACopySoTheNextReplyInItChangesNothing() {
		ByteBuffer reused = ByteBuffer.allocate(8);
		this.socket.room = 2;
		this.buffer.write(reused.put(bytes("first")).flip(), true, true);
		this.buffer.write(reused.clear().put(bytes("next")).flip(), true, true);
		reused.clear().put(bytes("XXXXXXXX"));
		this.socket.room = 100;
		assertThat(this.buffer.flush()).isTrue();
		assertThat(this.socket.wire()).isEqualTo("firstnext");
	}

	@Test
	void goingOverMaxPendingWriteBytesClosesTheConnectionAndFailsTheWrite() {
		this.socket.room = 0;
		this.buffer.write(ascii("0123456789"), true);
		this.buffer.write(ascii("abcdef"), true); // exactly at the limit
		assertThat(this.connection.closes).isZero();
		assertThatExceptionOfType(WriteFailedException.class).isThrownBy(() -> this.buffer.write(ascii("!"), true))
			.withMessageContaining("pending write limit exceeded");
		assertThat(this.connection.closes).isEqualTo(1);
		assertThat(writeFailures()).isEqualTo(1);
	}

	@Test
	void aClosingConnectionClosesOnlyOnceItsQueueIsWritten() {
		this.socket.room = 2;
		this.buffer.write(ascii("abcdef"), true);
		this.stats.closing(CloseReason.QUIT);
		assertThat(this.buffer.closeWhenFlushed()).as("closes later").isTrue();
		assertThat(this.buffer.flush()).isFalse();
		assertThat(this.connection.closes).isZero();
		this.socket.room = 100;
		assertThat(this.buffer.flush()).isTrue();
		assertThat(this.socket.wire()).isEqualTo("abcdef");
		assertThat(this.connection.closes).isEqualTo(1);
		assertThat(writeFailures()).isZero();
		assertThat(this.stats.closeReason()).isEqualTo(CloseReason.QUIT);
	}

	@Test
	void withNothingQueuedTheCallerClosesAtOnceAndNoDeadlineIsSet() {
		this.socket.room = 100;
		this.buffer.write(ascii("all of it"), true);
		assertThat(this.buffer.closeWhenFlushed()).isFalse();
		assertThat(this.buffer.closeIfOverdue(Long.MAX_VALUE)).isFalse();
		assertThat(this.connection.closes).isZero();
	}

	@Test
	void theCloseDeadlineDropsAClientThatDoesNotRead() {
		this.socket.room = 0;
		this.buffer.write(ascii("never read"), true);
		this.stats.closing(CloseReason.CLIENT_CLOSED);
		long before = System.currentTimeMillis();
		this.buffer.closeWhenFlushed();
		long after = System.currentTimeMillis();
		long timeout = OutboundBuffer.CLOSE_TIMEOUT.toMillis();
		assertThat(this.buffer.closeIfOverdue(before + timeout - 1)).isFalse();
		assertThat(this.connection.closes).isZero();
		assertThat(this.buffer.closeIfOverdue(after + timeout)).isTrue();
		assertThat(this.connection.closes).isEqualTo(1);
		assertThat(writeFailures()).isEqualTo(1);
		assertThat(this.stats.closeReason()).as("its last replies were lost").isEqualTo(CloseReason.WRITE_FAILED);
	}

	@Test
	void aFailedSocketWriteClosesAndCountsUnlessItWasBestEffort() {
		this.socket.failure = new IOException("Connection reset by peer");
		assertThatExceptionOfType(WriteFailedException.class).isThrownBy(() -> this.buffer.write(ascii("reply"), true))
			.withMessage("Connection reset by peer");
		assertThat(this.connection.closes).isEqualTo(1);
		assertThat(writeFailures()).isEqualTo(1);
		assertThat(this.stats.closeReason()).isEqualTo(CloseReason.WRITE_FAILED);
		assertThatExceptionOfType(WriteFailedException.class)
			.isThrownBy(() -> this.buffer.write(ascii("close_notify"), false));
		assertThat(writeFailures()).as("best effort, not counted").isEqualTo(1);
	}

	@Test
	void aFailedFlushDropsTheQueueAndCloses() {
		this.socket.room = 1;
		this.buffer.write(ascii("abc"), true);
		this.socket.failure = new IOException("Broken pipe");
		assertThat(this.buffer.flush()).as("nothing left to write").isTrue();
		assertThat(this.buffer.hasPending()).isFalse();
		assertThat(this.connection.closes).isEqualTo(1);
		assertThat(writeFailures()).isEqualTo(1);
	}

	private TcpListenerContext listener() {
		ListenerProperties settings = new ListenerProperties();
		settings.setMaxPendingWriteBytes(LIMIT);
		return new TcpListenerContext("outbound", settings, null, this.flusher, this.meters, null, null);
	}

	private double writeFailures() {
		return this.meters.get("gateway.errors")
			.tag("listener", "outbound")
			.tag("reason", "write-failed")
			.counter()
			.count();
	}

	private static ByteBuffer ascii(String text) {
		return ByteBuffer.wrap(bytes(text));
	}

	private static byte[] bytes(String text) {
		return text.getBytes(UTF_8);
	}

	/** A socket with {@code room} bytes free in its send buffer; the test makes more as if the client read. */
	private static final class SlowReader implements WritableByteChannel {

		private final ByteArrayOutputStream wire = new ByteArrayOutputStream();

		private int room;

		private IOException failure;

		private boolean open = true;

		@Override
		public int write(ByteBuffer bytes) throws IOException {
			if (!this.open) {
				throw new ClosedChannelException();
			}
			if (this.failure != null) {
				throw this.failure;
			}
			int taken = Math.min(this.room, bytes.remaining());
			this.room -= taken;
			byte[] chunk = new byte[taken];
			bytes.get(chunk);
			this.wire.writeBytes(chunk);
			return taken;
		}

		@Override
		public boolean isOpen() {
			return this.open;
		}

		@Override
		public void close() {
			this.open = false;
		}

		String wire() {
			return this.wire.toString(UTF_8);
		}

	}

	/** The connection's side: counts the flusher requests and closes, and closes the socket. */
	private final class Connection implements OutboundBuffer.Owner {

		private int flushRequests;

		private int closes;

		@Override
		public void flushWhenWritable() {
			this.flushRequests++;
		}

		@Override
		public void close() {
			this.closes++;
			OutboundBufferTests.this.socket.close();
		}

	}

}
