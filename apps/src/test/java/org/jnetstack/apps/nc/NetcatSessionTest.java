package org.jnetstack.apps.nc;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.jnetstack.NetStack;
import org.jnetstack.apps.echo.TcpEchoService;
import org.jnetstack.link.VirtualWire;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.testing.TcpExchange;
import org.jnetstack.wire.Ipv4Address;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * netcat sessions between two stacks on a virtual wire, on a real loop thread (the session's
 * stream threads block, as they do on a terminal or a pipe).
 */
class NetcatSessionTest {
    private final EventLoop loop = EventLoop.system();
    private final VirtualWire wire = new VirtualWire();
    private final NetStack nc = NetStack.builder(loop).name("nc").device(wire.a()).address("10.0.0.1/24").seed(1).build();
    private final NetStack peer = NetStack.builder(loop).name("peer").device(wire.b()).address("10.0.0.2/24").seed(2).build();
    private final StringWriter err = new StringWriter();

    @AfterEach
    void stop() {
        loop.close();
    }

    private NetcatSession session(InputStream in, OutputStream out) {
        return new NetcatSession(nc, in, out, new PrintWriter(err, true), true);
    }

    private static byte[] random(int n, long seed) {
        byte[] d = new byte[n];
        new SplittableRandom(seed).nextBytes(d);
        return d;
    }

    private <T> T onLoop(Supplier<T> s) throws Exception {
        CompletableFuture<T> f = new CompletableFuture<>();
        loop.execute(() -> f.complete(s.get()));
        return f.get(10, TimeUnit.SECONDS);
    }

    @Test
    void stdinGoesToTheEchoServiceAndComesBackOnStdout() throws Exception {
        TcpEchoService.open(peer, 7);
        loop.start("test-loop");
        byte[] data = random(5_000_000, 1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        int status = session(new ByteArrayInputStream(data), out).connect(Ipv4Address.parse("10.0.0.2"), 7);

        assertThat(status).as(err.toString()).isZero();
        assertThat(out.toByteArray()).isEqualTo(data);
        assertThat(err.toString()).isEqualTo("Connection to 10.0.0.2 7 port [tcp/*] succeeded!" + System.lineSeparator());
    }

    @Test
    void refusedConnectionIsReportedLikeNc() throws Exception {
        loop.start("test-loop");

        int status = session(new ByteArrayInputStream(new byte[0]), new ByteArrayOutputStream())
                .connect(Ipv4Address.parse("10.0.0.2"), 80);

        assertThat(status).isEqualTo(NetcatSession.FAILED);
        assertThat(err.toString()).isEqualTo("nc: connect to 10.0.0.2 port 80 (tcp) failed: Connection refused"
                + System.lineSeparator());
    }

    /** Sends {@code data} to the nc listener, half-closes, and collects what nc sends back. */
    static final class Sender extends TcpExchange {
        Sender(byte[] data) {
            super(data);
        }
    }

    @Test
    void listensForOneConnectionAndCopiesBothWays() throws Exception {
        loop.start("test-loop");
        byte[] toNc = random(2_000_000, 2);
        byte[] fromNc = random(1_500_000, 3);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CompletableFuture<Integer> status = CompletableFuture.supplyAsync(() -> {
            try {
                return session(new ByteArrayInputStream(fromNc), out).listen(5000);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        while (onLoop(() -> nc.tcp().listeners().isEmpty())) {
            Thread.onSpinWait();
        }
        Sender s = new Sender(toNc);
        loop.execute(() -> peer.tcp().connect(Ipv4Address.parseBits("10.0.0.1"), 5000, s));

        assertThat(status.get(60, TimeUnit.SECONDS)).as(err.toString()).isZero();
        assertThat(out.toByteArray()).isEqualTo(toNc);
        while (!s.closed && s.error == null) {
            Thread.sleep(10);
        }
        assertThat(s.error).isNull();
        assertThat(s.got.toByteArray()).isEqualTo(fromNc);
        assertThat(err.toString()).startsWith("Listening on 10.0.0.1 5000" + System.lineSeparator()
                + "Connection received on 10.0.0.2 ");
        assertThat(onLoop(() -> nc.tcp().listeners().isEmpty())).as("nc -l takes one connection only").isTrue();
    }

    @Test
    void aStalledStdoutHoldsThePeerBackInsteadOfBuffering() throws Exception {
        loop.start("test-loop");
        byte[] toNc = random(8_000_000, 4);
        CountDownLatch release = new CountDownLatch(1);
        ByteArrayOutputStream collected = new ByteArrayOutputStream();
        OutputStream slowStdout = new OutputStream() {
            @Override
            public void write(int b) {
                throw new UnsupportedOperationException();
            }

            @Override
            public void write(byte[] b, int off, int len) {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                synchronized (collected) {
                    collected.write(b, off, len);
                }
            }
        };
        // stdin never ends while stdout is stalled: a pipe nobody writes to yet
        java.io.PipedOutputStream stdinWriter = new java.io.PipedOutputStream();
        java.io.PipedInputStream stdin = new java.io.PipedInputStream(stdinWriter);
        CompletableFuture<Integer> status = CompletableFuture.supplyAsync(() -> {
            try {
                return session(stdin, slowStdout).listen(5001);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        while (onLoop(() -> nc.tcp().listeners().isEmpty())) {
            Thread.onSpinWait();
        }
        Sender s = new Sender(toNc);
        loop.execute(() -> peer.tcp().connect(Ipv4Address.parseBits("10.0.0.1"), 5001, s));

        Thread.sleep(3000); // on a virtual wire 8 MB would pass in far less if nothing held it back
        int sent = s.written;
        // The peer's send buffer + nc's receive window + nc's chunks: nothing beyond that may move.
        long bound = 256 * 1024 + 256 * 1024 + (long) NetcatSession.CHUNKS * NetcatSession.CHUNK_SIZE + 128 * 1024;
        assertThat(sent).as("bytes the peer could push while stdout was stalled").isLessThan((int) bound);
        assertThat(sent).isGreaterThan(0);

        release.countDown();
        stdinWriter.close();
        assertThat(status.get(60, TimeUnit.SECONDS)).as(err.toString()).isZero();
        assertThat(collected.toByteArray()).isEqualTo(toNc);
    }

    @Test
    void aLoopThatFailsEndsTheSessionWhateverItWaitsFor() throws Exception {
        loop.onFailure(fatal -> { }); // the command reports it
        loop.start("test-loop");
        java.io.PipedInputStream stdin = new java.io.PipedInputStream(); // a terminal nobody types on
        java.io.PipedOutputStream typist = new java.io.PipedOutputStream(stdin);
        CompletableFuture<Integer> status = CompletableFuture.supplyAsync(() -> {
            try {
                return session(stdin, new ByteArrayOutputStream()).listen(5000); // no one ever connects
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        onLoop(() -> true); // listening now
        loop.execute(() -> {
            throw new Error("test: the loop fails");
        });

        assertThat(status.get(60, TimeUnit.SECONDS)).isEqualTo(NetcatSession.FAILED); // generous: it never ends when broken
        typist.close();
    }
}
