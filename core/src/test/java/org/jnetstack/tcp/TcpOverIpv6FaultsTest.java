package org.jnetstack.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Random;
import org.jnetstack.NetStack;
import org.jnetstack.config.StackConfig;
import org.jnetstack.ip6.AddressState;
import org.jnetstack.link.FaultInjector;
import org.jnetstack.link.FaultProfile;
import org.jnetstack.link.LinkDevice;
import org.jnetstack.link.VirtualSwitch;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.testing.TcpExchange;
import org.jnetstack.testing.TestPort;
import org.jnetstack.wire.Ipv6Address;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * TCP over IPv6 both ways at once on a wire that loses, reorders and duplicates frames (seeded,
 * virtual clock), through a router whose far side is narrower than the link (its Packet Too Big
 * messages may come back to a lost segment's retransmission or not at all): every byte arrives
 * exactly and both directions end.
 */
class TcpOverIpv6FaultsTest {
    static final long SECOND = 1_000_000_000L;
    final EventLoop loop = EventLoop.virtual();
    final VirtualSwitch lan = new VirtualSwitch();

    @AfterEach
    void close() {
        loop.close();
    }

    NetStack stack(String name, int n, long seed, LinkDevice port) {
        FaultProfile faults = FaultProfile.builder().loss(0.03).duplication(0.01).reordering(0.02, Duration.ofMillis(3)).build();
        LinkDevice faulty = FaultInjector.builder().seed(seed).tx(faults).wrap(port);
        StackConfig cfg = StackConfig.defaults().toBuilder().ipv6Address("fd00::" + n + "/64").build();
        return NetStack.builder(loop).name(name).device(faulty).address("10.0.0." + n + "/24").config(cfg).seed(seed).build();
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void bothWaysByteExactUnderLossReorderingAndDuplication(long seed) {
        TestPort portA = new TestPort(lan.newPort("a"));
        NarrowPath router = new NarrowPath(portA, 1500, 1400);
        NetStack a = stack("a", 1, seed * 10 + 1, portA);
        NetStack b = stack("b", 2, seed * 10 + 2, lan.newPort("b"));
        assertThat(loop.runUntil(() -> settled(a) && settled(b), 30 * SECOND)).isTrue();
        Random r = new Random(seed);
        byte[] up = new byte[1_500_000];
        byte[] down = new byte[1_000_000];
        r.nextBytes(up);
        r.nextBytes(down);
        TcpExchange server = new TcpExchange(down);
        b.tcp().listen(80, l -> {
            TcpConnection c = l.accept();
            c.setHandler(server);
            server.onConnected(c);
        });
        TcpExchange client = new TcpExchange(up);
        a.tcp().connect(Ipv6Address.parse("fd00::2"), 80, client);
        assertThat(loop.runUntil(() -> client.eof && server.eof, 1200 * SECOND)).as("both directions end").isTrue();
        assertThat(server.got.toByteArray()).isEqualTo(up);
        assertThat(client.got.toByteArray()).isEqualTo(down);
        assertThat(a.counters().get("tcp.retransmitted_segments") + b.counters().get("tcp.retransmitted_segments"))
                .as("losses were repaired").isPositive();
        assertThat(a.counters().get("ip.tx.packets")).as("all over IPv6").isZero();
        assertThat(router.tooBigSent).isPositive();
        assertThat(a.counters().get("tcp.pmtu.mss_lowered")).as("a's segments were cut to the path").isEqualTo(1);
    }

    static boolean settled(NetStack s) {
        return !s.ipv6Addresses().isEmpty() && s.ipv6Addresses().stream().noneMatch(i -> i.state() == AddressState.TENTATIVE);
    }
}
