package dev.socketgateway.reliability;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Arrays;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static dev.socketgateway.GatewayClients.TIMEOUT;
import static dev.socketgateway.GatewayClients.exchange;
import static dev.socketgateway.GatewayClients.tcp;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A client that sends without ever reading its replies: the server queues at most max-pending-write-bytes for
 * it, then drops it, without holding the rest in memory and without keeping others waiting.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SlowReaderIntegrationTests extends ReliabilityTestSupport {

	private static final long FLOOD_BYTES = 64L * 1024 * 1024;

	private static final long HEAP_TOLERANCE = 256L * 1024 * 1024;

	@Test
	void aClientThatNeverReadsIsClosedOncePendingWritesExceedTheLimitWhileOthersAreServed() throws Exception {
		double writeFailed = errors("hoard", "write-failed");
		long heapBefore = usedHeapAfterGc();
		AtomicLong written = new AtomicLong();
		ExecutorService flooder = Executors.newSingleThreadExecutor();
		int answered = 0;
		try (Socket hoarder = new Socket(); Socket other = tcp(port("hoard"))) {
			hoarder.setReceiveBufferSize(4096);
			hoarder.setSoTimeout((int) TIMEOUT.toMillis());
			hoarder.connect(new InetSocketAddress("127.0.0.1", port("hoard")), (int) TIMEOUT.toMillis());
			Future<?> flood = flooder.submit(() -> {
				byte[] chunk = new byte[64 * 1024];
				Arrays.fill(chunk, (byte) 'a');
				OutputStream out = hoarder.getOutputStream();
				while (written.get() < FLOOD_BYTES) {
					out.write(chunk);
					written.addAndGet(chunk.length);
				}
				return null;
			});
			long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
			while (!flood.isDone() && System.nanoTime() < deadline) {
				assertThat(exchange(other, "meanwhile " + answered)).isEqualTo("MEANWHILE " + answered);
				answered++;
				try {
					flood.get(50, TimeUnit.MILLISECONDS);
				}
				catch (TimeoutException | ExecutionException ex) {
					// still sending, or stopped by the server: the loop condition decides
				}
			}
			assertThat(flood.isDone()).as("the flooding client was stopped within 30 s (%d bytes written)", written.get())
				.isTrue();
			Throwable failure = catchFailure(flood);
			assertThat(failure).as("the flooding client's send failed, the server having closed it").isInstanceOf(IOException.class);
			assertThat(written.get()).as("bytes the flooding client got out").isLessThan(FLOOD_BYTES);
			assertThat(exchange(other, "after it")).isEqualTo("AFTER IT");
			System.out.printf("slow reader: closed after %d bytes sent (%s); other client answered %d times meanwhile%n",
					written.get(), failure, answered);
		}
		finally {
			flooder.shutdownNow();
			assertThat(flooder.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
		}
		awaiting(SETTLE).untilAsserted(() -> assertThat(errors("hoard", "write-failed") - writeFailed).isEqualTo(1));
		awaitHeapBelow(heapBefore + HEAP_TOLERANCE);
		assertHealthy("hoard", false);
	}

	private static Throwable catchFailure(Future<?> future) throws InterruptedException {
		try {
			future.get();
			return null;
		}
		catch (ExecutionException ex) {
			return ex.getCause();
		}
	}

}
