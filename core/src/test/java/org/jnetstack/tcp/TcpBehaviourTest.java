package org.jnetstack.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jnetstack.testing.Nanos.MS;
import static org.jnetstack.testing.Nanos.SECOND;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jnetstack.NetStack;
import org.jnetstack.link.VirtualWire;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.testing.TestPort;
import org.jnetstack.wire.Ipv4Address;
import org.junit.jupiter.api.Test;

/** Timers and policies on the virtual clock: keepalive, retry limit, Nagle, delayed ACK, backlog, simultaneous open. */
class TcpBehaviourTest {
    static final int A = Ipv4Address.parseBits("10.0.0.1");
    static final int B = Ipv4Address.parseBits("10.0.0.2");

    final EventLoop loop = EventLoop.virtual();
    final VirtualWire wire = new VirtualWire();
    TestPort devA;
    TestPort devB;
    NetStack a;
    NetStack b;

    void setUp(TcpConfig cfg) {
        devA = new TestPort(wire.a());
        devB = new TestPort(wire.b());
        a = NetStack.builder(loop).name("a").device(devA).address("10.0.0.1/24").seed(1).tcpConfig(cfg).build();
        b = NetStack.builder(loop).name("b").device(devB).address("10.0.0.2/24").seed(2).tcpConfig(cfg).build();
    }

    static final class Events implements TcpHandler {
        final List<String> log = new ArrayList<>();
        IOException error;
        long errorAt;
        EventLoop loop;

        @Override
        public void onConnected(TcpConnection c) {
            log.add("connected");
        }

        @Override
        public void onError(TcpConnection c, IOException e) {
            error = e;
            errorAt = loop == null ? 0 : loop.clock().nanos();
            log.add("error " + e.getMessage());
        }

        @Override
        public void onReceive(TcpConnection c) {
            byte[] buf = new byte[65536];
            int n = c.read(buf, 0, buf.length);
            log.add("read " + n);
        }
    }

    TcpConnection established(Events client, List<TcpConnection> accepted) {
        b.tcp().listen(80, l -> {
            TcpConnection c;
            while ((c = l.accept()) != null) {
                accepted.add(c);
                c.setHandler(new Events());
            }
        });
        TcpConnection c = a.tcp().connect(B, 80, client);
        loop.runUntil(() -> client.log.contains("connected") && !accepted.isEmpty(), 5 * SECOND);
        assertThat(c.state()).isEqualTo(TcpState.ESTABLISHED);
        return c;
    }

    @Test
    void keepaliveDetectsAVanishedPeer() {
        setUp(TcpConfig.defaults().withKeepalive(Duration.ofSeconds(10), Duration.ofSeconds(2), 3));
        Events client = new Events();
        client.loop = loop;
        TcpConnection c = established(client, new ArrayList<>());
        c.setKeepAlive(true);
        long start = loop.clock().nanos();
        loop.runFor(30 * SECOND);
        // The peer answers: still up after three idle periods.
        assertThat(c.state()).isEqualTo(TcpState.ESTABLISHED);
        assertThat(a.counters().get("tcp.keepalive_probes")).isGreaterThanOrEqualTo(2);
        devB.txFilter = f -> false; // the peer disappears
        long vanished = loop.clock().nanos();
        loop.runUntil(() -> client.error != null, 120 * SECOND);
        assertThat(client.error).isInstanceOf(java.net.SocketTimeoutException.class);
        // idle 10 s (or less, from the last exchange), then 3 probes 2 s apart, then give up
        long took = client.errorAt - vanished;
        assertThat(took).isBetween(6 * SECOND, 16 * SECOND + 1);
        assertThat(start).isLessThan(vanished);
    }

    @Test
    void aConnectionWaitsOnOneLoopTimerWhateverItsTimersWaitFor() {
        setUp(TcpConfig.defaults().withKeepalive(Duration.ofSeconds(10), Duration.ofSeconds(2), 3));
        TcpConnection c = established(new Events(), new ArrayList<>());
        loop.runFor(5 * SECOND); // the handshake's timers have fired and found nothing to do
        int before = loop.timerCount();
        devA.txFilter = f -> false; // nothing reaches the peer: the retransmission timer stays armed
        c.setKeepAlive(true);
        c.write(new byte[100], 0, 100);
        loop.runPending();
        assertThat(a.counters().get("tcp.tx.segments")).isPositive();
        // Keepalive and retransmission both wait, on the connection's one timer in the loop.
        assertThat(loop.timerCount() - before).isEqualTo(1);
        loop.runFor(3 * SECOND);
        assertThat(a.counters().get("tcp.timeouts")).as("the retransmission timer still fires").isPositive();
        assertThat(loop.timerCount() - before).isEqualTo(1);
    }

    @Test
    void retransmissionLimitEndsADeadConnectionWithATimeout() {
        setUp(TcpConfig.defaults());
        Events client = new Events();
        client.loop = loop;
        TcpConnection c = established(client, new ArrayList<>());
        devB.txFilter = f -> false;
        devA.txFilter = f -> false;
        c.write(new byte[1000], 0, 1000);
        loop.runUntil(() -> client.error != null, 3600 * SECOND);
        assertThat(client.error).isInstanceOf(java.net.SocketTimeoutException.class).hasMessage("Connection timed out");
        assertThat(a.counters().get("tcp.timeouts")).isEqualTo(15);
        assertThat(a.tcp().connections()).isEmpty();
    }

    @Test
    void nagleCoalescesSmallWritesAndNoDelayDoesNot() {
        setUp(TcpConfig.defaults());
        Events client = new Events();
        List<TcpConnection> accepted = new ArrayList<>();
        TcpConnection c = established(client, accepted);
        long before = a.counters().get("tcp.tx.segments");
        for (int i = 0; i < 20; i++) {
            c.write(new byte[] {(byte) i}, 0, 1); // seed 001: bytes written one at a time
        }
        loop.runFor(1 * SECOND);
        long withNagle = a.counters().get("tcp.tx.segments") - before;
        assertThat(withNagle).isLessThanOrEqualTo(3); // first byte alone, the rest coalesced
        c.setNoDelay(true);
        before = a.counters().get("tcp.tx.segments");
        for (int i = 0; i < 20; i++) {
            c.write(new byte[] {(byte) i}, 0, 1);
        }
        loop.runFor(1 * SECOND);
        assertThat(a.counters().get("tcp.tx.segments") - before).isGreaterThanOrEqualTo(20);
    }

    @Test
    void aLoneSegmentIsAcknowledgedAfterTheDelayedAckTimeout() {
        setUp(TcpConfig.defaults());
        Events client = new Events();
        List<TcpConnection> accepted = new ArrayList<>();
        TcpConnection c = established(client, accepted);
        c.write(new byte[100], 0, 100); // the first read opens the window from the SYN's 64 KiB: an update goes at once
        loop.runFor(1 * SECOND);
        long acksBefore = b.counters().get("tcp.tx.segments");
        c.write(new byte[100], 0, 100);
        loop.runFor(39 * MS);
        assertThat(b.counters().get("tcp.tx.segments")).isEqualTo(acksBefore); // still waiting
        loop.runFor(2 * MS);
        assertThat(b.counters().get("tcp.tx.segments")).isEqualTo(acksBefore + 1);
        assertThat(c.info().unackedBytes()).isZero();
    }

    @Test
    void fullAcceptQueueDropsSynsUntilTheApplicationAccepts() {
        setUp(TcpConfig.defaults());
        List<TcpConnection> later = new ArrayList<>();
        TcpListener l = b.tcp().listen(0, 80, 2, x -> { }); // never accepts on its own
        List<Events> clients = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Events e = new Events();
            clients.add(e);
            a.tcp().connect(B, 80, e);
        }
        loop.runFor(500 * MS);
        assertThat(l.queued()).isEqualTo(2);
        assertThat(b.counters().get("tcp.listen_overflows")).isGreaterThan(0);
        TcpConnection x;
        while ((x = l.accept()) != null) {
            later.add(x);
        }
        loop.runFor(5 * SECOND); // the third client's SYN retransmission now gets in
        while ((x = l.accept()) != null) {
            later.add(x);
        }
        assertThat(later).hasSize(3);
        assertThat(clients).allMatch(e -> e.log.contains("connected"));
    }

    @Test
    void simultaneousOpen() {
        setUp(TcpConfig.defaults());
        Events ea = new Events();
        Events eb = new Events();
        TcpConnection ca = a.tcp().connect(5000, B, 6000, ea);
        TcpConnection cb = b.tcp().connect(6000, A, 5000, eb);
        loop.runUntil(() -> ea.log.contains("connected") && eb.log.contains("connected"), 10 * SECOND);
        assertThat(ca.state()).isEqualTo(TcpState.ESTABLISHED);
        assertThat(cb.state()).isEqualTo(TcpState.ESTABLISHED);
        ca.write("ping".getBytes(), 0, 4);
        loop.runFor(1 * SECOND);
        assertThat(eb.log).contains("read 4");
    }

    @Test
    void abortSendsResetAndThePeerSeesConnectionReset() {
        setUp(TcpConfig.defaults());
        Events client = new Events();
        List<TcpConnection> accepted = new ArrayList<>();
        TcpConnection c = established(client, accepted);
        Events server = new Events();
        accepted.get(0).setHandler(server);
        c.abort();
        loop.runFor(1 * SECOND);
        assertThat(server.error).isInstanceOf(java.net.SocketException.class).hasMessage("Connection reset");
        assertThat(b.tcp().connections()).isEmpty();
        assertThat(a.tcp().connections()).isEmpty();
    }

    @Test
    void simultaneousCloseGoesThroughClosingToTimeWaitOnBothSides() {
        setUp(TcpConfig.defaults());
        Events client = new Events();
        List<TcpConnection> accepted = new ArrayList<>();
        TcpConnection c = established(client, accepted);
        TcpConnection s = accepted.get(0);
        c.close();
        s.close(); // both FINs cross on the wire (RFC 9293 §3.6, figure 13)
        loop.runFor(10 * MS);
        assertThat(c.state()).isEqualTo(TcpState.TIME_WAIT);
        assertThat(s.state()).isEqualTo(TcpState.TIME_WAIT);
        loop.runFor(61 * SECOND); // 2 MSL
        assertThat(c.state()).isEqualTo(TcpState.CLOSED);
        assertThat(s.state()).isEqualTo(TcpState.CLOSED);
        assertThat(a.tcp().connections()).isEmpty();
        assertThat(b.tcp().connections()).isEmpty();
    }

    @Test
    void optionsAreUsedOnlyWhenBothSidesOfferThem() {
        devA = new TestPort(wire.a());
        devB = new TestPort(wire.b());
        a = NetStack.builder(loop).name("a").device(devA).address("10.0.0.1/24").seed(1).build();
        b = NetStack.builder(loop).name("b").device(devB).address("10.0.0.2/24").seed(2)
                .tcpConfig(TcpConfig.defaults().toBuilder().windowScaling(false).timestamps(false).build()).build();
        Events client = new Events();
        List<TcpConnection> accepted = new ArrayList<>();
        TcpConnection c = established(client, accepted);
        TcpInfo i = c.info();
        assertThat(i.sendWindowScale()).isZero();
        assertThat(i.receiveWindowScale()).isZero();
        assertThat(i.timestamps()).isFalse();
        assertThat(i.sack()).isTrue(); // both still offer SACK
        assertThat(i.mss()).isEqualTo(1460); // no timestamp option to make room for
        assertThat(accepted.get(0).info().timestamps()).isFalse();
    }

    @Test
    void rttIsMeasuredFromTheDelayOfTheLink() {
        setUp(TcpConfig.defaults());
        Events client = new Events();
        List<TcpConnection> accepted = new ArrayList<>();
        TcpConnection c = established(client, accepted);
        assertThat(c.info().srttMicros()).isZero(); // the virtual wire has no delay
        assertThat(c.info().rtoMicros()).isEqualTo(200_000); // RFC 6298 §2.4 floor (our minRto)
    }
}
