package org.jnetstack.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.util.Random;
import org.jnetstack.NetStack;
import org.jnetstack.config.StackConfig;
import org.jnetstack.ip6.AddressState;
import org.jnetstack.link.VirtualSwitch;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.testing.TestPort;
import org.jnetstack.wire.Bytes;
import org.jnetstack.wire.Ipv4Address;
import org.jnetstack.wire.Ipv6Address;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Path MTU discovery (RFC 1191, RFC 8201) on a virtual switch with a virtual clock: stack a sends
 * through a {@link NarrowPath} router whose far side is narrower than a's link; TCP must learn
 * the narrower MTU from the router's errors, cut its segments, resend what was lost at once, and
 * deliver every byte; errors that do not match a connection's state are ignored and counted
 * (RFC 5927).
 */
class PathMtuDiscoveryTest {
    static final long SECOND = 1_000_000_000L;
    static final Ipv6Address B4 = Ipv6Address.v4Mapped(Ipv4Address.parseBits("10.0.0.2"));
    static final Ipv6Address B6 = Ipv6Address.parse("fd00::2");

    final EventLoop loop = EventLoop.virtual();
    final VirtualSwitch lan = new VirtualSwitch();
    final TestPort portA = new TestPort(lan.newPort("a"));
    final TestPort portB = new TestPort(lan.newPort("b"));
    final NarrowPath router = new NarrowPath(portA, 1000, 1280);
    final NetStack a = stack("a", 1, portA);
    final NetStack b = stack("b", 2, portB);
    final ByteArrayOutputStream received = new ByteArrayOutputStream();
    boolean eof;

    PathMtuDiscoveryTest() {
        assertThat(loop.runUntil(() -> settled(a) && settled(b), 10 * SECOND)).isTrue();
        b.tcp().listen(80, l -> l.accept().setHandler(new TcpHandler() {
            final byte[] buf = new byte[65536];

            @Override
            public void onReceive(TcpConnection c) {
                int n;
                while ((n = c.read(buf, 0, buf.length)) > 0) {
                    received.write(buf, 0, n);
                }
            }

            @Override
            public void onEndOfInput(TcpConnection c) {
                onReceive(c);
                eof = true;
                c.close();
            }
        }));
    }

    @AfterEach
    void close() {
        loop.close();
    }

    NetStack stack(String name, int n, TestPort port) {
        StackConfig cfg = StackConfig.defaults().toBuilder().ipv6Address("fd00::" + n + "/64").build();
        return NetStack.builder(loop).name(name).device(port).address("10.0.0." + n + "/24").config(cfg).seed(n).build();
    }

    static boolean settled(NetStack s) {
        return !s.ipv6Addresses().isEmpty() && s.ipv6Addresses().stream().noneMatch(i -> i.state() == AddressState.TENTATIVE);
    }

    /** A connection from a to b:80 that writes whatever {@link #send} queues. */
    final class Writer implements TcpHandler {
        TcpConnection c;
        byte[] data = new byte[0];
        int sent;
        boolean closeWhenDone;

        Writer(Ipv6Address to) {
            this(to, a.tcp().config());
        }

        Writer(Ipv6Address to, TcpConfig config) {
            c = a.tcp().connect(0, to, 80, config, this);
            assertThat(loop.runUntil(() -> c.state() == TcpState.ESTABLISHED, 5 * SECOND)).isTrue();
        }

        void send(byte[] more, boolean close) {
            data = more;
            sent = 0;
            closeWhenDone = close;
            onSent(c, 0);
        }

        @Override
        public void onSent(TcpConnection c, int bytes) {
            while (sent < data.length) {
                int n = c.write(data, sent, data.length - sent);
                if (n <= 0) {
                    return;
                }
                sent += n;
            }
            if (closeWhenDone) {
                closeWhenDone = false;
                c.close();
            }
        }
    }

    static byte[] random(int n, long seed) {
        byte[] d = new byte[n];
        new Random(seed).nextBytes(d);
        return d;
    }

    long count(NetStack s, String name) {
        return s.counters().get(name);
    }

    @Test
    void tcpOverIpv4FollowsAFragmentationNeededDownAndAgesBackUp() {
        Writer w = new Writer(B4);
        assertThat(w.c.info().mss()).as("the link's MSS: 1500 - 40, less 12 of timestamps").isEqualTo(1448);
        byte[] first = random(1_000_000, 1);
        w.send(first, false);
        assertThat(loop.runUntil(() -> received.size() == first.length, 120 * SECOND)).isTrue();
        assertThat(received.toByteArray()).isEqualTo(first);
        assertThat(router.fragNeededSent).as("the router reported its narrower link").isPositive();
        assertThat(router.droppedSilently).as("every segment carried DF").isZero();
        assertThat(a.ipv4().mtuFor(Ipv4Address.parseBits("10.0.0.2"))).isEqualTo(1000);
        assertThat(w.c.info().mss()).as("1000 - 40 - 12").isEqualTo(948);
        assertThat(count(a, "tcp.pmtu.mss_lowered")).isEqualTo(1);
        assertThat(count(a, "ip.pmtu.lowered")).isEqualTo(1);
        assertThat(count(a, "tcp.timeouts")).as("the lost flight was resent at once, not after a timeout").isZero();

        // The far side widens; after 10 minutes the estimate ages back and segments grow again (RFC 1191 §6.3).
        router.mtu4 = 1500;
        loop.runFor(11 * 60 * SECOND);
        byte[] second = random(300_000, 2);
        w.send(second, true);
        assertThat(loop.runUntil(() -> eof, 120 * SECOND)).isTrue();
        assertThat(received.size()).isEqualTo(first.length + second.length);
        assertThat(w.c.info().mss()).isEqualTo(1448);
        assertThat(count(a, "tcp.pmtu.mss_raised")).isEqualTo(1);
        assertThat(count(a, "ip.pmtu.expired")).isEqualTo(1);
    }

    @Test
    void tcpOverIpv6FollowsAPacketTooBig() {
        router.mtu6 = 1300;
        Writer w = new Writer(B6);
        assertThat(w.c.info().mss()).isEqualTo(1428);
        byte[] data = random(2_000_000, 3);
        w.send(data, true);
        assertThat(loop.runUntil(() -> eof, 120 * SECOND)).isTrue();
        assertThat(received.toByteArray()).isEqualTo(data);
        assertThat(router.tooBigSent).isPositive();
        assertThat(a.ipv6().mtuFor(B6.hi(), B6.lo())).isEqualTo(1300);
        assertThat(w.c.info().mss()).as("1300 - 60 - 12").isEqualTo(1228);
        assertThat(count(a, "tcp.pmtu.mss_lowered")).isEqualTo(1);
        assertThat(count(a, "ip6.frag.tx")).as("segments were cut, not fragmented").isZero();
        assertThat(count(a, "tcp.timeouts")).isZero();
    }

    @Test
    void aNewConnectionStartsWithTheLearnedPathMtu() {
        Writer w = new Writer(B4);
        w.send(random(100_000, 4), true);
        assertThat(loop.runUntil(() -> eof, 60 * SECOND)).isTrue();
        Writer again = new Writer(B4);
        assertThat(again.c.info().mss()).isEqualTo(948);
    }

    @Test
    void withPathMtuDiscoveryOffSegmentsGoWithoutDf() {
        router.mtu4 = 1500;
        Writer w = new Writer(B4, TcpConfig.defaults().toBuilder().pathMtuDiscovery(false).build());
        byte[] data = random(200_000, 10);
        w.send(data, true);
        assertThat(loop.runUntil(() -> eof, 60 * SECOND)).isTrue();
        byte[] sent = router.lastTcpData;
        assertThat(Bytes.u16(sent, 20) & 0x4000).as("DF").isZero();
        // A router would have fragmented such a datagram: a "fragmentation needed" about it is forged.
        inject(NarrowPath.fragmentationNeeded(sent, 600));
        assertThat(count(a, "icmp.rx.frag_needed_without_df")).isEqualTo(1);
        assertThat(a.ipv4().pathMtu().size()).isZero();
        assertThat(received.toByteArray()).isEqualTo(data);
    }

    @Test
    void anInterfaceMtuLoweredMidConnectionIsFollowed() {
        router.mtu4 = 1500;
        Writer w = new Writer(B4);
        a.ipv4().setMtu(a.iface(), 1000);
        byte[] data = random(500_000, 9);
        w.send(data, true);
        assertThat(loop.runUntil(() -> eof, 120 * SECOND)).isTrue();
        assertThat(received.toByteArray()).isEqualTo(data);
        assertThat(count(a, "ip.tx.drop.too_big_df")).as("the first segments did not fit").isPositive();
        assertThat(w.c.info().mss()).isEqualTo(948);
        assertThat(count(a, "tcp.timeouts")).isZero();
    }

    /**
     * Puts data in flight on {@code w} that b never acknowledges (b's TCP segments are dropped; the
     * router passes everything) and returns a data segment a sent, as a router would quote it.
     */
    byte[] stalledSegment(Writer w) {
        portB.txFilter = f -> !(Bytes.u16(f, 12) == 0x0800 && f[23] == 6 || Bytes.u16(f, 12) == 0x86DD && f[20] == 6);
        router.mtu4 = 1500;
        router.mtu6 = 1500;
        w.send(random(20_000, 5), false);
        loop.runFor(SECOND / 10);
        assertThat(router.lastTcpData).isNotNull();
        return router.lastTcpData;
    }

    @Test
    void forgedFragmentationNeededIsIgnoredAndCounted() {
        Writer w = new Writer(B4);
        byte[] sent = stalledSegment(w);

        // A sequence number a has not sent (RFC 5927 §5.1): a blind attacker's guess.
        inject(NarrowPath.fragmentationNeeded(NarrowPath.withSequenceShifted(sent, 10_000_000), 600));
        // A connection a does not have (another source port).
        byte[] otherPort = sent.clone();
        Bytes.putU16(otherPort, 34, Bytes.u16(sent, 34) ^ 0x1111);
        inject(NarrowPath.fragmentationNeeded(otherPort, 600));
        // A datagram a never sent: the quoted source is not a's address.
        byte[] notOurs = sent.clone();
        Bytes.putI32(notOurs, 14 + 12, Ipv4Address.parseBits("10.0.0.77"));
        inject(NarrowPath.fragmentationNeeded(notOurs, 600, Ipv4Address.parseBits("10.0.0.1")));
        // A datagram without DF: a router would have fragmented it.
        byte[] noDf = sent.clone();
        Bytes.putU16(noDf, 20, 0);
        inject(NarrowPath.fragmentationNeeded(noDf, 600));

        assertThat(count(a, "tcp.icmp.bad_sequence")).isEqualTo(1);
        assertThat(count(a, "tcp.icmp.no_connection")).isEqualTo(1);
        assertThat(count(a, "icmp.rx.errors_not_about_ours")).isEqualTo(1);
        assertThat(count(a, "icmp.rx.frag_needed_without_df")).isEqualTo(1);
        assertThat(a.ipv4().pathMtu().size()).isZero();
        assertThat(w.c.info().mss()).isEqualTo(1448);

        // A valid report of a tiny MTU is held to the 576-byte floor (RFC 5927 §7).
        inject(NarrowPath.fragmentationNeeded(sent, 68));
        assertThat(count(a, "ip.pmtu.clamped_to_floor")).isEqualTo(1);
        assertThat(a.ipv4().mtuFor(Ipv4Address.parseBits("10.0.0.2"))).isEqualTo(576);
        assertThat(w.c.info().mss()).as("576 - 40 - 12").isEqualTo(524);
    }

    @Test
    void forgedPacketTooBigIsIgnoredAndCounted() {
        Writer w = new Writer(B6);
        byte[] sent = stalledSegment(w);

        inject(NarrowPath.packetTooBig(NarrowPath.withSequenceShifted(sent, -10_000_000), 1300));
        byte[] otherPort = sent.clone();
        Bytes.putU16(otherPort, 54 + 2, 81);
        inject(NarrowPath.packetTooBig(otherPort, 1300));
        assertThat(count(a, "tcp.icmp.bad_sequence")).isEqualTo(1);
        assertThat(count(a, "tcp.icmp.no_connection")).isEqualTo(1);
        assertThat(a.ipv6().pathMtu().size()).isZero();
        assertThat(w.c.info().mss()).isEqualTo(1428);

        inject(NarrowPath.packetTooBig(sent, 600));
        assertThat(a.ipv6().mtuFor(B6.hi(), B6.lo())).as("never below 1280 (RFC 8201 §4)").isEqualTo(1280);
        assertThat(w.c.info().mss()).isEqualTo(1280 - 60 - 12);
    }

    @Test
    void aFloodOfFragmentationNeededForRandomDestinationsHoldsNothing() {
        Writer w = new Writer(B4);
        byte[] sent = stalledSegment(w);
        Random r = new Random(8);
        for (int i = 0; i < 5000; i++) {
            byte[] q = sent.clone();
            Bytes.putI32(q, 14 + 16, r.nextInt()); // the quoted destination
            portA.injectReceived(NarrowPath.fragmentationNeeded(q, 600 + r.nextInt(800)));
            if (i % 100 == 0) {
                loop.runPending();
            }
        }
        loop.runPending();
        assertThat(count(a, "icmp.rx.frag_needed")).isEqualTo(5000);
        assertThat(count(a, "tcp.icmp.no_connection")).isEqualTo(5000);
        assertThat(a.ipv4().pathMtu().size()).isZero();
        assertThat(w.c.info().mss()).isEqualTo(1448);
    }

    void inject(byte[] frame) {
        portA.injectReceived(frame);
        loop.runPending();
    }
}
