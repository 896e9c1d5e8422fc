package org.jnetstack.socket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.jnetstack.link.FaultInjector;
import org.jnetstack.link.FaultProfile;
import org.jnetstack.tcp.TcpConfig;
import org.jnetstack.tcp.TcpInfo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Blocking TCP sockets between two stacks on a real-time loop. */
@Timeout(60)
public class TcpSocketTest {
    final TwoHosts net = new TwoHosts();
    final Sockets client = Sockets.of(net.client);
    final Sockets server = Sockets.of(net.server);

    @AfterEach
    void tearDown() {
        net.close();
    }

    static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    static byte[] readAll(InputStream in) throws IOException {
        return in.readAllBytes();
    }

    /** Writes {@code data} and half-closes while another thread reads everything that comes back. */
    static byte[] sendAndReadBack(TcpSocket s, byte[] data) throws Exception {
        CompletableFuture<byte[]> back = CompletableFuture.supplyAsync(() -> {
            try {
                return readAll(s.getInputStream());
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        s.getOutputStream().write(data);
        s.shutdownOutput();
        return back.get();
    }

    /** Serves one connection in a virtual thread: echoes everything, then closes. */
    static CompletableFuture<Void> echoOnce(TcpServerSocket listener) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread.startVirtualThread(() -> {
            try (TcpSocket s = listener.accept()) {
                byte[] buf = new byte[8192];
                int n;
                while ((n = s.read(buf, 0, buf.length)) > 0) {
                    s.write(buf, 0, n);
                }
                s.shutdownOutput();
                done.complete(null);
            } catch (Throwable t) {
                done.completeExceptionally(t);
            }
        });
        return done;
    }

    @Test
    void echoesAMegabyteByteExactWithAddressesOnBothSides() throws Exception {
        try (TcpServerSocket listener = server.listen(7)) {
            CompletableFuture<Void> served = echoOnce(listener);
            byte[] data = random(1 << 20, 1);
            try (TcpSocket s = client.connect("10.0.0.2", 7)) {
                assertThat(s.remoteAddress()).isEqualTo(TwoHosts.server(7));
                assertThat(s.localAddress().getAddress()).isEqualTo(TwoHosts.clientIp());
                assertThat(s.localAddress().getPort()).isBetween(1024, 65535);
                assertThat(sendAndReadBack(s, data)).isEqualTo(data);
                assertThat(s.isOutputShutdown()).isTrue();
                assertThat(s.isInputEnded()).isTrue();
            }
            served.get();
        }
    }

    @Test
    void bytesLeftInTheConnectionAfterItClosedAreReadBeforeTheEnd() throws Exception {
        // The client shuts its output first, so the server's data and FIN end the connection
        // (TIME-WAIT) while most of the data still waits in the connection behind a small ring:
        // the end of input comes only after every byte, and the socket says the input ended.
        try (TwoHosts small = new TwoHosts(TcpConfig.defaults().toBuilder().socketRing(1000).build())) {
            try (TcpServerSocket listener = Sockets.of(small.server).listen(7)) {
                byte[] data = random(100_000, 4);
                CompletableFuture<Void> served = CompletableFuture.runAsync(() -> {
                    try (TcpSocket t = listener.accept()) {
                        t.getOutputStream().write(data);
                    } catch (IOException e) {
                        throw new RuntimeException(e);
                    }
                });
                try (TcpSocket s = Sockets.of(small.client).connect("10.0.0.2", 7)) {
                    s.shutdownOutput();
                    served.get(30, TimeUnit.SECONDS);
                    Thread.sleep(300); // the data, the FIN and the close reach the client before it reads
                    java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
                    byte[] buf = new byte[4096];
                    int n;
                    while ((n = s.read(buf, 0, buf.length)) >= 0) {
                        got.write(buf, 0, n);
                    }
                    assertThat(got.toByteArray()).isEqualTo(data);
                    assertThat(s.isInputEnded()).isTrue();
                }
            }
        }
    }

    @Test
    void readsTakeAtMostTheConfiguredSocketRing() throws Exception {
        try (TwoHosts small = new TwoHosts(TcpConfig.defaults().toBuilder().socketRing(1000).build())) {
            try (TcpServerSocket listener = Sockets.of(small.server).listen(7)) {
                CompletableFuture<Void> served = echoOnce(listener);
                byte[] data = random(100_000, 3);
                try (TcpSocket s = Sockets.of(small.client).connect("10.0.0.2", 7)) {
                    CompletableFuture<byte[]> back = CompletableFuture.supplyAsync(() -> {
                        java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
                        byte[] buf = new byte[64 * 1024];
                        try {
                            int n;
                            while ((n = s.read(buf, 0, buf.length)) > 0) {
                                assertThat(n).as("one read empties at most the 1000-byte ring").isLessThanOrEqualTo(1000);
                                got.write(buf, 0, n);
                            }
                        } catch (IOException e) {
                            throw new RuntimeException(e);
                        }
                        return got.toByteArray();
                    });
                    s.getOutputStream().write(data);
                    s.shutdownOutput();
                    assertThat(back.get()).isEqualTo(data);
                }
                served.get();
            }
        }
    }

    @Test
    void connectingToAClosedPortIsRefused() {
        TcpSocket s = new TcpSocket(net.client);
        assertThatThrownBy(() -> s.connect(TwoHosts.server(9)))
                .isInstanceOf(ConnectException.class).hasMessage("Connection refused");
        assertThat(s.isClosed()).isTrue(); // as java.net.Socket: a failed connect closes
        assertThatThrownBy(() -> s.connect(TwoHosts.server(9))).hasMessage("Socket is closed");
    }

    @Test
    void connectToASilentAddressTimesOut() {
        // 10.0.0.99 answers no ARP: the SYN never leaves, the connect timeout ends the wait.
        TcpSocket s = new TcpSocket(net.client);
        assertThatThrownBy(() -> s.connect(new InetSocketAddress(TwoHosts.ip("10.0.0.99"), 80), 300))
                .isInstanceOf(SocketTimeoutException.class).hasMessage("Connect timed out");
    }

    @Test
    void readTimesOutAndTheSocketStaysUsable() throws Exception {
        try (TcpServerSocket listener = server.listen(80); TcpSocket s = client.connect("10.0.0.2", 80);
                TcpSocket peer = listener.accept()) {
            s.setSoTimeout(100);
            byte[] buf = new byte[10];
            assertThatThrownBy(() -> s.read(buf, 0, 10))
                    .isInstanceOf(SocketTimeoutException.class).hasMessage("Read timed out");
            peer.write("late".getBytes(), 0, 4);
            s.setSoTimeout(0);
            int n = s.read(buf, 0, 10);
            assertThat(new String(buf, 0, n, StandardCharsets.US_ASCII)).isEqualTo("late");
        }
    }

    @Test
    void closeFromAnotherThreadWakesABlockedReader() throws Exception {
        try (TcpServerSocket listener = server.listen(80); TcpSocket s = client.connect("10.0.0.2", 80);
                TcpSocket peer = listener.accept()) {
            CompletableFuture<Throwable> outcome = blockedIn(() -> s.read(new byte[10], 0, 10));
            s.close();
            assertThat(outcome.get(10, TimeUnit.SECONDS))
                    .isInstanceOf(SocketException.class).hasMessage("Socket closed");
            // The peer sees our FIN: end of input.
            assertThat(peer.read(new byte[1], 0, 1)).isEqualTo(-1);
        }
    }

    @Test
    void closeFromAnotherThreadWakesABlockedAcceptor() throws Exception {
        TcpServerSocket listener = server.listen(80);
        CompletableFuture<Throwable> outcome = blockedIn(() -> listener.accept());
        listener.close();
        assertThat(outcome.get(10, TimeUnit.SECONDS)).isInstanceOf(SocketException.class).hasMessage("Socket closed");
        // The port is free again, and closed meanwhile: connecting is refused.
        assertThatThrownBy(() -> client.connect("10.0.0.2", 80)).isInstanceOf(ConnectException.class);
    }

    @Test
    void acceptTimesOut() throws Exception {
        try (TcpServerSocket listener = server.listen(0)) {
            assertThat(listener.localPort()).isBetween(1024, 65535);
            listener.setSoTimeout(100);
            assertThatThrownBy(listener::accept).isInstanceOf(SocketTimeoutException.class).hasMessage("Accept timed out");
        }
    }

    @Test
    void halfCloseLetsThePeerAnswerAfterOurEndOfInput() throws Exception {
        try (TcpServerSocket listener = server.listen(80)) {
            CompletableFuture<String> served = CompletableFuture.supplyAsync(() -> {
                try (TcpSocket s = listener.accept()) {
                    String request = new String(readAll(s.getInputStream()), StandardCharsets.US_ASCII);
                    assertThat(s.isInputEnded()).isTrue();
                    s.getOutputStream().write(("got " + request.length()).getBytes(StandardCharsets.US_ASCII));
                    return request;
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            try (TcpSocket s = client.connect("10.0.0.2", 80)) {
                s.getOutputStream().write("hello".getBytes(StandardCharsets.US_ASCII));
                s.shutdownOutput();
                assertThatThrownBy(() -> s.write(new byte[1], 0, 1))
                        .isInstanceOf(SocketException.class).hasMessage("Socket output is shutdown");
                assertThat(s.isInputEnded()).isFalse();
                assertThat(new String(readAll(s.getInputStream()), StandardCharsets.US_ASCII)).isEqualTo("got 5");
                assertThat(s.isInputEnded()).isTrue();
            }
            assertThat(served.get()).isEqualTo("hello");
        }
    }

    @Test
    void dataAndFinThatArriveBeforeAcceptAreReadInFull() throws Exception {
        try (TcpServerSocket listener = server.listen(80); TcpSocket s = client.connect("10.0.0.2", 80)) {
            byte[] data = random(100_000, 4);
            s.write(data, 0, data.length);
            s.shutdownOutput();
            waitUntil(() -> s.info().state() == org.jnetstack.tcp.TcpState.FIN_WAIT_2); // all acknowledged, FIN too
            try (TcpSocket peer = listener.accept()) {
                assertThat(peer.isInputEnded()).isFalse();
                assertThat(readAll(peer.getInputStream())).isEqualTo(data);
                assertThat(peer.isInputEnded()).isTrue();
            }
        }
    }

    @Test
    void lingerMakesCloseWaitUntilEverythingIsAcknowledged() throws Exception {
        try (TcpServerSocket listener = server.listen(80); TcpSocket s = client.connect("10.0.0.2", 80)) {
            TcpSocket peer = listener.accept();
            CompletableFuture<byte[]> got = CompletableFuture.supplyAsync(() -> {
                try (peer) {
                    return readAll(peer.getInputStream());
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            byte[] data = random(2_000_000, 9);
            s.setSoLinger(true, 30);
            s.write(data, 0, data.length);
            s.close(); // returns once the data and FIN are acknowledged
            TcpInfo after = s.info();
            assertThat(after.state()).isIn(org.jnetstack.tcp.TcpState.FIN_WAIT_2, org.jnetstack.tcp.TcpState.TIME_WAIT,
                    org.jnetstack.tcp.TcpState.CLOSED);
            assertThat(after.unackedBytes()).isZero();
            assertThat(got.get()).isEqualTo(data);
        }
    }

    @Test
    void aResetReachesTheReaderAsConnectionReset() throws Exception {
        try (TcpServerSocket listener = server.listen(80); TcpSocket s = client.connect("10.0.0.2", 80)) {
            TcpSocket peer = listener.accept();
            peer.write("bye".getBytes(), 0, 3);
            peer.abort(); // SO_LINGER 0: RST
            byte[] buf = new byte[10];
            // What arrived before the reset can still be read, then the reset is reported.
            int n = 0;
            IOException error = null;
            try {
                while (true) {
                    int r = s.read(buf, n, buf.length - n);
                    if (r < 0) {
                        break;
                    }
                    n += r;
                }
            } catch (IOException e) {
                error = e;
            }
            assertThat(error).isInstanceOf(SocketException.class).hasMessage("Connection reset");
            assertThat(new String(buf, 0, n, StandardCharsets.US_ASCII)).isIn("", "bye");
            assertThatThrownBy(() -> s.write(new byte[1], 0, 1)).isInstanceOf(SocketException.class)
                    .hasMessage("Connection reset");
        }
    }

    @Test
    void closingWithUnreadDataResetsThePeer() throws Exception {
        try (TcpServerSocket listener = server.listen(80); TcpSocket s = client.connect("10.0.0.2", 80)) {
            TcpSocket peer = listener.accept();
            s.write(new byte[100], 0, 100);
            waitUntil(() -> peer.available() == 100);
            peer.close(); // 100 bytes never read: RST, as Linux does (RFC 1122 §4.2.2.13)
            assertThatThrownBy(() -> s.read(new byte[1], 0, 1)).isInstanceOf(SocketException.class)
                    .hasMessage("Connection reset");
        }
    }

    @Test
    void aReaderThatStopsReadingClosesTheWindowAndBlocksTheWriter() throws Exception {
        TcpConfig small = TcpConfig.defaults().withBuffers(16 * 1024, 16 * 1024);
        try (TwoHosts smallNet = new TwoHosts(small)) {
            Sockets c = Sockets.of(smallNet.client);
            try (TcpServerSocket listener = Sockets.of(smallNet.server).listen(80); TcpSocket s = c.connect("10.0.0.2", 80);
                    TcpSocket peer = listener.accept()) {
                byte[] data = random(1 << 20, 2);
                long[] written = new long[1];
                Thread writer = Thread.startVirtualThread(() -> {
                    try {
                        for (int off = 0; off < data.length; off += 1000) {
                            int n = Math.min(1000, data.length - off);
                            s.write(data, off, n);
                            synchronized (written) {
                                written[0] = off + n;
                            }
                        }
                    } catch (IOException e) {
                        throw new RuntimeException(e);
                    }
                });
                // The peer reads nothing: its window closes, and the writer parks with bounded bytes in flight.
                waitUntil(() -> peer.info().receiveWindow() == 0);
                awaitWaiting(writer);
                long stalledAt;
                synchronized (written) {
                    stalledAt = written[0];
                }
                // Peer: TCP buffer + ring; sender: ring + TCP buffer; plus one chunk.
                assertThat(stalledAt).isLessThanOrEqualTo(4 * 16 * 1024 + 1000).isLessThan(data.length);
                assertThat(writer.isAlive()).isTrue();
                // The peer's TCP buffer is full, up to less than one segment (RFC 1122 §4.2.3.3: no small windows).
                assertThat(peer.info().receiveBuffered()).isBetween(16 * 1024 - 1460, 16 * 1024);
                // Reading reopens the window: everything arrives, byte-exact.
                byte[] got = new byte[data.length];
                int n = 0;
                while (n < data.length) {
                    int r = peer.read(got, n, data.length - n);
                    assertThat(r).isPositive();
                    n += r;
                }
                writer.join();
                assertThat(got).isEqualTo(data);
            }
        }
    }

    @Test
    void receiveBufferSetBeforeConnectingSetsTheWindowScale() throws Exception {
        try (TcpServerSocket listener = server.listen(80)) {
            TcpSocket big = new TcpSocket(net.client);
            big.setReceiveBufferSize(1 << 20);
            big.setTcpNoDelay(true);
            big.connect(TwoHosts.server(80), 5000);
            TcpSocket normal = client.connect("10.0.0.2", 80);
            try (big; normal) {
                TcpInfo bigInfo = big.info();
                assertThat(bigInfo.receiveWindowScale()).isEqualTo(5); // 65535 << 5 >= 1 MiB
                assertThat(bigInfo.receiveWindow()).isEqualTo(1 << 20);
                assertThat(normal.info().receiveWindowScale()).isEqualTo(3); // 256 KiB default
                assertThat(big.getTcpNoDelay()).isTrue();
                // After connecting the buffer still grows (within what the SYN's scale can say):
                // the next segment's ACK offers the larger window.
                normal.setReceiveBufferSize(400_000);
                listener.accept().close(); // big's peer
                TcpSocket normalPeer = listener.accept();
                normalPeer.write(new byte[1], 0, 1);
                assertThat(normal.read(new byte[1], 0, 1)).isEqualTo(1);
                waitUntil(() -> normal.info().receiveWindow() > 256 * 1024);
                assertThat(normal.info().receiveWindow()).isLessThanOrEqualTo(400_000);
                normalPeer.close();
            }
        }
    }

    @Test
    void manyVirtualThreadsEchoConcurrently() throws Exception {
        int clients = 200;
        try (TcpServerSocket listener = server.listen(7, 256)) {
            Thread acceptor = Thread.startVirtualThread(() -> {
                try {
                    while (true) {
                        TcpSocket s = listener.accept();
                        Thread.startVirtualThread(() -> {
                            try (s) {
                                s.getInputStream().transferTo(s.getOutputStream());
                            } catch (IOException e) {
                                throw new RuntimeException(e);
                            }
                        });
                    }
                } catch (IOException closed) {
                    // listener closed: done
                }
            });
            CompletableFuture<?>[] all = new CompletableFuture<?>[clients];
            for (int i = 0; i < clients; i++) {
                int id = i;
                CompletableFuture<Void> f = new CompletableFuture<>();
                all[i] = f;
                Thread.startVirtualThread(() -> {
                    byte[] data = random(1 + new Random(id).nextInt(40_000), id);
                    try (TcpSocket s = client.connect("10.0.0.2", 7)) {
                        Thread w = Thread.startVirtualThread(() -> {
                            try {
                                // Writes of random sizes, some of a single byte.
                                Random r = new Random(id * 31L);
                                for (int off = 0; off < data.length; ) {
                                    int n = Math.min(data.length - off, r.nextInt(3) == 0 ? 1 : 1 + r.nextInt(5000));
                                    s.write(data, off, n);
                                    off += n;
                                }
                                s.shutdownOutput();
                            } catch (IOException e) {
                                throw new RuntimeException(e);
                            }
                        });
                        byte[] back = readAll(s.getInputStream());
                        w.join();
                        if (!Arrays.equals(back, data)) {
                            throw new AssertionError("client " + id + ": " + back.length + " of " + data.length + " bytes");
                        }
                        f.complete(null);
                    } catch (Throwable t) {
                        f.completeExceptionally(t);
                    }
                });
            }
            try {
                CompletableFuture.allOf(all).get(50, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                throw new AssertionError(e.getCause());
            }
            listener.close();
            acceptor.join();
        }
    }

    @Test
    void interruptingABlockedReaderClosesTheSocket() throws Exception {
        try (TcpServerSocket listener = server.listen(80); TcpSocket s = client.connect("10.0.0.2", 80);
                TcpSocket peer = listener.accept()) {
            java.util.concurrent.atomic.AtomicReference<Thread> reader = new java.util.concurrent.atomic.AtomicReference<>();
            CompletableFuture<Throwable> outcome = blockedIn(() -> {
                reader.set(Thread.currentThread());
                s.read(new byte[1], 0, 1);
            });
            reader.get().interrupt();
            assertThat(outcome.get(10, TimeUnit.SECONDS)).isInstanceOf(SocketException.class)
                    .hasMessage("Closed by interrupt");
            assertThat(s.isClosed()).isTrue();
            assertThat(peer.read(new byte[1], 0, 1)).isEqualTo(-1); // our FIN
        }
    }

    @Test
    void closeFromAnotherThreadWakesABlockedWriter() throws Exception {
        try (TwoHosts smallNet = new TwoHosts(TcpConfig.defaults().withBuffers(8192, 8192))) {
            try (TcpServerSocket listener = Sockets.of(smallNet.server).listen(80);
                    TcpSocket s = Sockets.of(smallNet.client).connect("10.0.0.2", 80); TcpSocket peer = listener.accept()) {
                // far more than the peer (not reading) can take
                CompletableFuture<Throwable> outcome = blockedIn(() -> s.write(new byte[1 << 20], 0, 1 << 20));
                waitUntil(() -> peer.info().receiveWindow() == 0);
                s.close();
                assertThat(outcome.get(10, TimeUnit.SECONDS)).isInstanceOf(SocketException.class)
                        .hasMessage("Socket closed");
            }
        }
    }

    @Test
    void aTakenPortSaysAddressInUse() throws Exception {
        try (TcpServerSocket listener = server.listen(80)) {
            assertThatThrownBy(() -> server.listen(80)).isInstanceOf(java.net.BindException.class)
                    .hasMessageContaining("Address already in use");
        }
    }

    @Test
    void echoesByteExactOverALossyReorderingLink() throws Exception {
        FaultProfile bad = FaultProfile.builder().loss(0.03).reordering(0.05).duplication(0.01).build();
        try (TwoHosts lossy = new TwoHosts(TcpConfig.defaults(),
                d -> FaultInjector.builder().seed(11).rx(bad).tx(bad).wrap(d))) {
            try (TcpServerSocket listener = Sockets.of(lossy.server).listen(7)) {
                CompletableFuture<Void> served = echoOnce(listener);
                byte[] data = random(2_000_000, 12);
                try (TcpSocket s = Sockets.of(lossy.client).connect("10.0.0.2", 7)) {
                    assertThat(sendAndReadBack(s, data)).isEqualTo(data);
                }
                served.get();
            }
            assertThat(lossy.client.counters().get("fault.rx.lost") + lossy.client.counters().get("fault.tx.lost")).isPositive();
        }
    }

    @Test
    void aStoppedLoopEndsABlockedRead() throws Exception {
        TcpServerSocket listener = server.listen(80);
        TcpSocket s = client.connect("10.0.0.2", 80);
        listener.accept();
        CompletableFuture<Throwable> outcome = blockedIn(() -> s.read(new byte[1], 0, 1));
        net.loop.close(); // nothing will ever arrive: the reader must not wait for ever
        assertThat(outcome.get(10, TimeUnit.SECONDS)).isInstanceOf(SocketException.class)
                .hasMessageContaining("event loop has stopped");
    }

    @Test
    void blockingCallsOnTheLoopThreadAreRefused() throws Exception {
        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        net.loop.execute(() -> {
            try {
                client.connect("10.0.0.2", 80);
                outcome.complete(null);
            } catch (Throwable t) {
                outcome.complete(t);
            }
        });
        assertThat(outcome.get(10, TimeUnit.SECONDS)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("event-loop thread");
    }

    @Test
    void usingASocketBeforeConnectingSaysSo() {
        TcpSocket s = new TcpSocket(net.client);
        assertThatThrownBy(() -> s.read(new byte[1], 0, 1)).isInstanceOf(SocketException.class)
                .hasMessage("Socket is not connected");
        s.close();
        assertThatThrownBy(() -> s.connect(TwoHosts.server(80))).isInstanceOf(SocketException.class)
                .hasMessage("Socket is closed");
    }

    @Test
    void namesResolveThroughTheResolver() throws Exception {
        Sockets named = Sockets.of(net.client, host -> {
            if (host.equals("server.test")) {
                return java.util.List.of(TwoHosts.ip("10.0.0.3"), TwoHosts.serverIp()); // first one is dead
            }
            throw new java.net.UnknownHostException(host);
        });
        try (TcpServerSocket listener = server.listen(80);
                TcpSocket s = named.connect("server.test", 80, java.time.Duration.ofMillis(300))) {
            assertThat(s.remoteAddress()).isEqualTo(TwoHosts.server(80));
            listener.accept().close();
        }
        assertThatThrownBy(() -> named.connect("nowhere.test", 80)).isInstanceOf(java.net.UnknownHostException.class);
    }

    // ------------------------------------------------------------------ helpers

    public interface Check {
        boolean ok() throws Exception;
    }

    /** Polls until {@code check} holds (the @Timeout guards against hanging). */
    public static void waitUntil(Check check) throws Exception {
        while (!check.ok()) {
            Thread.sleep(5);
        }
    }

    /** Something that blocks in a socket call. */
    public interface Blocking {
        void run() throws Exception;
    }

    /**
     * Runs {@code call} in a virtual thread and returns once it is parked in it; the future
     * completes with what it threw (null if it returned).
     */
    public static CompletableFuture<Throwable> blockedIn(Blocking call) throws Exception {
        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        Thread t = Thread.startVirtualThread(() -> {
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

    /** Waits until {@code t} is parked (blocked in a socket call). */
    public static void awaitWaiting(Thread t) throws Exception {
        waitUntil(() -> t.getState() == Thread.State.WAITING || t.getState() == Thread.State.TIMED_WAITING);
    }
}
