package dev.socketgateway.bench;

import java.util.concurrent.TimeUnit;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.internal.logging.InternalLoggerFactory;
import io.netty.util.internal.logging.JdkLoggerFactory;

/**
 * The baseline: the least a Netty server needs to do the gateway's job. TCP with stream semantics (every read is
 * upper-cased in place and written back), UDP answered to the sender from the same channel. NIO transport and
 * Netty's default thread counts (one acceptor, two event loops per core), as an application would start it.
 * Usage: {@code NettyUppercaseServer <port> [bind-address]}.
 */
public final class NettyUppercaseServer {

	private NettyUppercaseServer() {
	}

	public static void main(String[] args) throws InterruptedException {
		// The bench classpath has Logback, whose default is DEBUG on the console; JUL's default of INFO is quiet.
		InternalLoggerFactory.setDefaultFactory(JdkLoggerFactory.INSTANCE);
		int port = Integer.parseInt(args[0]);
		String host = (args.length > 1) ? args[1] : "127.0.0.1";
		EventLoopGroup acceptor = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
		EventLoopGroup workers = new MultiThreadIoEventLoopGroup(NioIoHandler.newFactory());
		Channel tcp = new ServerBootstrap().group(acceptor, workers)
			.channel(NioServerSocketChannel.class)
			.childHandler(new TcpUppercase())
			.bind(host, port)
			.sync()
			.channel();
		Channel udp = new Bootstrap().group(workers)
			.channel(NioDatagramChannel.class)
			.handler(new UdpUppercase())
			.bind(host, port)
			.sync()
			.channel();
		Runtime.getRuntime().addShutdownHook(new Thread(() -> {
			tcp.close().syncUninterruptibly();
			udp.close().syncUninterruptibly();
			acceptor.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
			workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
		}, "netty-shutdown"));
		// The server's log file, not the benchmark's console.
		System.out.println("Netty uppercase server listening on " + host + " port " + port + " (tcp, udp)");
		tcp.closeFuture().sync();
	}

	/** ASCII a-z only: the benchmark's requests are lowercase ASCII, which is all this baseline has to handle. */
	static void upperCaseInPlace(ByteBuf buffer) {
		for (int i = buffer.readerIndex(); i < buffer.writerIndex(); i++) {
			byte b = buffer.getByte(i);
			if (b >= 'a' && b <= 'z') {
				buffer.setByte(i, b - ('a' - 'A'));
			}
		}
	}

	@ChannelHandler.Sharable
	private static final class TcpUppercase extends ChannelInboundHandlerAdapter {

		@Override
		public void channelRead(ChannelHandlerContext context, Object message) {
			ByteBuf buffer = (ByteBuf) message;
			upperCaseInPlace(buffer);
			// The write releases the buffer once sent; one flush per read batch, as Netty applications do.
			context.write(buffer, context.voidPromise());
		}

		@Override
		public void channelReadComplete(ChannelHandlerContext context) {
			context.flush();
		}

		@Override
		public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
			context.close();
		}

	}

	private static final class UdpUppercase extends ChannelInboundHandlerAdapter {

		@Override
		public void channelRead(ChannelHandlerContext context, Object message) {
			DatagramPacket packet = (DatagramPacket) message;
			ByteBuf content = packet.content();
			upperCaseInPlace(content);
			// The reply takes over the request's buffer, so it is released once, after sending.
			context.write(new DatagramPacket(content, packet.sender()), context.voidPromise());
		}

		@Override
		public void channelReadComplete(ChannelHandlerContext context) {
			context.flush();
		}

		@Override
		public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
			// A datagram channel serves every client: one client's ICMP error must not close it.
		}

	}

}
