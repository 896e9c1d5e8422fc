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
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.ChannelFutureListener;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jnetstack.NetStack;
import org.jnetstack.link.VirtualWire;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.socket.nio.StackSelectorProvider;
import org.jnetstack.tcp.TcpConfig;
import org.jnetstack.testing.Background;
import org.jnetstack.testing.CommandResult;
import org.jnetstack.testing.Netns;
import org.jnetstack.testing.Requirements;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Netty 4.2's NIO transport, unmodified, on two stacks in this JVM: it is handed our
 * {@link StackSelectorProvider} ({@code NioIoHandler.newFactory(provider)} and the channels'
 * provider constructors). An echo server and a client move 8 MiB each way byte-exact over
 * several connections at once (no root: a virtual wire). Against the Linux kernel over TAP in a
 * namespace (root): the Netty echo server on the stack answers kernel {@code nc} with 100 MiB
 * byte-exact, a Netty HTTP server (netty-codec-http) answers kernel {@code curl} (a 20 MB POST
 * echoed byte-exact), and a Netty client on the stack fetches a file from the kernel's python
 * HTTP server.
 */
@Timeout(600)
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

    private static final String KERNEL = "10.0.0.1";
    private static final String STACK = "10.0.0.2";

    static ServerBootstrap echoServer(EventLoopGroup group, StackSelectorProvider provider) {
        return new ServerBootstrap().group(group)
                .channelFactory(() -> new NioServerSocketChannel(provider))
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new Echo());
                    }
                });
    }

    @Test
    void nettyEchoServerOnTheStackAnswersKernelNcWithAHundredMebibytesByteExact(@TempDir Path dir) throws Exception {
        Requirements.rootWithTap("ip", "sysctl", "nc");
        Path data = KernelTcp.randomFile(dir, "data", 100L << 20, 21);
        Path echoed = dir.resolve("echoed");
        try (Netns ns = Netns.create(); EmbeddedTcp e = new EmbeddedTcp(ns, STACK, KERNEL, TcpConfig.defaults(), t -> t)) {
            e.start();
            StackSelectorProvider provider = new StackSelectorProvider(e.stack);
            EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory(provider));
            try {
                echoServer(group, provider).bind(new InetSocketAddress(7)).sync();
                long start = System.nanoTime();
                // netcat-openbsd: -N sends FIN at the end of its input, then reads until the server's FIN.
                CommandResult nc = ns.run(Duration.ofMinutes(5), "sh", "-c", "nc -N " + STACK + " 7 < " + data + " > " + echoed);
                double seconds = (System.nanoTime() - start) / 1e9;
                assertThat(nc.exitStatus()).as(nc.describe()).isZero();
                assertThat(Files.size(echoed)).isEqualTo(100L << 20);
                assertThat(KernelTcp.sha256(echoed)).isEqualTo(KernelTcp.sha256(data));
                System.out.printf("Netty echo on the stack, kernel nc: 100 MiB each way in %.1f s (%.1f MB/s each way)%n",
                        seconds, (100L << 20) / seconds / 1e6);
            } finally {
                group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
            }
        }
    }

    /** Answers every request with its own body (and the client's address in a header). */
    static final class EchoHttp extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            DefaultFullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                    req.content().retainedDuplicate());
            res.headers().set(HttpHeaderNames.CONTENT_LENGTH, res.content().readableBytes());
            res.headers().set("X-Client", ((InetSocketAddress) ctx.channel().remoteAddress()).getAddress().getHostAddress());
            boolean keepAlive = HttpUtil.isKeepAlive(req);
            var f = ctx.writeAndFlush(res);
            if (!keepAlive) {
                f.addListener(ChannelFutureListener.CLOSE);
            }
        }
    }

    @Test
    void nettyHttpServerOnTheStackAnswersKernelCurl(@TempDir Path dir) throws Exception {
        Requirements.rootWithTap("ip", "sysctl", "curl");
        Path post = KernelTcp.randomFile(dir, "post.bin", 20_000_000, 23);
        Path echoed = dir.resolve("echoed.bin");
        Path headers = dir.resolve("headers.txt");
        try (Netns ns = Netns.create(); EmbeddedTcp e = new EmbeddedTcp(ns, STACK, KERNEL, TcpConfig.defaults(), t -> t)) {
            e.start();
            StackSelectorProvider provider = new StackSelectorProvider(e.stack);
            EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory(provider));
            try {
                new ServerBootstrap().group(group).channelFactory(() -> new NioServerSocketChannel(provider))
                        .childHandler(new ChannelInitializer<SocketChannel>() {
                            @Override
                            protected void initChannel(SocketChannel ch) {
                                ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(64 << 20), new EchoHttp());
                            }
                        }).bind(new InetSocketAddress(8080)).sync();
                CommandResult curl = ns.run(Duration.ofMinutes(2), "curl", "-sS", "--max-time", "90", "--data-binary", "@" + post,
                        "-H", "Content-Type: application/octet-stream", "-D", headers.toString(), "-o", echoed.toString(),
                        "http://" + STACK + ":8080/echo");
                assertThat(curl.exitStatus()).as(curl.describe()).isZero();
                assertThat(Files.readString(headers)).contains("HTTP/1.1 200 OK", "X-Client: " + KERNEL); // after curl's 100 Continue
                assertThat(KernelTcp.sha256(echoed)).isEqualTo(KernelTcp.sha256(post));
            } finally {
                group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
            }
        }
    }

    @Test
    void nettyClientOnTheStackFetchesFromTheKernelsPythonHttpServer(@TempDir Path dir) throws Exception {
        Requirements.rootWithTap("ip", "sysctl", "python3");
        Path file = KernelTcp.randomFile(dir, "blob.bin", 10_000_000, 22);
        try (Netns ns = Netns.create(); EmbeddedTcp e = new EmbeddedTcp(ns, STACK, KERNEL, TcpConfig.defaults(), t -> t)) {
            e.start();
            Background http = ns.spawn("python3", "-u", "-m", "http.server", "-d", dir.toString(), "-b", KERNEL, "8000");
            http.awaitLine(line -> line.contains("Serving HTTP"), Duration.ofSeconds(30));
            StackSelectorProvider provider = new StackSelectorProvider(e.stack);
            EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory(provider));
            try {
                Collect collect = new Collect();
                Channel c = new Bootstrap().group(group).channelFactory(() -> new NioSocketChannel(provider))
                        .handler(collect).connect(new InetSocketAddress(KERNEL, 8000)).sync().channel();
                c.writeAndFlush(Unpooled.copiedBuffer("GET /blob.bin HTTP/1.0\r\nHost: " + KERNEL + "\r\n\r\n",
                        StandardCharsets.US_ASCII));
                byte[] response = collect.done.get(120, TimeUnit.SECONDS);
                int end = indexOf(response, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                String head = new String(response, 0, end, StandardCharsets.US_ASCII);
                assertThat(head).startsWith("HTTP/1.0 200").contains("Content-Length: 10000000");
                byte[] body = java.util.Arrays.copyOfRange(response, end + 4, response.length);
                assertThat(body.length).isEqualTo(10_000_000);
                assertThat(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body)))
                        .isEqualTo(KernelTcp.sha256(file));
            } finally {
                group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
            }
        }
    }

    static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("no end of headers in " + hay.length + " bytes");
    }
}
