package dev.socketgateway.udp;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import dev.socketgateway.GatewayClients;
import dev.socketgateway.SocketGatewayApplication;
import dev.socketgateway.config.ListenerProperties;
import dev.socketgateway.listener.ListenerRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

import static dev.socketgateway.GatewayClients.TIMEOUT;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * receive-buffer-bytes as clients and operators see it: with the default 4 MiB a burst from one client is answered
 * whole, and a buffer the kernel caps gets one WARN at startup saying what to raise.
 */
@ExtendWith(OutputCaptureExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UdpReceiveBufferIntegrationTests {

	private static final int BURST = 2_000;

	@Test
	void twoThousandDatagramsSentBackToBackFromOneClientAreAllAnsweredWithTheDefaultBuffer() throws IOException {
		long rmemMax = rmemMax();
		assumeTrue(rmemMax >= ListenerProperties.DEFAULT_RECEIVE_BUFFER_BYTES, "WARNING: net.core.rmem_max is "
				+ rmemMax + " here, less than the default receive-buffer-bytes: a burst of " + BURST
				+ " datagrams may be dropped, so this test is skipped");
		try (ConfigurableApplicationContext gateway = start(); DatagramChannel client = DatagramChannel.open()) {
			int port = gateway.getBean(ListenerRegistry.class).listener("udp").port();
			// Room for every reply, since the client reads only once it has sent the whole burst.
			client.setOption(StandardSocketOptions.SO_RCVBUF, ListenerProperties.DEFAULT_RECEIVE_BUFFER_BYTES);
			client.connect(new InetSocketAddress("127.0.0.1", port));
			Set<String> expected = new HashSet<>();
			for (int i = 0; i < BURST; i++) {
				String request = "burst datagram " + i;
				client.write(ByteBuffer.wrap(request.getBytes(US_ASCII)));
				expected.add(request.toUpperCase(java.util.Locale.ROOT));
			}
			assertThat(replies(client, BURST)).isEqualTo(expected);
		}
	}

	@Test
	void aReceiveBufferTheKernelCapsIsOneWarningNamingTheListenerTheSizeGrantedAndTheSysctl(CapturedOutput output) {
		long rmemMax = rmemMax();
		int asked = 64 * 1024 * 1024;
		assumeTrue(rmemMax > 0 && rmemMax < asked, "net.core.rmem_max is " + rmemMax + ": nothing caps 64 MiB");
		try (ConfigurableApplicationContext gateway = start("--gateway.listeners.udp.receive-buffer-bytes=" + asked,
				"--gateway.listeners.udp.receive-threads=3", "--gateway.listeners.roomy.protocol=udp",
				"--gateway.listeners.roomy.port=0", "--gateway.listeners.roomy.receive-buffer-bytes=65536")) {
			List<String> warnings = output.getOut().lines().filter((line) -> line.contains(" WARN ") && line.contains("receive buffer"))
				.toList();
			assertThat(warnings).as("in%n%s", output.getOut()).singleElement().satisfies((line) -> assertThat(line)
				.contains("Listener 'udp'", "granted a receive buffer of " + rmemMax + " bytes", String.valueOf(asked),
						"net.core.rmem_max"));
			int port = gateway.getBean(ListenerRegistry.class).listener("udp").port();
			assertThat(output.getOut()).as("the listener's startup line").contains(
					"Listener 'udp' (udp): 3 receive threads on port " + port + ", a receive buffer of " + rmemMax
							+ " bytes each",
					"Listener 'roomy' (udp): ");
		}
	}

	/**
	 * The replies that arrive until there are {@code count} of them, or for {@link GatewayClients#TIMEOUT}; for a
	 * count of 0, the replies waiting now.
	 */
	static Set<String> replies(DatagramChannel client, int count) throws IOException {
		Set<String> replies = new HashSet<>();
		ByteBuffer buffer = ByteBuffer.allocate(1024);
		client.configureBlocking(false);
		try (Selector selector = Selector.open()) {
			client.register(selector, SelectionKey.OP_READ);
			long deadline = System.nanoTime() + TIMEOUT.toNanos();
			do {
				while (client.receive(buffer.clear()) != null) {
					replies.add(US_ASCII.decode(buffer.flip()).toString());
				}
				if (replies.size() < count) {
					selector.select(100);
					selector.selectedKeys().clear();
				}
			}
			while (replies.size() < count && System.nanoTime() < deadline);
		}
		return replies;
	}

	private static ConfigurableApplicationContext start(String... args) {
		String[] all = new String[args.length + 2];
		all[0] = "--gateway.listeners.tcp.port=0";
		all[1] = "--gateway.listeners.udp.port=0";
		System.arraycopy(args, 0, all, 2, args.length);
		return new SpringApplicationBuilder(SocketGatewayApplication.class).web(WebApplicationType.NONE).run(all);
	}

	/** The kernel's cap on a socket's receive buffer; 0 where there is no such setting. */
	static long rmemMax() {
		try {
			// Not Files.readString: it sizes its read by the file's size, which /proc reports as 0.
			return Long.parseLong(Files.readAllLines(Path.of("/proc/sys/net/core/rmem_max")).get(0).trim());
		}
		catch (IOException | RuntimeException ex) {
			return 0;
		}
	}

}
