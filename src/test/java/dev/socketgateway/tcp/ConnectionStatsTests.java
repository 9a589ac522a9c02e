package dev.socketgateway.tcp;

import java.net.InetAddress;
import java.util.Arrays;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** A connection's close reason and close time, as the session log reads them. */
class ConnectionStatsTests {

	private final ConnectionStats stats = new ConnectionStats(7, InetAddress.getLoopbackAddress(), 40000);

	@Test
	void theReasonsAreTheOnesTheSessionLogDocumentsInKebabCase() {
		assertThat(Arrays.stream(CloseReason.values()).map(CloseReason::toString)).containsExactly("client-closed",
				"quit", "idle-timeout", "frame-too-large", "malformed", "write-failed", "reset", "tls-handshake",
				"proxy-header", "not-allowed", "max-connections", "per-client-limit", "closed-by-operator", "drained",
				"shutdown");
	}

	@Test
	void theFirstReasonRecordedWins() {
		this.stats.closing(CloseReason.IDLE_TIMEOUT);
		this.stats.closing(CloseReason.SHUTDOWN);
		assertThat(this.stats.closeReason()).isEqualTo(CloseReason.IDLE_TIMEOUT);
	}

	@Test
	void aWriteFailureReplacesAnOrderlyCloseButNotAFault() {
		this.stats.closing(CloseReason.CLIENT_CLOSED);
		this.stats.writeFailed();
		assertThat(this.stats.closeReason()).as("a clean close that lost its last replies")
			.isEqualTo(CloseReason.WRITE_FAILED);

		ConnectionStats malformed = new ConnectionStats(8, InetAddress.getLoopbackAddress(), 40001);
		malformed.closing(CloseReason.MALFORMED);
		malformed.writeFailed();
		assertThat(malformed.closeReason()).as("the fault came first").isEqualTo(CloseReason.MALFORMED);
	}

	@Test
	void aConnectionEndsOnceAndWithNoReasonRecordedItWasTheShutdown() {
		assertThat(this.stats.end()).isTrue();
		assertThat(this.stats.end()).as("a second close").isFalse();
		assertThat(this.stats.durationMillis()).isNotNegative();
		assertThat(this.stats.closeReason()).isEqualTo(CloseReason.SHUTDOWN);
	}

}
