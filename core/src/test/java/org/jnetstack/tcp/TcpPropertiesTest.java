package org.jnetstack.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jnetstack.testing.Nanos.MS;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.jnetstack.NetStack;
import org.jnetstack.link.FaultInjector;
import org.jnetstack.link.FaultProfile;
import org.jnetstack.link.VirtualWire;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.loop.Timer;
import org.jnetstack.wire.Ipv4Address;

/**
 * Deterministic simulations over random fault schedules and random application behaviour:
 * every byte arrives exactly once and in order, in both directions, nothing hangs, and both
 * ends finish in CLOSED or TIME_WAIT.
 */
class TcpPropertiesTest {
    static final int B = Ipv4Address.parseBits("10.0.0.2");

    /** An application that writes and reads in random sizes with random pauses, both ways. */
    static final class Peer implements TcpHandler {
        final EventLoop loop;
        final SplittableRandom rnd;
        final byte[] out;
        int written;
        final ByteArrayOutputStream in = new ByteArrayOutputStream();
        boolean eof;
        boolean closedEvent;
        IOException error;
        TcpConnection conn;
        Timer readLater;
        Timer writeLater;

        Peer(EventLoop loop, long seed, int size) {
            this.loop = loop;
            this.rnd = new SplittableRandom(seed);
            this.out = new byte[size];
            rnd.nextBytes(out);
        }

        void attach(TcpConnection c) {
            conn = c;
            readLater = loop.newTimer(() -> read(c));
            writeLater = loop.newTimer(() -> write(c));
            write(c);
        }

        @Override
        public void onConnected(TcpConnection c) {
            attach(c);
        }

        @Override
        public void onReceive(TcpConnection c) {
            if (rnd.nextInt(4) == 0) {
                if (!readLater.isScheduled()) {
                    readLater.schedule(rnd.nextInt(50) * MS); // a slow reader: the window closes
                }
                return;
            }
            read(c);
        }

        void read(TcpConnection c) {
            byte[] buf = new byte[1 + rnd.nextInt(20_000)];
            int n;
            while ((n = c.read(buf, 0, buf.length)) > 0) {
                in.write(buf, 0, n);
                if (rnd.nextInt(8) == 0) {
                    if (!readLater.isScheduled()) {
                        readLater.schedule(rnd.nextInt(20) * MS);
                    }
                    return;
                }
            }
            if (c.isEndOfInput()) {
                eof = true;
                maybeClose(c);
            }
        }

        @Override
        public void onEndOfInput(TcpConnection c) {
            read(c);
        }

        @Override
        public void onSent(TcpConnection c, int bytes) {
            if (!writeLater.isScheduled()) {
                write(c);
            }
        }

        void write(TcpConnection c) {
            while (written < out.length && !c.isOutputShutdown() && c.state().isSynchronized()) {
                int n = c.write(out, written, Math.min(out.length - written, 1 + rnd.nextInt(30_000)));
                written += n;
                if (n == 0) {
                    return;
                }
                if (rnd.nextInt(6) == 0) {
                    writeLater.schedule(rnd.nextInt(30) * MS);
                    return;
                }
            }
            if (written == out.length && !c.isOutputShutdown()) {
                c.shutdownOutput();
            }
        }

        void maybeClose(TcpConnection c) {
            if (eof && c.isOutputShutdown()) {
                c.close();
            }
        }

        @Override
        public void onError(TcpConnection c, IOException e) {
            error = e;
        }

        @Override
        public void onClosed(TcpConnection c) {
            closedEvent = true;
        }
    }

    // A fixed seed keeps CI reproducible (a red CI must replay exactly). To explore new schedules,
    // change or remove the seed locally and run again; add any failing sample as an @Example below
    // (three found that way so far).
    @Property(tries = 200, seed = "20261123", edgeCases = net.jqwik.api.EdgeCasesMode.NONE)
    void bothDirectionsArriveExactlyOnceUnderFaults(
            @ForAll @LongRange(min = 1, max = 1L << 40) long seed,
            @ForAll @DoubleRange(min = 0, max = 0.2) double loss,
            @ForAll @DoubleRange(min = 0, max = 0.1) double duplication,
            @ForAll @DoubleRange(min = 0, max = 0.2) double reordering,
            @ForAll @DoubleRange(min = 0, max = 0.02) double corruption,
            @ForAll @IntRange(min = 0, max = 300_000) int sizeA,
            @ForAll @IntRange(min = 0, max = 300_000) int sizeB,
            @ForAll boolean sack) {
        EventLoop loop = EventLoop.virtual();
        VirtualWire wire = new VirtualWire();
        FaultProfile faults = FaultProfile.builder().loss(loss).duplication(duplication)
                .reordering(reordering, Duration.ofMillis(3)).corruption(corruption)
                .delay(Duration.ofMillis(2), Duration.ofMillis(1)).build();
        FaultInjector fa = FaultInjector.builder().seed(seed).both(faults).wrap(wire.a());
        // JNS_TRACE_TEST=1 prints every frame of host a (tcpdump-like), to debug a failing sample.
        org.jnetstack.link.LinkDevice traced = System.getenv("JNS_TRACE_TEST") != null
                ? org.jnetstack.link.Tracer.wrap(fa, line -> System.out.println("TRACE " + line)) : fa;
        // Buffer sizes (small ones close the window often), congestion control and Nagle vary too.
        SplittableRandom cr = new SplittableRandom(seed ^ 0x5DEECE66DL);
        TcpConfig cfg = TcpConfig.defaults().withSack(sack).withBuffers(1024 + cr.nextInt(200_000), 1024 + cr.nextInt(200_000))
                .toBuilder().congestionControl(cr.nextBoolean() ? "cubic" : "newreno").nagle(cr.nextBoolean()).build();
        NetStack a = NetStack.builder(loop).name("a").device(traced).address("10.0.0.1/24").seed(seed).tcpConfig(cfg).build();
        NetStack b = NetStack.builder(loop).name("b").device(wire.b()).address("10.0.0.2/24").seed(seed + 1).tcpConfig(cfg).build();

        // Static neighbours: a lost ARP exchange would legitimately fail the connect (No route to host).
        a.iface().neighbors().putStatic(B, wire.b().mac());
        b.iface().neighbors().putStatic(Ipv4Address.parseBits("10.0.0.1"), wire.a().mac());
        Peer server = new Peer(loop, seed + 2, sizeB);
        Peer client = new Peer(loop, seed + 3, sizeA);
        b.tcp().listen(80, l -> {
            TcpConnection c = l.accept();
            c.setHandler(server);
            server.attach(c);
        });
        TcpConnection conn = a.tcp().connect(B, 80, client);
        boolean done = loop.runUntil(() -> client.eof && server.eof && conn.state() != TcpState.ESTABLISHED
                && server.conn != null && isFinished(server.conn.state()) && isFinished(conn.state()),
                Duration.ofHours(2).toNanos());
        assertThat(client.error).as("client error").isNull();
        assertThat(server.error).as("server error").isNull();
        assertThat(done).as("finished: client %s, server %s", conn.info(), server.conn == null ? null : server.conn.info()).isTrue();
        assertThat(server.in.toByteArray()).isEqualTo(client.out);
        assertThat(client.in.toByteArray()).isEqualTo(server.out);
        loop.runFor(Duration.ofMinutes(3).toNanos()); // past TIME_WAIT
        assertThat(a.tcp().connections()).isEmpty();
        assertThat(b.tcp().connections()).isEmpty();
        assertThat(loop.counters().get("loop.errors")).isZero();
    }

    /** Found by the property: pure ACKs sent at a rewound snd.nxt were dropped by the peer, both sides stalled. */
    @net.jqwik.api.Example
    void regressionPureAckAfterTimeoutUsesSndMax() {
        bothDirectionsArriveExactlyOnceUnderFaults(12, 0.11, 0.0, 0.14, 0.02, 202866, 105561, false);
    }

    @net.jqwik.api.Example
    void regressionHandshakeUnderDuplicationAndCorruption() {
        bothDirectionsArriveExactlyOnceUnderFaults(230, 0.01, 0.01, 0.0, 0.01, 0, 0, true);
    }

    /** Found by the property: a retransmitted SYN in SYN-RECEIVED drew a bare ACK, never a SYN-ACK. */
    @net.jqwik.api.Example
    void regressionRetransmittedSynGetsSynAck() {
        bothDirectionsArriveExactlyOnceUnderFaults(74966, 0.13, 0.01, 0.01, 0.0, 0, 0, true);
    }

    private static boolean isFinished(TcpState s) {
        return s == TcpState.CLOSED || s == TcpState.TIME_WAIT;
    }
}
