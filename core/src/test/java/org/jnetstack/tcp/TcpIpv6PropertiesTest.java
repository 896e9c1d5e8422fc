package org.jnetstack.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.jnetstack.NetStack;
import org.jnetstack.config.StackConfig;
import org.jnetstack.link.FaultInjector;
import org.jnetstack.link.FaultProfile;
import org.jnetstack.link.VirtualWire;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.testing.TestPort;
import org.jnetstack.wire.Ipv6Address;

/**
 * {@link TcpPropertiesTest}'s simulation over IPv6, behind a router whose far side has a random
 * MTU between 1280 and 1500 (its Packet Too Big messages cross the faulty wire too): every byte
 * arrives exactly once and in order both ways, nothing hangs, both ends finish. Loss stays
 * lower than in the IPv4 property: neighbour discovery has no static entries to lean on, and three
 * lost solicitations in a row would rightly fail the connect.
 */
class TcpIpv6PropertiesTest {
    static final Ipv6Address B = Ipv6Address.parse("fd00::2");

    @Property(tries = 100, seed = "20261207", edgeCases = net.jqwik.api.EdgeCasesMode.NONE)
    void bothDirectionsArriveExactlyOnceUnderFaultsAndANarrowerPath(
            @ForAll @LongRange(min = 1, max = 1L << 40) long seed,
            @ForAll @DoubleRange(min = 0, max = 0.05) double loss,
            @ForAll @DoubleRange(min = 0, max = 0.05) double duplication,
            @ForAll @DoubleRange(min = 0, max = 0.1) double reordering,
            @ForAll @DoubleRange(min = 0, max = 0.01) double corruption,
            @ForAll @IntRange(min = 1280, max = 1500) int pathMtu,
            @ForAll @IntRange(min = 0, max = 200_000) int sizeA,
            @ForAll @IntRange(min = 0, max = 200_000) int sizeB) {
        EventLoop loop = EventLoop.virtual();
        VirtualWire wire = new VirtualWire();
        TestPort portA = new TestPort(wire.a());
        NarrowPath router = new NarrowPath(portA, 1500, pathMtu);
        FaultProfile faults = FaultProfile.builder().loss(loss).duplication(duplication)
                .reordering(reordering, Duration.ofMillis(3)).corruption(corruption)
                .delay(Duration.ofMillis(2), Duration.ofMillis(1)).build();
        SplittableRandom cr = new SplittableRandom(seed ^ 0x5DEECE66DL);
        TcpConfig cfg = TcpConfig.defaults().withBuffers(1024 + cr.nextInt(200_000), 1024 + cr.nextInt(200_000))
                .toBuilder().congestionControl(cr.nextBoolean() ? "cubic" : "newreno").nagle(cr.nextBoolean()).build();
        StackConfig sa = StackConfig.defaults().toBuilder().ipv6Address("fd00::1/64").dadTransmits(0).build();
        StackConfig sb = StackConfig.defaults().toBuilder().ipv6Address("fd00::2/64").dadTransmits(0).build();
        NetStack a = NetStack.builder(loop).name("a").device(FaultInjector.builder().seed(seed).both(faults).wrap(portA))
                .address("10.0.0.1/24").config(sa).seed(seed).tcpConfig(cfg).build();
        NetStack b = NetStack.builder(loop).name("b").device(wire.b()).address("10.0.0.2/24").config(sb).seed(seed + 1)
                .tcpConfig(cfg).build();
        TcpPropertiesTest.Peer server = new TcpPropertiesTest.Peer(loop, seed + 2, sizeB);
        TcpPropertiesTest.Peer client = new TcpPropertiesTest.Peer(loop, seed + 3, sizeA);
        b.tcp().listen(80, l -> {
            TcpConnection c = l.accept();
            c.setHandler(server);
            server.attach(c);
        });
        TcpConnection conn = a.tcp().connect(B, 80, client);
        boolean done = loop.runUntil(() -> client.eof && server.eof && conn.state() != TcpState.ESTABLISHED
                && server.conn != null && finished(server.conn.state()) && finished(conn.state()),
                Duration.ofHours(2).toNanos());
        assertThat(client.error).as("client error").isNull();
        assertThat(server.error).as("server error").isNull();
        assertThat(done).as("finished: client %s, server %s", conn.info(), server.conn == null ? null : server.conn.info()).isTrue();
        assertThat(server.in.toByteArray()).isEqualTo(client.out);
        assertThat(client.in.toByteArray()).isEqualTo(server.out);
        if (router.tooBigSent > 0 && a.counters().get("tcp.icmp.path_mtu_reports") > 0) {
            assertThat(a.ipv6().mtuFor(B.hi(), B.lo())).isEqualTo(pathMtu);
        }
        loop.runFor(Duration.ofMinutes(3).toNanos()); // past TIME_WAIT
        assertThat(a.tcp().connections()).isEmpty();
        assertThat(b.tcp().connections()).isEmpty();
        assertThat(loop.counters().get("loop.errors")).isZero();
    }

    private static boolean finished(TcpState s) {
        return s == TcpState.CLOSED || s == TcpState.TIME_WAIT;
    }
}
