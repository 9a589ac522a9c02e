package dev.socketgateway.tcp;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;

import dev.socketgateway.config.ProxyProtocol;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.scheduling.TaskScheduler;

/**
 * Closes a listener's connections that have been silent for longer than its idle-timeout, closing
 * connections whose client stopped reading, connections still owing their PROXY header, and TLS connections
 * whose handshake missed ssl.handshake-timeout; and drops the per-client limits' clients that hold nothing any
 * more. Spring Integration's own timeout would rescan every connection on each selector wake-up; this scans at
 * a fraction of the shortest timeout instead, at most once a second.
 */
final class IdleReaper implements Runnable {

	private static final Logger logger = LoggerFactory.getLogger(IdleReaper.class);

	private final TcpListenerContext context;

	private final long idleMillis;

	private IdleReaper(TcpListenerContext context, Duration idleTimeout) {
		this.context = context;
		this.idleMillis = idleTimeout.isZero() ? Long.MAX_VALUE : idleTimeout.toMillis();
	}

	/**
	 * Runs also with the idle timeout off, because it ends closing connections whose client does not
	 * read its last replies.
	 * @return the schedule to cancel on stop
	 */
	static ScheduledFuture<?> schedule(TaskScheduler scheduler, TcpListenerContext context) {
		return scheduler.scheduleAtFixedRate(new IdleReaper(context, context.settings().getIdleTimeout()),
				period(context));
	}

	/** A quarter of the shortest timeout that applies, between 10 ms and 1 s. */
	static Duration period(TcpListenerContext context) {
		Duration timeout = context.settings().getIdleTimeout();
		long millis = timeout.isZero() ? 1000 : timeout.toMillis() / 4;
		if (context.settings().getProxyProtocol() != ProxyProtocol.OFF) {
			millis = Math.min(millis, context.settings().getProxyHeaderTimeout().toMillis() / 4);
		}
		if (context.tls() != null) {
			millis = Math.min(millis, context.settings().getSsl().getHandshakeTimeout().toMillis() / 4);
		}
		return Duration.ofMillis(Math.max(10, Math.min(1000, millis)));
	}

	@Override
	public void run() {
		long now = System.currentTimeMillis();
		ClientLimits limits = this.context.clientLimits();
		if (limits != null) {
			limits.sweep();
		}
		for (GatewayConnection connection : this.context.connections().open()) {
			if (connection.outbound().closeIfOverdue(now) || endProxyHeaderWaitIfOverdue(connection, now)
					|| endTlsHandshakeIfOverdue(connection, now)) {
				continue;
			}
			if (now - connection.stats().lastActivity() > this.idleMillis) {
				logger.debug("Listener '{}' peer {}: idle for over {} ms, closing", this.context.name(), connection.peer(),
						this.idleMillis);
				this.context.metrics().error("idle-timeout");
				connection.close(CloseReason.IDLE_TIMEOUT);
			}
		}
	}

	/** See {@link ProxyPhase#endWaitIfOverdue}. */
	private static boolean endProxyHeaderWaitIfOverdue(GatewayConnection connection, long now) {
		ProxyPhase phase = connection.proxyPhase();
		return phase != null && phase.endWaitIfOverdue(now);
	}

	/**
	 * See {@link TlsLayer#handshakeOverdue}. While a PROXY header is awaited, its own timeout applies instead.
	 * @return true if the connection was closed
	 */
	private static boolean endTlsHandshakeIfOverdue(GatewayConnection connection, long now) {
		TlsLayer tls = connection.tls();
		if (tls == null || connection.proxyPhase() != null || !tls.handshakeOverdue(now)) {
			return false;
		}
		connection.close(CloseReason.TLS_HANDSHAKE);
		return true;
	}

}
