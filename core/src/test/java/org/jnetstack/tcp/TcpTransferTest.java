package org.jnetstack.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jnetstack.testing.Nanos.SECOND;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.jnetstack.NetStack;
import org.jnetstack.link.FaultInjector;
import org.jnetstack.link.FaultProfile;
import org.jnetstack.link.LinkDevice;
import org.jnetstack.link.VirtualWire;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.loop.VirtualClock;
import org.jnetstack.wire.Ipv4Address;
import org.junit.jupiter.api.Test;

/** Two stacks on a virtual wire, virtual clock: handshake, transfer, close, failures. */
class TcpTransferTest {
    static final int A = Ipv4Address.parseBits("10.0.0.1");
    static final int B = Ipv4Address.parseBits("10.0.0.2");

    EventLoop loop;
    VirtualWire wire;
    LinkDevice devA;
    LinkDevice devB;
    NetStack a;
    NetStack b;

    void setUp(double loss, TcpConfig cfg, long seed) {
        loop = EventLoop.virtual();
        wire = new VirtualWire();
        devA = FaultInjector.builder().seed(seed).tx(FaultProfile.builder().loss(loss).build()).wrap(wire.a());
        devB = FaultInjector.builder().seed(seed + 1).tx(FaultProfile.builder().loss(loss).build()).wrap(wire.b());
        a = NetStack.builder(loop).name("a").device(devA).address("10.0.0.1/24").seed(seed).tcpConfig(cfg).build();
        b = NetStack.builder(loop).name("b").device(devB).address("10.0.0.2/24").seed(seed + 7).tcpConfig(cfg).build();
    }

    /** Frames {@code dev}'s fault injector dropped on their way out. */
    static long lost(LinkDevice dev) {
        return dev.stats().counters().get("fault.tx.lost");
    }

    /** Server side: reads everything, records it, and closes when the peer closes. */
    static class Sink implements TcpHandler {
        final ByteArrayOutputStream got = new ByteArrayOutputStream();
        boolean eof;
        boolean closed;
        IOException error;
        boolean reading = true;

        @Override
        public void onReceive(TcpConnection c) {
            if (!reading) {
                return;
            }
            byte[] buf = new byte[8192];
            int n;
            while ((n = c.read(buf, 0, buf.length)) > 0) {
                got.write(buf, 0, n);
            }
        }

        @Override
        public void onEndOfInput(TcpConnection c) {
            onReceive(c);
            eof = true;
            c.close();
        }

        @Override
        public void onError(TcpConnection c, IOException e) {
            error = e;
        }

        @Override
        public void onClosed(TcpConnection c) {
            closed = true;
        }
    }

    /** Client side: writes {@code data} as the window allows, then shuts output. */
    static final class Source implements TcpHandler {
        final byte[] data;
        int written;
        boolean connected;
        boolean closed;
        boolean eof;
        IOException error;

        Source(byte[] data) {
            this.data = data;
        }

        @Override
        public void onConnected(TcpConnection c) {
            connected = true;
            pump(c);
        }

        @Override
        public void onSent(TcpConnection c, int bytes) {
            pump(c);
        }

        void pump(TcpConnection c) {
            while (written < data.length && !c.isOutputShutdown()) {
                int n = c.write(data, written, Math.min(data.length - written, 65536));
                if (n == 0) {
                    return;
                }
                written += n;
            }
            if (written == data.length) {
                c.shutdownOutput();
            }
        }

        @Override
        public void onEndOfInput(TcpConnection c) {
            eof = true;
        }

        @Override
        public void onError(TcpConnection c, IOException e) {
            error = e;
        }

        @Override
        public void onClosed(TcpConnection c) {
            closed = true;
        }
    }

    Sink serve(int port) {
        Sink sink = new Sink();
        b.tcp().listen(port, l -> {
            TcpConnection c;
            while ((c = l.accept()) != null) {
                c.setHandler(sink);
            }
        });
        return sink;
    }

    static byte[] randomBytes(int n, long seed) {
        byte[] d = new byte[n];
        new SplittableRandom(seed).nextBytes(d);
        return d;
    }

    @Test
    void handshakeTransferAndOrderlyClose() {
        setUp(0, TcpConfig.defaults(), 1);
        Sink sink = serve(80);
        byte[] data = randomBytes(100_000, 3);
        Source src = new Source(data);
        TcpConnection c = a.tcp().connect(B, 80, src);
        assertThat(c.state()).isEqualTo(TcpState.SYN_SENT);
        boolean done = loop.runUntil(() -> src.closed && sink.closed, 60 * SECOND);
        assertThat(done).as("both ends closed").isTrue();
        assertThat(src.connected).isTrue();
        assertThat(sink.got.toByteArray()).isEqualTo(data);
        assertThat(c.state()).isEqualTo(TcpState.TIME_WAIT); // the active closer waits 2 MSL
        assertThat(c.info().sack()).isTrue();
        assertThat(c.info().timestamps()).isTrue();
        assertThat(c.info().sendWindowScale()).isGreaterThan(0);
        assertThat(c.info().retransmittedSegments()).isZero();
        loop.runFor(61 * SECOND);
        assertThat(c.state()).isEqualTo(TcpState.CLOSED);
        assertThat(a.tcp().connections()).isEmpty();
        assertThat(b.tcp().connections()).isEmpty();
        assertThat(loop.counters().get("loop.errors")).isZero();
    }

    @Test
    void bulkTransferUnderLossArrivesExactlyOnce() {
        setUp(0.05, TcpConfig.defaults(), 11);
        Sink sink = serve(80);
        byte[] data = randomBytes(2_000_000, 5);
        Source src = new Source(data);
        TcpConnection c = a.tcp().connect(B, 80, src);
        boolean done = loop.runUntil(() -> sink.eof && src.closed, 3600 * SECOND);
        assertThat(done).as("transfer finished: client %s, server got %d", c.info(), sink.got.size()).isTrue();
        assertThat(sink.got.toByteArray()).isEqualTo(data);
        assertThat(lost(devA) + lost(devB)).isGreaterThan(0);
        assertThat(c.info().retransmittedSegments()).isGreaterThan(0);
        assertThat(loop.counters().get("loop.errors")).isZero();
    }

    @Test
    void refusedConnectionReportsConnectException() {
        setUp(0, TcpConfig.defaults(), 2);
        Source src = new Source(new byte[0]);
        a.tcp().connect(B, 81, src);
        loop.runUntil(() -> src.error != null, 10 * SECOND);
        assertThat(src.error).isInstanceOf(java.net.ConnectException.class).hasMessage("Connection refused");
        assertThat(a.tcp().connections()).isEmpty();
    }

    @Test
    void unreachableHostReportsNoRouteToHost() {
        setUp(0, TcpConfig.defaults(), 3);
        Source src = new Source(new byte[0]);
        a.tcp().connect(Ipv4Address.parseBits("10.0.0.99"), 80, src);
        loop.runUntil(() -> src.error != null, 120 * SECOND);
        assertThat(src.error).isInstanceOf(java.net.NoRouteToHostException.class);
    }

    @Test
    void receiverThatStopsReadingClosesTheWindowAndTransferResumesWhenItReads() {
        setUp(0, TcpConfig.defaults().withBuffers(64 * 1024, 32 * 1024), 4);
        Sink sink = serve(80);
        sink.reading = false;
        byte[] data = randomBytes(300_000, 9);
        Source src = new Source(data);
        TcpConnection c = a.tcp().connect(B, 80, src);
        loop.runFor(30 * SECOND);
        // The receiver holds at most its buffer; the sender is blocked by the zero window.
        TcpConnection server = b.tcp().connections().get(0);
        assertThat(server.readable()).isEqualTo(32 * 1024);
        assertThat(c.info().sendWindow()).isZero();
        assertThat(a.counters().get("tcp.window_probes")).isGreaterThan(0);
        assertThat(src.written).isLessThan(data.length);
        sink.reading = true;
        sink.onReceive(server);
        boolean done = loop.runUntil(() -> sink.eof, 600 * SECOND);
        assertThat(done).isTrue();
        assertThat(sink.got.toByteArray()).isEqualTo(data);
    }

    @Test
    void halfCloseLetsTheOtherSideKeepSending() {
        setUp(0, TcpConfig.defaults(), 5);
        List<String> events = new ArrayList<>();
        byte[] reply = randomBytes(50_000, 1);
        b.tcp().listen(7, l -> {
            TcpConnection s = l.accept();
            s.setHandler(new TcpHandler() {
                int sent;

                @Override
                public void onEndOfInput(TcpConnection c) {
                    events.add("server got FIN in " + c.state());
                    pump(c);
                }

                @Override
                public void onSent(TcpConnection c, int bytes) {
                    pump(c);
                }

                void pump(TcpConnection c) {
                    if (c.isOutputShutdown()) {
                        return;
                    }
                    sent += c.write(reply, sent, reply.length - sent);
                    if (sent == reply.length) {
                        c.close();
                    }
                }
            });
        });
        Sink clientSink = new Sink() {
            @Override
            public void onConnected(TcpConnection c) {
                c.shutdownOutput(); // half-close at once
                events.add("client half-closed in " + c.state());
            }
        };
        TcpConnection c = a.tcp().connect(B, 7, clientSink);
        loop.runUntil(() -> clientSink.eof, 60 * SECOND);
        assertThat(clientSink.got.toByteArray()).isEqualTo(reply);
        assertThat(events).containsExactly("client half-closed in FIN_WAIT_1", "server got FIN in CLOSE_WAIT");
    }

    @Test
    void sequenceNumbersWrapAround() {
        setUp(0.02, TcpConfig.defaults(), 6);
        // The ISN is a clock (4 µs ticks, RFC 6528) plus a keyed offset: move the virtual clock
        // so that the client's ISN is 2^32 - 4096, and its data wraps the sequence space.
        int port = 40_000;
        int isnNow = a.tcp().isn(A, port, B, 80);
        ((VirtualClock) loop.clock()).advance(Integer.toUnsignedLong(0xFFFF_F000 - isnNow) * IsnGenerator.TICK_NANOS);
        assertThat(a.tcp().isn(A, port, B, 80)).isEqualTo(0xFFFF_F000);
        Sink sink = serve(80);
        byte[] data = randomBytes(500_000, 2);
        Source src = new Source(data);
        a.tcp().connect(port, B, 80, src);
        assertThat(loop.runUntil(() -> sink.eof, 600 * SECOND)).isTrue();
        assertThat(sink.got.toByteArray()).isEqualTo(data);
    }

    /** Runs one transfer of {@code size} bytes under {@code loss} and returns the sender's info at the end. */
    TcpInfo transfer(int size, double loss, TcpConfig cfg, long seed) {
        setUp(loss, cfg, seed);
        Sink sink = serve(80);
        byte[] data = randomBytes(size, seed);
        Source src = new Source(data);
        TcpConnection c = a.tcp().connect(B, 80, src);
        TcpInfo[] last = new TcpInfo[1];
        boolean done = loop.runUntil(() -> {
            if (c.state() != TcpState.CLOSED) {
                last[0] = c.info();
            }
            return sink.eof;
        }, 24 * 3600 * SECOND);
        assertThat(done).as("transfer finished: %s", last[0]).isTrue();
        assertThat(sink.got.toByteArray()).isEqualTo(data);
        return last[0];
    }

    @Test
    void tenMegabytesUnderTenPercentLoss() {
        TcpInfo info = transfer(10_000_000, 0.10, TcpConfig.defaults(), 21);
        assertThat(info.retransmittedSegments()).isPositive();
        assertThat(loop.counters().get("loop.errors")).isZero();
    }

    @Test
    void sackRetransmitsLessThanNewRenoUnderTheSameLoss() {
        // Several losses per window is where SACK pays: without it, every hole after the first
        // costs a round trip or a timeout, and a timeout resends what the peer already holds.
        long withSack = 0;
        long without = 0;
        for (long seed = 31; seed < 36; seed++) {
            TcpInfo s = transfer(2_000_000, 0.08, TcpConfig.defaults(), seed);
            TcpInfo n = transfer(2_000_000, 0.08, TcpConfig.defaults().withSack(false), seed);
            assertThat(s.sack()).isTrue();
            assertThat(n.sack()).isFalse();
            withSack += s.retransmittedBytes();
            without += n.retransmittedBytes();
        }
        assertThat(withSack).as("bytes retransmitted with SACK vs without").isLessThan(without);
    }
}
