package dev.socketgateway.tcp;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.LoggerFactory;
import org.slf4j.event.KeyValuePair;

import static dev.socketgateway.GatewayClients.TIMEOUT;
import static org.awaitility.Awaitility.await;

/**
 * The session log as a log pipeline receives it: every line logged on {@code dev.socketgateway.session} while a
 * test runs, each as its key-value pairs (the fields of the JSON a structured console writes) and its message.
 * Attached to the logger before each test, after Spring Boot has configured logging, and detached after it.
 */
final class SessionLines extends AppenderBase<ILoggingEvent> implements BeforeEachCallback, AfterEachCallback {

	/** The key under which {@link #awaitLine} returns the line's message, beside its fields. */
	static final String MESSAGE = "(message)";

	private final Queue<ILoggingEvent> events = new ConcurrentLinkedQueue<>();

	@Override
	public void beforeEach(ExtensionContext context) {
		this.events.clear();
		Logger logger = logger();
		setContext(logger.getLoggerContext());
		setName("session-lines");
		start();
		logger.addAppender(this);
	}

	@Override
	public void afterEach(ExtensionContext context) {
		logger().detachAppender(this);
		stop();
	}

	@Override
	protected void append(ILoggingEvent event) {
		this.events.add(event);
	}

	/**
	 * Waits for the line of the connection from {@code remotePort} on {@code listener}.
	 * @return its fields by key, in the order logged, and its message under {@link #MESSAGE}
	 */
	Map<String, Object> awaitLine(String listener, int remotePort) {
		return await().atMost(TIMEOUT)
			.until(() -> find(listener, remotePort), Optional::isPresent)
			.orElseThrow();
	}

	/** The lines of one listener logged so far. */
	List<Map<String, Object>> of(String listener) {
		return this.events.stream().map(SessionLines::fields).filter((line) -> listener.equals(line.get("listener")))
			.toList();
	}

	private Optional<Map<String, Object>> find(String listener, int remotePort) {
		return of(listener).stream().filter((line) -> Objects.equals(line.get("remotePort"), remotePort)).findFirst();
	}

	private static Map<String, Object> fields(ILoggingEvent event) {
		Map<String, Object> fields = new LinkedHashMap<>();
		List<KeyValuePair> pairs = event.getKeyValuePairs();
		if (pairs != null) {
			pairs.forEach((pair) -> fields.put(pair.key, pair.value));
		}
		fields.put(MESSAGE, event.getFormattedMessage());
		return fields;
	}

	private static Logger logger() {
		return (Logger) LoggerFactory.getLogger(SessionLog.LOGGER);
	}

}
