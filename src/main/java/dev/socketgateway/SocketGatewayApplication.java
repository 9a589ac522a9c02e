package dev.socketgateway;


import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * TCP and UDP socket gateways that answer every message with the same text in upper case.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class SocketGatewayApplication {

	public static void main(String[] args) {
		TermSignal.exitZeroOnTerm();
		SpringApplication.run(SocketGatewayApplication.class, args);
	}

}
