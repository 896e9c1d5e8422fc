package org.jnetstack.interop;

import static org.assertj.core.api.Assertions.assertThat;

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
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jnetstack.NetStack;
import org.jnetstack.link.VirtualWire;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.socket.nio.StackSelectorProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Netty 4.2's NIO transport, unmodified, on two stacks in this JVM: it is handed our
 * {@link StackSelectorProvider} ({@code NioIoHandler.newFactory(provider)} and the channels'
 * provider constructors). An echo server and a client move 8 MiB each way byte-exact over
 * several connections at once. Needs no root (a virtual wire, no TAP).
 */
@Timeout(120)
class NettyOnStackTest {
    final EventLoop loop = EventLoop.system();
    final NetStack clientStack;
    final NetStack serverStack;

    NettyOnStackTest() {
        VirtualWire wire = new VirtualWire();
        clientStack = NetStack.builder(loop).name("client").device(wire.a()).address("10.0.0.1/24").seed(1).build();
        serverStack = NetStack.builder(loop).name("server").device(wire.b()).address("10.0.0.2/24").seed(2).build();
        loop.start("netty-test-loop");
    }

    @AfterEach
    void tearDown() {
        loop.close();
    }

    /** Echoes every byte; half-closes its output when the client has half-closed (after the last echo). */
    static final class Echo extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.write(msg);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof ChannelInputShutdownEvent) {
                ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> ((SocketChannel) ctx.channel()).shutdownOutput());
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            cause.printStackTrace();
            ctx.close();
        }
    }

    /** Collects what comes back until the server's FIN. */
    static final class Collect extends ChannelInboundHandlerAdapter {
        final ByteArrayOutputStream got = new ByteArrayOutputStream();
        final CompletableFuture<byte[]> done = new CompletableFuture<>();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf b = (ByteBuf) msg;
            byte[] a = new byte[b.readableBytes()];
            b.readBytes(a);
            b.release();
            got.writeBytes(a);
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof ChannelInputShutdownEvent) {
                done.complete(got.toByteArray());
                ctx.close();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            done.complete(got.toByteArray());
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            done.completeExceptionally(cause);
            ctx.close();
        }
    }

    @Test
    void nettyEchoServerAndClientMoveEightMebibytesEachWayByteExact() throws Exception {
        StackSelectorProvider serverProvider = new StackSelectorProvider(serverStack);
        StackSelectorProvider clientProvider = new StackSelectorProvider(clientStack);
        EventLoopGroup serverGroup = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory(serverProvider));
        EventLoopGroup clientGroup = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory(clientProvider));
        try {
            Channel server = new ServerBootstrap().group(serverGroup)
                    .channelFactory(() -> new NioServerSocketChannel(serverProvider))
                    .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(new Echo());
                        }
                    }).bind(new InetSocketAddress(7)).sync().channel();

            int clients = 4;
            byte[][] sent = new byte[clients][];
            Collect[] collectors = new Collect[clients];
            for (int i = 0; i < clients; i++) {
                sent[i] = new byte[2 << 20];
                new Random(i).nextBytes(sent[i]);
                Collect collect = new Collect();
                collectors[i] = collect;
                Channel c = new Bootstrap().group(clientGroup)
                        .channelFactory(() -> new NioSocketChannel(clientProvider))
                        .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                        .handler(collect)
                        .connect(new InetSocketAddress("10.0.0.2", 7)).sync().channel();
                byte[] data = sent[i];
                // in pieces, as an application writes
                for (int off = 0; off < data.length; off += 100_000) {
                    c.write(Unpooled.wrappedBuffer(data, off, Math.min(100_000, data.length - off)));
                }
                c.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> ((SocketChannel) c).shutdownOutput());
            }
            for (int i = 0; i < clients; i++) {
                byte[] back = collectors[i].done.get(60, TimeUnit.SECONDS);
                assertThat(back.length).as("client %d bytes back", i).isEqualTo(sent[i].length);
                assertThat(back).as("client %d", i).isEqualTo(sent[i]);
            }
            server.close().sync();
        } finally {
            clientGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
            serverGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }
}
