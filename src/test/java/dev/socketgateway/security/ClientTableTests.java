package dev.socketgateway.security;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The per-client table with a clock the tests move by hand: connection counts, token buckets, and the bound on
 * the clients it keeps.
 */
class ClientTableTests {

	private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

	private long now = 1_000 * SECOND;

	@Test
	void aClientHasAtMostTheLimitOfConnectionsAndAClosedOneFreesAPlace() {
		ClientTable table = new ClientTable(10, 0, 0);
		ClientTable.Client first = table.open(key(1), 2, this.now);
		ClientTable.Client second = table.open(key(1), 2, this.now);
		assertThat(second).isSameAs(first);
		assertThat(table.open(key(1), 2, this.now)).as("one over the limit").isNull();
		assertThat(table.open(key(2), 2, this.now)).as("another client").isNotNull();
		table.close(first, this.now);
		assertThat(table.open(key(1), 2, this.now)).as("the freed place").isSameAs(first);
	}

	@Test
	void aClientWithNoConnectionAndAFullBucketHoldsNothing() {
		ClientTable table = new ClientTable(10, 0, 0);
		ClientTable.Client client = table.open(key(1), 0, this.now);
		table.open(key(1), 0, this.now);
		table.close(client, this.now);
		assertThat(table.size()).isOne();
		table.close(client, this.now);
		assertThat(table.size()).isZero();
	}

	@Test
	void aClientWhoseBucketIsRefillingStaysUntilItIsFullAndIsThenSwept() {
		ClientTable table = new ClientTable(10, 10, 10);
		ClientTable.Client client = table.open(key(1), 0, this.now);
		client.take(5);
		table.close(client, this.now);
		assertThat(table.size()).as("its debt is remembered").isOne();
		assertThat(table.open(key(1), 0, this.now)).isSameAs(client);
		table.close(client, this.now);
		this.now += SECOND / 4; // 2.5 of the 5 tokens are back
		table.sweep(this.now);
		assertThat(table.size()).isOne();
		this.now += SECOND;
		table.sweep(this.now);
		assertThat(table.size()).isZero();
	}

	@Test
	void whenFullTheClientIdleLongestMakesRoomAndClientsWithConnectionsStay() {
		ClientTable table = new ClientTable(3, 1, 5);
		ClientTable.Client busy = table.open(key(1), 0, this.now);
		ClientTable.Client older = table.touch(key(2), this.now);
		older.tryTake(this.now);
		ClientTable.Client newer = table.touch(key(3), this.now);
		newer.tryTake(this.now);
		this.now += 1;
		table.touch(key(2), this.now); // heard from again: now the newer of the two idle clients
		table.touch(key(4), this.now);
		assertThat(table.size()).isEqualTo(3);
		assertThat(table.open(key(1), 0, this.now)).as("kept: it has a connection").isSameAs(busy);
		assertThat(table.touch(key(2), this.now)).as("kept: heard from most recently").isSameAs(older);
		assertThat(table.touch(key(3), this.now)).as("dropped: idle longest, so a new entry").isNotSameAs(newer);
	}

	@Test
	void whenEveryClientHasAConnectionANewOneIsLimitedOnItsOwn() {
		ClientTable table = new ClientTable(2, 0, 0);
		table.open(key(1), 1, this.now);
		table.open(key(2), 1, this.now);
		ClientTable.Client outside = table.open(key(3), 1, this.now);
		assertThat(outside).isNotNull();
		assertThat(table.size()).isEqualTo(2);
		assertThat(table.open(key(3), 1, this.now)).as("not counted together with the first").isNotNull();
		table.close(outside, this.now);
		assertThat(table.size()).isEqualTo(2);
	}

	@Test
	void aDatagramTakesAWholeTokenOrIsRefusedWithoutTakingAny() {
		ClientTable table = new ClientTable(10, 1, 3);
		ClientTable.Client client = table.touch(key(1), this.now);
		assertThat(client.tryTake(this.now)).isTrue();
		assertThat(client.tryTake(this.now)).isTrue();
		assertThat(client.tryTake(this.now)).isTrue();
		assertThat(client.tryTake(this.now)).isFalse();
		this.now += SECOND / 2;
		assertThat(client.tryTake(this.now)).isFalse();
		this.now += SECOND / 2;
		assertThat(client.tryTake(this.now)).as("one second: one token").isTrue();
		assertThat(client.tryTake(this.now)).isFalse();
	}

	@Test
	void messagesAlreadyReadTakeTheirTokensIntoDebtWhichTimePaysBack() {
		ClientTable table = new ClientTable(10, 100, 10);
		ClientTable.Client client = table.open(key(1), 0, this.now);
		assertThat(client.take(25)).isEqualTo(-15);
		assertThat(client.nanosUntil(1, this.now)).isEqualTo(SECOND * 16 / 100);
		this.now += SECOND / 10;
		assertThat(client.refill(this.now)).isCloseTo(-5, within(1e-6));
		this.now += SECOND;
		assertThat(client.refill(this.now)).as("never more than the bucket holds").isEqualTo(10);
		assertThat(client.nanosUntil(1, this.now)).isZero();
	}

	@Test
	void aDryRunCountsTheMessagesOverTheTokensAndNeverGoesIntoDebt() {
		ClientTable table = new ClientTable(10, 1, 5);
		ClientTable.Client client = table.open(key(1), 0, this.now);
		assertThat(client.takeCountingOver(3, this.now)).isZero();
		assertThat(client.takeCountingOver(4, this.now)).isEqualTo(2);
		assertThat(client.refill(this.now)).isZero();
		this.now += SECOND;
		assertThat(client.takeCountingOver(1, this.now)).isZero();
	}

	private static ClientKey key(int n) {
		return new ClientKey(false, n);
	}

}
