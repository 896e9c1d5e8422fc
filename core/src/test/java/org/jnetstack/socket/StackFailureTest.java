package org.jnetstack.socket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.SocketException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.jnetstack.link.ForwardingDevice;
import org.jnetstack.tcp.TcpConnection;
import org.jnetstack.tcp.TcpHandler;
import org.jnetstack.tcp.TcpConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A TCP handler on the callback API throws when the first byte arrives. An exception is
 * contained (counted, the stack serves on); an {@link Error} stops the stack the same way every
 * time: the embedder waiting on {@code failure()} gets it, listeners are told, devices close,
 * and blocked socket callers end with an IOException naming it instead of waiting for ever.
 */
@Timeout(60)
class StackFailureTest {
    private static final int PORT = 5000;
    private final AtomicInteger devicesClosed = new AtomicInteger();
    /** The client's end of the wire, wrapped to see it closed. */
    private final TwoHosts net = new TwoHosts(TcpConfig.defaults(), d -> new ForwardingDevice(d) {
        @Override
        public void close() {
            devicesClosed.incrementAndGet();
            super.close();
        }
    });

    @AfterEach
    void tearDown() {
        net.close();
    }

    /** Listens on the server's callback API with a handler that throws {@code thrown} on data. */
    private void listenThrowing(Supplier<Throwable> thrown) throws Exception {
        CompletableFuture<Void> listening = new CompletableFuture<>();
        net.loop.execute(() -> {
            net.server.tcp().listen(PORT, l -> {
                TcpConnection c;
                while ((c = l.accept()) != null) {
                    c.setHandler(new TcpHandler() {
                        @Override
                        public void onReceive(TcpConnection c) {
                            Throwable t = thrown.get();
                            if (t instanceof Error e) {
                                throw e;
                            }
                            throw (RuntimeException) t;
                        }
                    });
                }
            });
            listening.complete(null);
        });
        listening.get(10, TimeUnit.SECONDS);
    }

    @Test
    void anErrorInAHandlerStopsTheStackAndReportsIt() throws Exception {
        Error boom = new StackOverflowError("thrown by the test's TCP handler");
        listenThrowing(() -> boom);
        List<Throwable> told = new CopyOnWriteArrayList<>();
        net.server.onFailure(told::add);
        CompletableFuture<Throwable> waiting = net.server.failure();
        // A caller blocked in accept on another port, and one blocked reading its own connection.
        TcpServerSocket other = Sockets.of(net.server).listen(6000);
        CompletableFuture<Throwable> acceptor = blockedIn(other::accept);
        TcpSocket s = Sockets.of(net.client).connect("10.0.0.2", PORT);
        CompletableFuture<Throwable> reader = blockedIn(() -> s.read(new byte[1], 0, 1));

        s.write(new byte[] {1}, 0, 1); // the server's handler throws the Error on this byte

        assertThat(waiting.get(10, TimeUnit.SECONDS)).isSameAs(boom);
        assertThat(told).containsExactly(boom);
        assertThat(net.loop.isClosed()).isTrue();
        assertThat(net.loop.counters().get("loop.fatal")).isEqualTo(1);
        for (CompletableFuture<Throwable> blocked : List.of(acceptor, reader)) {
            assertThat(blocked.get(10, TimeUnit.SECONDS)).isInstanceOf(SocketException.class)
                    .hasMessageContaining("fatal error").hasMessageContaining("thrown by the test's TCP handler")
                    .hasCause(boom);
        }
        // New calls fail at once, naming it too, and no work is accepted.
        assertThatThrownBy(() -> Sockets.of(net.client).connect("10.0.0.2", PORT)).isInstanceOf(SocketException.class)
                .hasMessageContaining("StackOverflowError");
        assertThatThrownBy(() -> net.loop.execute(() -> { })).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed").hasCause(boom);
        // The loop closed its devices (the client's end of the wire is wrapped to count).
        assertThat(devicesClosed).hasValue(1);
        // A listener registered after the failure hears of it at once.
        List<Throwable> late = new CopyOnWriteArrayList<>();
        net.client.onFailure(late::add);
        assertThat(late).containsExactly(boom);
        assertThat(net.client.failure()).isCompletedWithValue(boom);
    }

    @Test
    void anExceptionInAHandlerIsContainedAndTheStackServesOn() throws Exception {
        listenThrowing(() -> new IllegalStateException("thrown by the test's TCP handler (expected: contained)"));
        TcpSocket s = Sockets.of(net.client).connect("10.0.0.2", PORT);
        s.write(new byte[] {1}, 0, 1);
        // The loop counted it and runs on: a blocking echo on another port still round-trips.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (net.loop.counters().get("loop.errors") == 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(net.loop.counters().get("loop.errors")).isEqualTo(1);
        try (TcpServerSocket listener = Sockets.of(net.server).listen(7)) {
            CompletableFuture<Void> served = TcpSocketTest.echoOnce(listener);
            try (TcpSocket e = Sockets.of(net.client).connect("10.0.0.2", 7)) {
                byte[] data = TcpSocketTest.random(100_000, 3);
                assertThat(TcpSocketTest.sendAndReadBack(e, data)).isEqualTo(data);
            }
            served.get(10, TimeUnit.SECONDS);
        }
        assertThat(net.loop.isClosed()).isFalse();
        assertThat(net.loop.counters().get("loop.fatal")).isZero();
        assertThat(net.server.failure()).isNotDone();
        s.close();
    }

    interface Blocking {
        Object call() throws IOException;
    }

    private static CompletableFuture<Throwable> blockedIn(Blocking call) {
        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        Thread.startVirtualThread(() -> {
            try {
                call.call();
                outcome.complete(null);
            } catch (Throwable t) {
                outcome.complete(t);
            }
        });
        return outcome;
    }
}
