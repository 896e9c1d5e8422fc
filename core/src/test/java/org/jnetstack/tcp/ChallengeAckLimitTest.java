package org.jnetstack.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jnetstack.testing.Nanos.SECOND;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jnetstack.NetStack;
import org.jnetstack.link.VirtualWire;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.wire.EthernetFrame;
import org.jnetstack.wire.Ipv4Address;
import org.jnetstack.wire.Ipv4Header;
import org.jnetstack.wire.Ipv4Packet;
import org.jnetstack.wire.TcpHeader;
import org.jnetstack.wire.TcpSegment;
import org.junit.jupiter.api.Test;

/**
 * Challenge ACKs (RFC 5961 §7) are limited per connection and by a global budget drawn at random
 * each second (as Linux since 4.7), so that an off-path attacker cannot count the budget another
 * connection used (CVE-2016-5696). Both limits are counted.
 */
class ChallengeAckLimitTest {
    static final int A = Ipv4Address.parseBits("10.0.0.1");
    static final int B = Ipv4Address.parseBits("10.0.0.2");

    final EventLoop loop = EventLoop.virtual();
    final VirtualWire wire = new VirtualWire();
    NetStack a;
    NetStack b;
    final List<TcpConnection> servers = new ArrayList<>();
    final List<TcpConnection> clients = new ArrayList<>();

    void establish(TcpConfig serverConfig, int connections) {
        a = NetStack.builder(loop).name("a").device(wire.a()).address("10.0.0.1/24").seed(1).build();
        b = NetStack.builder(loop).name("b").device(wire.b()).address("10.0.0.2/24").seed(2).tcpConfig(serverConfig).build();
        b.tcp().listen(80, l -> {
            TcpConnection c;
            while ((c = l.accept()) != null) {
                servers.add(c);
            }
        });
        for (int i = 0; i < connections; i++) {
            clients.add(a.tcp().connect(B, 80, new TcpHandler() { }));
        }
        loop.runUntil(() -> servers.size() == connections, 2 * SECOND);
        loop.runFor(100_000_000L);
        servers.sort((x, y) -> Integer.compare(x.remotePort(), y.remotePort()));
        clients.sort((x, y) -> Integer.compare(x.localPort(), y.localPort()));
    }

    /** An in-window RST that is not exact, forged "from the client" of connection {@code i}. */
    void forgeInWindowReset(int i) {
        TcpConnection server = servers.get(i);
        byte[] f = new byte[14 + 20 + 20];
        TcpSegment.write(f, 34, new TcpHeader().ports(server.remotePort(), 80)
                .segment(server.rcvNxtForTest() + 100, 0, TcpSegment.RST, 1000), 0, A, B);
        Ipv4Packet.writeHeader(f, 14, new Ipv4Header().tos(0).totalLength(40)
                .identification(99).flagsAndOffset(0)
                .ttl(64).protocol(Ipv4Packet.PROTO_TCP).addresses(A, B));
        EthernetFrame.write(f, 0, wire.b().mac().bits(), wire.a().mac().bits(), EthernetFrame.TYPE_IPV4);
        wire.a().send(f, 0, f.length);
        loop.runPending();
    }

    long count(String name) {
        return b.counters().get(name);
    }

    @Test
    void oneConnectionDrawsAtMostOneChallengeAckPerInterval() {
        establish(TcpConfig.defaults(), 1);
        for (int i = 0; i < 10; i++) {
            forgeInWindowReset(0);
        }
        assertThat(count("tcp.challenge_acks")).isEqualTo(1);
        assertThat(count("tcp.challenge_acks_limited_per_connection")).isEqualTo(9);
        assertThat(count("tcp.challenge_acks_limited_global")).isZero();
        loop.runFor(TcpConfig.defaults().challengeAckInterval().toNanos());
        forgeInWindowReset(0);
        assertThat(count("tcp.challenge_acks")).as("a new interval").isEqualTo(2);
        assertThat(servers.get(0).state()).isEqualTo(TcpState.ESTABLISHED);
    }

    @Test
    void eachConnectionHasItsOwnInterval() {
        establish(TcpConfig.defaults(), 3);
        for (int i = 0; i < 3; i++) {
            forgeInWindowReset(i);
            forgeInWindowReset(i);
        }
        assertThat(count("tcp.challenge_acks")).isEqualTo(3);
        assertThat(count("tcp.challenge_acks_limited_per_connection")).isEqualTo(3);
    }

    @Test
    void theGlobalBudgetIsDrawnAtRandomEachSecond() {
        int rate = 8;
        int conns = 24;
        establish(TcpConfig.defaults().toBuilder().challengeAckRate(rate).challengeAckInterval(Duration.ZERO).build(), conns);
        Set<Long> budgets = new HashSet<>();
        long sentBefore = 0;
        for (int second = 0; second < 12; second++) {
            loop.runFor(SECOND - loop.clock().nanos() % SECOND); // the start of a second
            for (int i = 0; i < conns; i++) {
                forgeInWindowReset(i);
            }
            long sent = count("tcp.challenge_acks") - sentBefore;
            sentBefore = count("tcp.challenge_acks");
            // Half to one and a half times the rate; never the whole burst of 24.
            assertThat(sent).isBetween((long) rate / 2, (long) rate * 3 / 2 - 1);
            budgets.add(sent);
        }
        assertThat(budgets).as("a fixed budget could be counted by an attacker").hasSizeGreaterThan(2);
        assertThat(count("tcp.challenge_acks") + count("tcp.challenge_acks_limited_global")).isEqualTo(12L * conns);
        assertThat(count("tcp.challenge_acks_limited_per_connection")).isZero();
        for (TcpConnection s : servers) {
            assertThat(s.state()).isEqualTo(TcpState.ESTABLISHED);
        }
    }

    @Test
    void outOfWindowAcksWithoutDataAreLimitedPerConnectionButDataIsAlwaysAcknowledged() {
        establish(TcpConfig.defaults(), 1);
        TcpConnection server = servers.get(0);
        long acksBefore = a.counters().get("tcp.rx.segments");
        for (int i = 0; i < 5; i++) {
            forgeOutOfWindow(server, 0);
        }
        assertThat(count("tcp.out_of_window_acks_limited")).isEqualTo(4);
        for (int i = 0; i < 3; i++) {
            forgeOutOfWindow(server, 10);
        }
        assertThat(count("tcp.out_of_window_acks_limited")).isEqualTo(4);
        loop.runPending();
        assertThat(a.counters().get("tcp.rx.segments") - acksBefore).as("1 + 3 ACKs reached the client").isEqualTo(4);
    }

    void forgeOutOfWindow(TcpConnection server, int payload) {
        byte[] f = new byte[14 + 20 + 20 + payload];
        TcpSegment.write(f, 34, new TcpHeader().ports(server.remotePort(), 80)
                .segment(server.rcvNxtForTest() - 100_000, server.sndNxtForTest(), TcpSegment.ACK, 1000), payload, A, B);
        Ipv4Packet.writeHeader(f, 14, new Ipv4Header().tos(0).totalLength(40 + payload)
                .identification(99).flagsAndOffset(0)
                .ttl(64).protocol(Ipv4Packet.PROTO_TCP).addresses(A, B));
        EthernetFrame.write(f, 0, wire.b().mac().bits(), wire.a().mac().bits(), EthernetFrame.TYPE_IPV4);
        wire.a().send(f, 0, f.length);
        loop.runPending();
    }
}
