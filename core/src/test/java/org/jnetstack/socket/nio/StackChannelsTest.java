package org.jnetstack.socket.nio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.IllegalSelectorException;
import java.nio.channels.NoConnectionPendingException;
import java.nio.channels.NotYetConnectedException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jnetstack.socket.TwoHosts;
import org.jnetstack.tcp.TcpConfig;
import org.jnetstack.tcp.TcpConnection;
import org.jnetstack.tcp.TcpState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The java.nio channels and selector between two stacks on a real-time loop. */
@Timeout(60)
class StackChannelsTest {
    final TwoHosts net = new TwoHosts();
    final StackSelectorProvider client = new StackSelectorProvider(net.client);
    final StackSelectorProvider server = new StackSelectorProvider(net.server);

    @AfterEach
    void tearDown() {
        net.close();
    }

    static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    ServerSocketChannel listen(int port) throws IOException {
        ServerSocketChannel s = server.openServerSocketChannel();
        s.bind(new InetSocketAddress(port));
        return s;
    }

    SocketChannel connect(int port) throws IOException {
        SocketChannel c = client.openSocketChannel();
        assertThat(c.connect(TwoHosts.server(port))).isTrue();
        return c;
    }

    /** Reads until end of input (blocking channel). */
    static byte[] readToEnd(SocketChannel c, boolean direct) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer buf = direct ? ByteBuffer.allocateDirect(7000) : ByteBuffer.allocate(7000);
        while (c.read(buf) >= 0) {
            buf.flip();
            byte[] b = new byte[buf.remaining()];
            buf.get(b);
            out.write(b, 0, b.length);
            buf.clear();
        }
        return out.toByteArray();
    }

    // ------------------------------------------------------------------ a selector-driven server

    /**
     * An echo server on one selector thread, all non-blocking: OP_ACCEPT, then OP_READ; output
     * that did not fit waits in a per-connection buffer with OP_WRITE; at the client's EOF the
     * server half-closes once everything is echoed.
     */
    static final class EchoServer implements Runnable {
        final ServerSocketChannel listener;
        final Selector selector;
        volatile Throwable failure;
        volatile int accepted;

        EchoServer(SelectorProvider p, ServerSocketChannel listener) throws IOException {
            this.listener = listener;
            this.selector = p.openSelector();
            listener.configureBlocking(false);
            listener.register(selector, SelectionKey.OP_ACCEPT);
        }

        static final class Conn {
            final ByteBuffer pending = ByteBuffer.allocateDirect(3000);
            boolean eof;
        }

        @Override
        public void run() {
            try {
                while (selector.isOpen()) {
                    selector.select();
                    if (!selector.isOpen()) {
                        return;
                    }
                    Iterator<SelectionKey> it = selector.selectedKeys().iterator();
                    while (it.hasNext()) {
                        SelectionKey k = it.next();
                        it.remove();
                        if (!k.isValid()) {
                            continue;
                        }
                        if (k.isAcceptable()) {
                            SocketChannel c;
                            while ((c = listener.accept()) != null) {
                                accepted++;
                                c.configureBlocking(false);
                                c.register(selector, SelectionKey.OP_READ, new Conn());
                            }
                            continue;
                        }
                        SocketChannel c = (SocketChannel) k.channel();
                        Conn s = (Conn) k.attachment();
                        if (k.isReadable() && !s.eof && s.pending.position() == 0) {
                            int n = c.read(s.pending);
                            if (n < 0) {
                                s.eof = true;
                            }
                        }
                        s.pending.flip();
                        c.write(s.pending);
                        s.pending.compact();
                        if (s.eof && s.pending.position() == 0) {
                            c.shutdownOutput();
                            c.close();
                            continue;
                        }
                        k.interestOps(s.pending.position() > 0 ? SelectionKey.OP_WRITE : SelectionKey.OP_READ);
                    }
                }
            } catch (java.nio.channels.ClosedSelectorException done) {
                // stopped
            } catch (Throwable t) {
                failure = t;
            }
        }
    }

    @Test
    void aSelectorEchoServerServesSeveralClientsByteExact() throws Exception {
        ServerSocketChannel listener = listen(7);
        EchoServer echo = new EchoServer(server, listener);
        Thread loop = Thread.ofPlatform().name("echo-selector").start(echo);
        try {
            List<CompletableFuture<byte[]>> back = new ArrayList<>();
            List<byte[]> sent = new ArrayList<>();
            List<SocketChannel> clients = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                byte[] data = random(150_000 + i * 7919, i);
                sent.add(data);
                SocketChannel c = connect(7);
                clients.add(c);
                boolean direct = i % 2 == 0;
                back.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        return readToEnd(c, direct);
                    } catch (IOException e) {
                        throw new RuntimeException(e);
                    }
                }));
            }
            for (int i = 0; i < clients.size(); i++) {
                // gathering writes of three slices, heap and direct mixed
                byte[] d = sent.get(i);
                int third = d.length / 3;
                ByteBuffer a = ByteBuffer.wrap(d, 0, third);
                ByteBuffer b = ByteBuffer.allocateDirect(third).put(d, third, third).flip();
                ByteBuffer c = ByteBuffer.wrap(d, 2 * third, d.length - 2 * third);
                long n = clients.get(i).write(new ByteBuffer[] {a, b, c});
                assertThat(n).isEqualTo(d.length); // a blocking write takes everything
                clients.get(i).shutdownOutput();
            }
            for (int i = 0; i < clients.size(); i++) {
                assertThat(back.get(i).get(30, TimeUnit.SECONDS)).as("client %d", i).isEqualTo(sent.get(i));
                clients.get(i).close();
            }
            assertThat(echo.accepted).isEqualTo(5);
            assertThat(echo.failure).isNull();
        } finally {
            echo.selector.close();
            loop.join(10_000);
            listener.close();
        }
    }

    // ------------------------------------------------------------------ blocking channels

    @Test
    void blockingConnectScatteringReadAndGatheringWrite() throws Exception {
        try (ServerSocketChannel listener = listen(80); SocketChannel c = connect(80); SocketChannel peer = listener.accept()) {
            assertThat(c.isConnected()).isTrue();
            assertThat(peer.isBlocking()).isTrue();
            assertThat(c.getRemoteAddress()).isEqualTo(TwoHosts.server(80));
            assertThat(peer.getRemoteAddress()).isEqualTo(c.getLocalAddress());
            assertThat(((InetSocketAddress) peer.getLocalAddress()).getPort()).isEqualTo(80);

            byte[] data = random(10_000, 3);
            ByteBuffer[] out = {ByteBuffer.wrap(data, 0, 100), ByteBuffer.allocateDirect(5000).put(data, 100, 5000).flip(),
                ByteBuffer.wrap(data, 5100, 4900)};
            assertThat(c.write(out)).isEqualTo(10_000);

            ByteBuffer first = ByteBuffer.allocateDirect(3000);
            ByteBuffer second = ByteBuffer.allocate(7000);
            ByteBuffer[] in = {first, second};
            long got = 0;
            while (got < 10_000) {
                long n = peer.read(in);
                assertThat(n).isPositive();
                got += n;
            }
            assertThat(first.hasRemaining()).isFalse();
            assertThat(second.hasRemaining()).isFalse();
            byte[] back = new byte[10_000];
            first.flip().get(back, 0, 3000);
            second.flip().get(back, 3000, 7000);
            assertThat(back).isEqualTo(data);
        }
    }

    @Test
    void shutdownOutputGivesThePeerEndOfInputAndTheOtherDirectionStaysOpen() throws Exception {
        try (ServerSocketChannel listener = listen(80); SocketChannel c = connect(80); SocketChannel peer = listener.accept()) {
            c.write(ByteBuffer.wrap("question".getBytes()));
            c.shutdownOutput();
            assertThat(new String(readToEnd(peer, false))).isEqualTo("question");
            assertThat(peer.read(ByteBuffer.allocate(1))).isEqualTo(-1); // and again
            assertThatThrownBy(() -> c.write(ByteBuffer.allocate(1))).isInstanceOf(ClosedChannelException.class);

            peer.write(ByteBuffer.wrap("answer".getBytes()));
            peer.shutdownOutput();
            assertThat(new String(readToEnd(c, true))).isEqualTo("answer");
        }
    }

    @Test
    void bytesStillInTheConnectionWhenThePeersFinAndTheCloseArriveAreReadBeforeTheEnd() throws Exception {
        // A 1000-byte ring, so most of the data waits in the connection. The peer's FIN, then our
        // own FIN and its ACK end the connection (LAST-ACK, CLOSED) while the bytes are unread.
        // Reads then must not say end of input before the last byte: with the loop held, the
        // ring emptied and the rest still in the connection, a non-blocking read reads nothing.
        try (TwoHosts small = new TwoHosts(TcpConfig.defaults().toBuilder().socketRing(1000).build())) {
            StackSelectorProvider clientSide = new StackSelectorProvider(small.client);
            StackSelectorProvider serverSide = new StackSelectorProvider(small.server);
            byte[] data = random(20_000, 5);
            try (ServerSocketChannel listener = serverSide.openServerSocketChannel().bind(new InetSocketAddress(80));
                 SocketChannel c = clientSide.openSocketChannel()) {
                assertThat(c.connect(TwoHosts.server(80))).isTrue();
                TcpConnection conn = ((StackSocketChannel) c).connectionForTest();
                try (SocketChannel peer = listener.accept()) {
                    peer.write(ByteBuffer.wrap(data));
                    peer.shutdownOutput();
                    awaitState(small, conn, TcpState.CLOSE_WAIT); // every byte and the FIN are in
                    c.shutdownOutput();
                    awaitState(small, conn, TcpState.CLOSED);
                }
                CountDownLatch held = new CountDownLatch(1);
                CountDownLatch release = new CountDownLatch(1);
                small.loop.execute(() -> {
                    held.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
                held.await();
                ByteBuffer got = ByteBuffer.allocate(data.length + 1); // room to see the end
                c.configureBlocking(false);
                int first;
                int again;
                try {
                    first = c.read(got);
                    again = c.read(got);
                } finally {
                    release.countDown();
                }
                assertThat(first).as("the ring's bytes").isEqualTo(1000);
                assertThat(again).as("the rest still waits in the connection: not the end yet").isZero();
                c.configureBlocking(true);
                while (c.read(got) >= 0) {
                    assertThat(got.position()).isLessThanOrEqualTo(data.length);
                }
                assertThat(got.position()).as("every byte before the end").isEqualTo(data.length);
                assertThat(Arrays.copyOf(got.array(), data.length)).isEqualTo(data);
            }
        }
    }

    private static void awaitState(TwoHosts net, TcpConnection conn, TcpState state) throws Exception {
        while (LoopTasks.call(net.loop, conn::state) != state) {
            Thread.sleep(5);
        }
    }

    @Test
    void shutdownInputMakesReadsReturnEndOfInput() throws Exception {
        try (ServerSocketChannel listener = listen(80); SocketChannel c = connect(80); SocketChannel peer = listener.accept()) {
            c.shutdownInput();
            assertThat(c.read(ByteBuffer.allocate(10))).isEqualTo(-1);
            c.write(ByteBuffer.wrap("still".getBytes())); // output stays open
            c.shutdownOutput();
            assertThat(new String(readToEnd(peer, false))).isEqualTo("still");
        }
    }

    @Test
    void connectingToAClosedPortIsRefused() throws Exception {
        SocketChannel c = client.openSocketChannel();
        assertThatThrownBy(() -> c.connect(TwoHosts.server(81))).isInstanceOf(ConnectException.class)
                .hasMessage("Connection refused");
        assertThat(c.isOpen()).isFalse(); // a failed connect closes the channel, as the JDK's does
    }

    @Test
    void misuseThrowsTheJdksExceptions() throws Exception {
        SocketChannel c = client.openSocketChannel();
        assertThatThrownBy(() -> c.read(ByteBuffer.allocate(1))).isInstanceOf(NotYetConnectedException.class);
        assertThatThrownBy(() -> c.write(ByteBuffer.allocate(1))).isInstanceOf(NotYetConnectedException.class);
        assertThatThrownBy(c::finishConnect).isInstanceOf(NoConnectionPendingException.class);
        assertThatThrownBy(() -> c.getOption(StandardSocketOptions.IP_MULTICAST_TTL)).isInstanceOf(UnsupportedOperationException.class);
        c.close();
        assertThatThrownBy(() -> c.read(ByteBuffer.allocate(1))).isInstanceOf(ClosedChannelException.class);
        assertThatThrownBy(() -> c.connect(TwoHosts.server(80))).isInstanceOf(ClosedChannelException.class);
    }

    @Test
    void optionsAreKeptAndReachTheConnection() throws Exception {
        try (ServerSocketChannel listener = listen(80); SocketChannel c = client.openSocketChannel()) {
            c.setOption(StandardSocketOptions.TCP_NODELAY, true);
            c.setOption(StandardSocketOptions.SO_RCVBUF, 200_000);
            c.setOption(StandardSocketOptions.SO_SNDBUF, 100_000);
            c.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
            c.setOption(StandardSocketOptions.SO_LINGER, 5);
            c.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            c.connect(TwoHosts.server(80));
            assertThat(c.getOption(StandardSocketOptions.TCP_NODELAY)).isTrue();
            assertThat(c.getOption(StandardSocketOptions.SO_RCVBUF)).isEqualTo(200_000);
            assertThat(c.getOption(StandardSocketOptions.SO_SNDBUF)).isEqualTo(100_000);
            assertThat(c.getOption(StandardSocketOptions.SO_KEEPALIVE)).isTrue();
            assertThat(c.getOption(StandardSocketOptions.SO_LINGER)).isEqualTo(5);
            assertThat(c.getOption(StandardSocketOptions.SO_REUSEADDR)).isTrue();
            // the per-connection config carried the buffer sizes into the connection itself
            org.jnetstack.tcp.TcpConnection conn = ((StackSocketChannel) c).connectionForTest();
            int[] sizes = LoopTasks.call(net.loop, () -> new int[] {conn.receiveBufferSize(), conn.sendBufferSize(),
                conn.noDelay() ? 1 : 0, conn.keepAlive() ? 1 : 0});
            assertThat(sizes).containsExactly(200_000, 100_000, 1, 1);
            assertThatThrownBy(() -> c.setOption(StandardSocketOptions.SO_RCVBUF, -1)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void socketAdaptorsServeCodeThatWantsJavaNetSockets() throws Exception {
        try (ServerSocketChannel listener = server.openServerSocketChannel(); SocketChannel c = client.openSocketChannel()) {
            java.net.ServerSocket ss = listener.socket();
            ss.bind(new InetSocketAddress(8080), 5);
            assertThat(ss.getLocalPort()).isEqualTo(8080);
            assertThat(ss.isBound()).isTrue();
            java.net.Socket s = c.socket();
            s.connect(TwoHosts.server(8080));
            java.net.Socket peer = ss.accept();
            assertThat(peer.getChannel()).isNotNull();
            assertThat(s.getInetAddress()).isEqualTo(TwoHosts.serverIp());
            assertThat(s.getPort()).isEqualTo(8080);
            assertThat(peer.getInetAddress()).isEqualTo(TwoHosts.clientIp());
            assertThat(peer.getPort()).isEqualTo(s.getLocalPort());
            s.setTcpNoDelay(true);
            assertThat(c.getOption(StandardSocketOptions.TCP_NODELAY)).isTrue(); // the adaptor is the channel

            s.getOutputStream().write("over the adaptor".getBytes());
            byte[] b = new byte[16];
            int got = 0;
            while (got < 16) {
                got += peer.getInputStream().read(b, got, 16 - got);
            }
            assertThat(new String(b)).isEqualTo("over the adaptor");

            s.setSoTimeout(200); // SO_TIMEOUT applies to the adaptor's reads, and the socket stays usable
            assertThatThrownBy(() -> s.getInputStream().read()).isInstanceOf(java.net.SocketTimeoutException.class);
            peer.getOutputStream().write(7);
            assertThat(s.getInputStream().read()).isEqualTo(7);

            peer.shutdownOutput();
            assertThat(s.getInputStream().read()).isEqualTo(-1);
            assertThat(peer.isOutputShutdown()).isTrue();
            s.close();
            assertThat(c.isOpen()).isFalse();
            peer.close();
        }
    }

    @Test
    void adaptorTimeoutsOnConnectAndAccept() throws Exception {
        SocketChannel c = client.openSocketChannel();
        // nobody answers ARP for 10.0.0.99: the handshake never completes
        assertThatThrownBy(() -> c.socket().connect(new InetSocketAddress("10.0.0.99", 80), 300))
                .isInstanceOf(java.net.SocketTimeoutException.class).hasMessage("Connect timed out");
        assertThat(c.isOpen()).isFalse();

        try (ServerSocketChannel listener = listen(80)) {
            java.net.ServerSocket ss = listener.socket();
            ss.setSoTimeout(200);
            assertThatThrownBy(ss::accept).isInstanceOf(java.net.SocketTimeoutException.class).hasMessage("Accept timed out");
            assertThat(listener.isOpen()).isTrue(); // a timeout does not close it
            try (SocketChannel d = connect(80)) {
                assertThat(ss.accept().getPort()).isEqualTo(((InetSocketAddress) d.getLocalAddress()).getPort());
            }
        }
    }

    @Test
    void closingWithUnreadDataResetsAndThePeersReadSaysSo() throws Exception {
        try (ServerSocketChannel listener = listen(80); SocketChannel c = connect(80); SocketChannel peer = listener.accept();
                Selector selector = server.openSelector()) {
            c.write(ByteBuffer.wrap(new byte[] {1}));
            peer.configureBlocking(false);
            peer.register(selector, SelectionKey.OP_READ);
            assertThat(selector.select(10_000)).isEqualTo(1); // the byte is there, unread
            peer.close(); // RST (RFC 1122 4.2.2.13), as the JDK on Linux does
            assertThatThrownBy(() -> c.read(ByteBuffer.allocate(1))).isInstanceOf(java.net.SocketException.class)
                    .hasMessage("Connection reset");
        }
    }

    @Test
    void connectionsNobodyAcceptsAreBoundedByTheBacklog() throws Exception {
        try (ServerSocketChannel listener = server.openServerSocketChannel(); Selector selector = client.openSelector()) {
            listener.bind(new InetSocketAddress(80), 3);
            List<SocketChannel> clients = new ArrayList<>();
            for (int i = 0; i < 20; i++) { // a peer opening connections the application never accepts
                SocketChannel c = client.openSocketChannel();
                c.configureBlocking(false);
                c.connect(TwoHosts.server(80));
                c.register(selector, SelectionKey.OP_CONNECT);
                clients.add(c);
            }
            // wait until the handshakes that can complete have: 3 here + 3 in the listener's own queue
            long established = 0;
            for (int round = 0; round < 200 && established < 6; round++) {
                selector.select(50);
                established = LoopTasks.call(net.loop, () -> net.server.tcp().connections().stream()
                        .filter(c -> c.state() == org.jnetstack.tcp.TcpState.ESTABLISHED).count());
            }
            Thread.sleep(200); // and no more than those come (the others' SYNs go unanswered)
            long now = LoopTasks.call(net.loop, () -> net.server.tcp().connections().stream()
                    .filter(c -> c.state() == org.jnetstack.tcp.TcpState.ESTABLISHED).count());
            assertThat(now).isEqualTo(6);
            // accepting makes room for the next ones
            int accepted = 0;
            SocketChannel a;
            while (accepted < 10 && (a = listener.accept()) != null) {
                accepted++;
                a.close();
            }
            assertThat(accepted).isEqualTo(10);
            for (SocketChannel c : clients) {
                c.close();
            }
        }
    }

    // ------------------------------------------------------------------ asynchronous close, interrupt

    @Test
    void closingAChannelBlockedInReadThrowsAsynchronousCloseException() throws Exception {
        try (ServerSocketChannel listener = listen(80); SocketChannel c = connect(80); SocketChannel peer = listener.accept()) {
            CompletableFuture<Throwable> outcome = blockedIn(() -> c.read(ByteBuffer.allocate(10)));
            c.close();
            assertThat(outcome.get(10, TimeUnit.SECONDS)).isExactlyInstanceOf(AsynchronousCloseException.class);
            assertThat(peer.read(ByteBuffer.allocate(1))).isEqualTo(-1); // our FIN
        }
    }

    @Test
    void closingAChannelBlockedInAcceptThrowsAsynchronousCloseException() throws Exception {
        ServerSocketChannel listener = listen(80);
        CompletableFuture<Throwable> outcome = blockedIn(listener::accept);
        listener.close();
        assertThat(outcome.get(10, TimeUnit.SECONDS)).isExactlyInstanceOf(AsynchronousCloseException.class);
        SocketChannel c = client.openSocketChannel();
        assertThatThrownBy(() -> c.connect(TwoHosts.server(80))).isInstanceOf(ConnectException.class);
    }

    @Test
    void interruptingAThreadBlockedInReadClosesTheChannel() throws Exception {
        try (ServerSocketChannel listener = listen(80); SocketChannel c = connect(80); SocketChannel peer = listener.accept()) {
            CompletableFuture<Throwable> outcome = new CompletableFuture<>();
            CompletableFuture<Boolean> stillInterrupted = new CompletableFuture<>();
            Thread t = Thread.ofPlatform().start(() -> {
                try {
                    c.read(ByteBuffer.allocate(10));
                    outcome.complete(null);
                } catch (Throwable e) {
                    outcome.complete(e);
                }
                stillInterrupted.complete(Thread.currentThread().isInterrupted());
            });
            awaitWaiting(t);
            t.interrupt();
            assertThat(outcome.get(10, TimeUnit.SECONDS)).isExactlyInstanceOf(ClosedByInterruptException.class);
            assertThat(stillInterrupted.get(10, TimeUnit.SECONDS)).isTrue();
            assertThat(c.isOpen()).isFalse();
        }
    }

    // ------------------------------------------------------------------ non-blocking connect and the selector

    @Test
    void finishConnectOnARefusedPortThrowsConnectException() throws Exception {
        try (Selector selector = client.openSelector()) {
            SocketChannel c = client.openSocketChannel();
            c.configureBlocking(false);
            assertThat(c.connect(TwoHosts.server(81))).isFalse();
            assertThat(c.isConnectionPending()).isTrue();
            SelectionKey key = c.register(selector, SelectionKey.OP_CONNECT);
            assertThat(selector.select(10_000)).isEqualTo(1);
            assertThat(selector.selectedKeys()).containsExactly(key);
            assertThat(key.isConnectable()).isTrue();
            assertThatThrownBy(c::finishConnect).isInstanceOf(ConnectException.class).hasMessage("Connection refused");
            assertThat(c.isOpen()).isFalse();
            selector.selectNow();
            assertThat(selector.keys()).isEmpty(); // the closed channel's key was deregistered
        }
    }

    @Test
    void nonBlockingConnectBecomesConnectableThenReadable() throws Exception {
        try (Selector selector = client.openSelector(); ServerSocketChannel listener = listen(80)) {
            SocketChannel c = client.openSocketChannel();
            c.configureBlocking(false);
            assertThat(c.connect(TwoHosts.server(80))).isFalse();
            SelectionKey key = c.register(selector, SelectionKey.OP_CONNECT | SelectionKey.OP_READ);
            // before the handshake completes nothing but OP_CONNECT may be reported
            selector.select(10_000);
            assertThat(key.readyOps()).isEqualTo(SelectionKey.OP_CONNECT);
            assertThat(c.finishConnect()).isTrue();
            assertThat(c.isConnected()).isTrue();
            key.interestOps(SelectionKey.OP_READ);
            selector.selectedKeys().clear();
            assertThat(selector.selectNow()).isZero(); // nothing to read yet
            assertThat(c.read(ByteBuffer.allocate(4))).isZero(); // non-blocking: nothing there

            try (SocketChannel peer = listener.accept()) {
                peer.write(ByteBuffer.wrap("hi".getBytes()));
                assertThat(selector.select(10_000)).isEqualTo(1);
                assertThat(key.readyOps()).isEqualTo(SelectionKey.OP_READ);
                // level-triggered: not read yet, so the next selection reports it again (no update: 0)
                assertThat(selector.selectNow()).isZero();
                assertThat(selector.selectedKeys()).containsExactly(key);
                selector.selectedKeys().clear();
                assertThat(selector.selectNow()).isEqualTo(1);
                ByteBuffer b = ByteBuffer.allocate(4);
                waitUntilRead(c, b, 2);
                assertThat(new String(b.array(), 0, 2)).isEqualTo("hi");
                selector.selectedKeys().clear();
                assertThat(selector.selectNow()).isZero(); // drained
            }
        }
    }

    static void waitUntilRead(SocketChannel c, ByteBuffer b, int n) throws Exception {
        while (b.position() < n) {
            if (c.read(b) < 0) {
                throw new AssertionError("end of input after " + b.position());
            }
        }
    }

    @Test
    void nonBlockingWriteTakesWhatFitsAndOpWriteReturnsWhenThereIsRoom() throws Exception {
        try (Selector selector = client.openSelector(); ServerSocketChannel listener = listen(80);
                SocketChannel c = connect(80); SocketChannel peer = listener.accept()) {
            c.configureBlocking(false);
            SelectionKey key = c.register(selector, SelectionKey.OP_WRITE);
            assertThat(selector.selectNow()).isEqualTo(1);
            // the peer does not read: the window and the rings fill up, then a write takes nothing
            ByteBuffer chunk = ByteBuffer.allocateDirect(64 * 1024);
            long total = 0;
            while (true) {
                int n;
                do {
                    chunk.clear();
                    n = c.write(chunk);
                    total += n;
                } while (n > 0);
                Thread.sleep(20); // let the loop move what it can into the connection
                selector.selectedKeys().clear();
                if (selector.selectNow() == 0) {
                    break; // full: not writable (a broken readiness would never get here)
                }
            }
            assertThat(total).isPositive();
            // the peer reads everything: room again, and the selector says so
            CompletableFuture<Long> drained = CompletableFuture.supplyAsync(() -> {
                ByteBuffer in = ByteBuffer.allocate(32 * 1024);
                long got = 0;
                try {
                    while (true) {
                        int r = peer.read(in);
                        if (r < 0) {
                            return got;
                        }
                        got += r;
                        in.clear();
                    }
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            assertThat(selector.select(10_000)).isEqualTo(1);
            assertThat(key.isWritable()).isTrue();
            c.shutdownOutput();
            assertThat(drained.get(30, TimeUnit.SECONDS)).isEqualTo(total);
        }
    }

    @Test
    void wakeupUnblocksSelectFromAnotherThreadAndCountsForTheNextSelectionOnly() throws Exception {
        try (Selector selector = client.openSelector()) {
            CompletableFuture<Integer> selected = new CompletableFuture<>();
            Thread t = Thread.ofPlatform().start(() -> {
                try {
                    selected.complete(selector.select());
                } catch (Throwable e) {
                    selected.completeExceptionally(e);
                }
            });
            awaitWaiting(t);
            selector.wakeup();
            assertThat(selected.get(10, TimeUnit.SECONDS)).isZero();
            // before a selection: the next one returns at once; selectNow consumes it
            selector.wakeup();
            assertThat(selector.select()).isZero();
            selector.wakeup();
            assertThat(selector.selectNow()).isZero();
            CompletableFuture<Throwable> blocked = blockedIn(() -> selector.select());
            assertThat(blocked).isNotDone(); // the wakeup was consumed by selectNow
            selector.close(); // close wakes it too
            assertThat(blocked.get(10, TimeUnit.SECONDS)).isNull();
        }
    }

    @Test
    void interruptingASelectingThreadWakesItWithTheStatusSet() throws Exception {
        try (Selector selector = client.openSelector()) {
            CompletableFuture<Boolean> interrupted = new CompletableFuture<>();
            Thread t = Thread.ofPlatform().start(() -> {
                try {
                    selector.select();
                    interrupted.complete(Thread.currentThread().isInterrupted());
                } catch (Throwable e) {
                    interrupted.completeExceptionally(e);
                }
            });
            awaitWaiting(t);
            t.interrupt();
            assertThat(interrupted.get(10, TimeUnit.SECONDS)).isTrue();
            assertThat(selector.isOpen()).isTrue();
        }
    }

    @Test
    void selectWithAnActionReportsReadyKeysWithoutTheSelectedSet() throws Exception {
        try (Selector selector = server.openSelector(); ServerSocketChannel listener = listen(80)) {
            listener.configureBlocking(false);
            SelectionKey key = listener.register(selector, SelectionKey.OP_ACCEPT, "att");
            SocketChannel c = connect(80);
            List<Object> seen = new ArrayList<>();
            int n = selector.select(k -> seen.add(k.attachment() + ":" + k.readyOps()), 10_000);
            assertThat(n).isEqualTo(1);
            assertThat(seen).containsExactly("att:" + SelectionKey.OP_ACCEPT);
            assertThat(selector.selectedKeys()).isEmpty();
            assertThat(listener.accept()).isNotNull();
            assertThat(listener.accept()).isNull(); // non-blocking, none left
            key.cancel();
            assertThat(selector.keys()).contains(key); // until the next selection
            selector.selectNow();
            assertThat(selector.keys()).isEmpty();
            assertThat(listener.keyFor(selector)).isNull();
            c.close();
        }
    }

    @Test
    void channelsOfAnotherProviderAreRefused() throws Exception {
        try (Selector selector = client.openSelector(); SocketChannel jdk = SocketChannel.open();
                Selector jdkSelector = Selector.open(); SocketChannel ours = client.openSocketChannel()) {
            jdk.configureBlocking(false);
            ours.configureBlocking(false);
            assertThatThrownBy(() -> jdk.register(selector, SelectionKey.OP_READ)).isInstanceOf(IllegalSelectorException.class);
            assertThatThrownBy(() -> ours.register(jdkSelector, SelectionKey.OP_READ)).isInstanceOf(IllegalSelectorException.class);
            assertThatThrownBy(() -> selector.selectedKeys().add(null)).isInstanceOf(UnsupportedOperationException.class);
        }
    }

    // ------------------------------------------------------------------ helpers

    @FunctionalInterface
    interface Blocking {
        void run() throws Exception;
    }

    static CompletableFuture<Throwable> blockedIn(Blocking call) throws Exception {
        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        Thread t = Thread.ofPlatform().start(() -> {
            try {
                call.run();
                outcome.complete(null);
            } catch (Throwable e) {
                outcome.complete(e);
            }
        });
        awaitWaiting(t);
        return outcome;
    }

    /** Waits until {@code t} is parked (blocked in a channel or selector call). */
    static void awaitWaiting(Thread t) throws Exception {
        while (t.getState() != Thread.State.WAITING && t.getState() != Thread.State.TIMED_WAITING) {
            if (!t.isAlive()) {
                return;
            }
            Thread.sleep(5);
        }
    }

    static String hex(byte[] b) {
        return Arrays.toString(b);
    }
    @Test
    void unixDomainChannelsAreTheHostsAndIpv6OnesOurs(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        var at = java.net.UnixDomainSocketAddress.of(dir.resolve("s.sock"));
        try (ServerSocketChannel srv = client.openServerSocketChannel(java.net.StandardProtocolFamily.UNIX).bind(at);
             SocketChannel c = client.openSocketChannel(java.net.StandardProtocolFamily.UNIX)) {
            assertThat(srv.provider()).isSameAs(SelectorProvider.provider()).isSameAs(StackSelectorProvider.hostProvider());
            assertThat(c.connect(at)).isTrue();
            try (SocketChannel a = srv.accept()) {
                c.write(ByteBuffer.wrap(new byte[] {42}));
                ByteBuffer got = ByteBuffer.allocate(1);
                assertThat(a.read(got)).isEqualTo(1);
                assertThat(got.get(0)).isEqualTo((byte) 42);
            }
        }
        try (SocketChannel v6 = client.openSocketChannel(java.net.StandardProtocolFamily.INET6)) {
            assertThat(v6.provider()).isSameAs(client); // a dual-stack channel on the stack, as the JDK's INET6 ones
        }
    }
}
