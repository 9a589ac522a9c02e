package dev.socketgateway.tcp;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

import dev.socketgateway.config.ProxyProtocol;
import dev.socketgateway.tcp.framing.FramingException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The start of a connection on a listener with proxy-protocol optional or required: the PROXY header
 * that a load balancer sends ahead of TLS and framing is read ({@link ProxyHeaderReader}), a trusted
 * balancer's header names the client, and then the client is admitted against allowed-cidrs by its own
 * address rather than the balancer's. A malformed, cut or late header closes the connection, as does a
 * missing one under required; under optional, a client that sends no header, or nothing within
 * proxy-header-timeout, is served as it is.
 *
 * <p>Runs under the connection's read lock: called by its event loop with the lock held, and taking the
 * lock when the reaper ends the wait.
 */
final class ProxyPhase {

	private static final Logger logger = LoggerFactory.getLogger(ProxyPhase.class);

	private final ProxyHeaderReader reader;

	private final TcpListenerContext listener;

	private final ConnectionStats stats;

	private final BooleanSupplier admitted;

	private final Consumer<CloseReason> ended;

	private final ProxyProtocol policy;

	private final Duration timeout;

	private final ReentrantLock readLock;

	/** Set once the client is admitted or the connection closed; guarded by the read lock. */
	private boolean over;

	/**
	 * @param stats the connection's client, which a trusted header replaces; it names the client in log lines
	 * @param readLock the connection's read lock
	 * @param admitted runs when the client is admitted and the phase is over; returns false if the connection then
	 * refused the client (max-connections-per-client) and closed
	 * @param ended runs when the phase ends without a client to serve: nothing more is to be read, and the
	 * connection is to close for the reason given
	 */
	ProxyPhase(TcpListenerContext listener, ConnectionStats stats, ReentrantLock readLock, BooleanSupplier admitted,
			Consumer<CloseReason> ended) {
		this.listener = listener;
		this.stats = stats;
		this.readLock = readLock;
		this.admitted = admitted;
		this.ended = ended;
		this.policy = listener.settings().getProxyProtocol();
		this.timeout = listener.settings().getProxyHeaderTimeout();
		this.reader = new ProxyHeaderReader(listener.proxyTrusted(stats.clientAddress()));
	}

	/**
	 * Feeds the header reader; what follows the header in the same read is handed on.
	 * @return the bytes after the header once the client is admitted; null while the header is incomplete,
	 * or once the connection was refused
	 */
	ByteBuffer read(ByteBuffer bytes) {
		ProxyHeaderReader.Outcome outcome;
		try {
			outcome = this.reader.offer(bytes);
		}
		catch (FramingException ex) {
			refuse(ex.getMessage());
			return null;
		}
		if (outcome == ProxyHeaderReader.Outcome.MORE) {
			return null;
		}
		if (outcome == ProxyHeaderReader.Outcome.NONE && this.policy == ProxyProtocol.REQUIRED) {
			refuse("no PROXY header (proxy-protocol: required)");
			return null;
		}
		InetSocketAddress source = this.reader.source();
		if (source != null) {
			this.stats.proxied(source);
			logger.debug("Listener '{}' peer {}: connection {} proxied by {}", this.listener.name(), this.stats.peer(),
					this.stats.id(), this.stats.proxiedBy());
		}
		return admit() ? this.reader.rest() : null;
	}

	/** End of input while the header was expected: a balancer's bare health check, or a cut header. */
	void inputEnded() {
		if (this.reader.started()) {
			refuse("PROXY header cut short by end of input");
			return;
		}
		end(CloseReason.CLIENT_CLOSED);
	}

	/**
	 * Called by the reaper: a connection that has not delivered its PROXY header within
	 * proxy-header-timeout is closed; under optional, one that has sent nothing at all is served as plain.
	 * @return true if the connection was closed
	 */
	boolean endWaitIfOverdue(long now) {
		if (now - this.stats.openedAt() < this.timeout.toMillis() || !this.readLock.tryLock()) {
			return false; // a reader holding the lock gets it next round
		}
		try {
			if (this.over) {
				return false;
			}
			if (this.policy == ProxyProtocol.OPTIONAL && !this.reader.started()) {
				return !admit();
			}
			refuse("no complete PROXY header within " + this.timeout);
			return true;
		}
		finally {
			this.readLock.unlock();
		}
	}

	private void refuse(String why) {
		this.listener.metrics().error("proxy-header");
		this.listener.warnings().warn("Listener '{}' peer {}: {}; closing connection", this.listener.name(),
				this.stats.peer(), why);
		end(CloseReason.PROXY_HEADER);
	}

	private void end(CloseReason reason) {
		this.over = true;
		this.ended.accept(reason);
	}

	/**
	 * The header phase is over and the client known, so allowed-cidrs is checked here, and then the per-client limits.
	 * @return false if the client is not allowed and the connection was closed
	 */
	private boolean admit() {
		if (!this.listener.allowList().allows(this.stats.clientAddress())) {
			this.listener.metrics().rejected("not-allowed");
			this.listener.warnings().warn("Listener '{}' peer {}: address not in allowed-cidrs; connection closed",
					this.listener.name(), this.stats.peer());
			end(CloseReason.NOT_ALLOWED);
			return false;
		}
		this.over = true;
		return this.admitted.getAsBoolean();
	}

}
