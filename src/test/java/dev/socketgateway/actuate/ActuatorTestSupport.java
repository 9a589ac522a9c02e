package dev.socketgateway.actuate;

import dev.socketgateway.listener.ListenerRegistry;
import org.junit.jupiter.api.BeforeEach;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/** What every actuator test needs: the HTTP port of /actuator and the running listeners. */
abstract class ActuatorTestSupport {

	@LocalServerPort
	int httpPort;

	@Autowired
	ListenerRegistry registry;

	ObservabilityClients actuator;

	@BeforeEach
	void connectActuator() {
		this.actuator = new ObservabilityClients(this.httpPort);
	}

}
