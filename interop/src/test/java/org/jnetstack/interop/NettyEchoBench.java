package org.jnetstack.interop;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.ReferenceCountUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.spi.SelectorProvider;
import java.util.concurrent.atomic.LongAdder;
import org.jnetstack.NetStack;
import org.jnetstack.link.VirtualWire;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.socket.nio.StackSelectorProvider;

/**
 * Netty's NIO transport over two jnetstack stacks in one JVM (a real-time loop on its own thread,
 * a virtual wire) against the same Netty code on the kernel's loopback: 1-byte round trips per
 * second (one connection, TCP_NODELAY) and bulk MB/s (one connection, 64 KiB writes, the server
 * discards). Not a test: run by hand, see docs/BENCHMARKS.md.
 *
 * <p>Usage: {@code NettyEchoBench [seconds per measurement] [runs]}.
 */
public final class NettyEchoBench {
    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        for (int run = 1; run <= runs; run++) {
            for (String where : new String[] {"jnetstack", "kernel-loopback"}) {
                Setup s = Setup.of(where);
                try {
                    double rr = measure(s, false, seconds);
                    double bulk = measure(s, true, seconds);
                    System.out.printf("run %d %-16s rr-1B %,10.0f round trips/s   bulk %,8.1f MB/s%n", run, where, rr, bulk / 1e6);
                } finally {
                    s.close();
                }
            }
        }
        System.exit(0);
    }

    /** Where the two ends run: their providers and the server's address. */
    record Setup(SelectorProvider client, SelectorProvider server, InetAddress serverIp, EventLoop loop) {
        static Setup of(String where) {
            if (where.equals("kernel-loopback")) {
                return new Setup(SelectorProvider.provider(), SelectorProvider.provider(), InetAddress.getLoopbackAddress(), null);
            }
            EventLoop loop = EventLoop.system();
            VirtualWire wire = new VirtualWire();
            NetStack a = NetStack.builder(loop).name("a").device(wire.a()).address("10.0.0.1/24").seed(1).build();
            NetStack b = NetStack.builder(loop).name("b").device(wire.b()).address("10.0.0.2/24").seed(2).build();
            loop.start("bench-loop");
            try {
                return new Setup(new StackSelectorProvider(a), new StackSelectorProvider(b), InetAddress.getByName("10.0.0.2"), loop);
            } catch (java.net.UnknownHostException e) {
                throw new AssertionError(e);
            }
        }

        void close() {
            if (loop != null) {
                loop.close();
            }
        }
    }

    /** Round trips (bulk false) or bytes (bulk true) per second over {@code seconds}, after a 2 s warm-up. */
    static double measure(Setup s, boolean bulk, int seconds) throws Exception {
        LongAdder count = new LongAdder();
        EventLoopGroup serverGroup = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory(s.server()));
        EventLoopGroup clientGroup = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory(s.client()));
        try {
            Channel server = new ServerBootstrap().group(serverGroup).channelFactory(() -> new NioServerSocketChannel(s.server()))
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(bulk ? new Discard(count) : new Echo());
                        }
                    }).bind(new InetSocketAddress(s.serverIp(), 0)).sync().channel();
            int port = ((InetSocketAddress) server.localAddress()).getPort();
            Channel c = new Bootstrap().group(clientGroup).channelFactory(() -> new NioSocketChannel(s.client()))
                    .option(ChannelOption.TCP_NODELAY, true)
                    .handler(bulk ? new Blast() : new PingPong(count))
                    .connect(new InetSocketAddress(s.serverIp(), port)).sync().channel();
            Thread.sleep(2000);
            long before = count.sum();
            long t0 = System.nanoTime();
            Thread.sleep(seconds * 1000L);
            double rate = (count.sum() - before) / ((System.nanoTime() - t0) / 1e9);
            c.close().sync();
            server.close().sync();
            return rate;
        } finally {
            clientGroup.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).sync();
            serverGroup.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).sync();
        }
    }

    /** The handlers' base: at the end of a measurement an echo in flight meets a closed peer (RST): not news. */
    abstract static class Quiet extends ChannelInboundHandlerAdapter {
        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    static final class Echo extends Quiet {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.writeAndFlush(msg);
        }
    }

    /** Sends one byte, and the next when it is back. */
    static final class PingPong extends Quiet {
        final LongAdder trips;

        PingPong(LongAdder trips) {
            this.trips = trips;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            ctx.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {1}));
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            int n = ((ByteBuf) msg).readableBytes();
            ReferenceCountUtil.release(msg);
            for (int i = 0; i < n; i++) {
                trips.increment();
                ctx.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {1}));
            }
        }
    }

    static final class Discard extends Quiet {
        final LongAdder bytes;

        Discard(LongAdder bytes) {
            this.bytes = bytes;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            bytes.add(((ByteBuf) msg).readableBytes());
            ReferenceCountUtil.release(msg);
        }
    }

    /** Writes 64 KiB at a time while the channel is writable. */
    static final class Blast extends Quiet {
        private final ByteBuf chunk = Unpooled.unreleasableBuffer(Unpooled.directBuffer(65536).writeZero(65536));

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            fill(ctx);
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            fill(ctx);
        }

        private void fill(ChannelHandlerContext ctx) {
            Channel ch = ctx.channel();
            while (ch.isActive() && ch.isWritable()) {
                ctx.write(chunk.duplicate());
            }
            ctx.flush();
        }
    }
}
