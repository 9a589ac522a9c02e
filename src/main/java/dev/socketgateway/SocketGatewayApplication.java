package dev.socketgateway;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * TCP and UDP socket gateways that answer every message with the same text in upper case. The
 * properties are enabled, with their validator, by {@code config.GatewayPropertiesConfiguration}.
 */
@SpringBootApplication
public class SocketGatewayApplication {

	public static void main(String[] args) {
		TermSignal.exitZeroOnTerm();
		SpringApplication.run(SocketGatewayApplication.class, args);
	}

}
