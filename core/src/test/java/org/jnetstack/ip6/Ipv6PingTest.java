package org.jnetstack.ip6;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.jnetstack.NetStack;
import org.jnetstack.config.StackConfig;
import org.jnetstack.link.VirtualSwitch;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.testing.TestPort;
import org.jnetstack.wire.Ipv6Address;
import org.junit.jupiter.api.Test;

/** Two stacks on a virtual switch with a virtual clock and seeded secrets: addresses, NDP and ICMPv6 echo. */
class Ipv6PingTest {
    static final long SECOND = 1_000_000_000L;
    final EventLoop loop = EventLoop.virtual();
    final VirtualSwitch lan = new VirtualSwitch();
    final TestPort portA = new TestPort(lan.newPort("a"));
    final TestPort portB = new TestPort(lan.newPort("b"));
    final NetStack a = stack("a", portA, 1, "fd00::1/64");
    final NetStack b = stack("b", portB, 2, "fd00::2/64");

    NetStack stack(String name, TestPort port, long seed, String address) {
        StackConfig cfg = StackConfig.defaults().toBuilder().ipv6Address(address).build();
        return NetStack.builder(loop).name(name).device(port).address("10.0.0." + seed + "/24").config(cfg).seed(seed).build();
    }

    static Ipv6Address linkLocal(NetStack s) {
        return s.ipv6Addresses().stream().filter(i -> i.origin() == AddressOrigin.LINK_LOCAL && i.state() == AddressState.PREFERRED)
                .findFirst().orElseThrow().address();
    }

    boolean allPreferred(NetStack... stacks) {
        for (NetStack s : stacks) {
            if (s.ipv6Addresses().stream().anyMatch(i -> i.state() == AddressState.TENTATIVE)) {
                return false;
            }
        }
        return true;
    }

    void settle() {
        assertThat(loop.runUntil(() -> allPreferred(a, b), 10 * SECOND)).as("duplicate address detection ends").isTrue();
    }

    @Test
    void linkLocalAddressesPassDetectionAndPingEachOther() {
        settle();
        Ipv6Address llA = linkLocal(a);
        Ipv6Address llB = linkLocal(b);
        assertThat(Ipv6Address.isLinkLocal(llA.hi())).isTrue();
        assertThat(llA.hi()).isEqualTo(Ipv6Address.LINK_LOCAL_HI);
        assertThat(llA).isNotEqualTo(llB);
        assertThat(a.counters().get("nd.dad.passed")).isEqualTo(2); // link-local and static
        List<String> out = new ArrayList<>();
        a.ping6(llB, 7, 1, 56, java.time.Duration.ofSeconds(2), listener(out));
        assertThat(loop.runUntil(() -> !out.isEmpty(), 5 * SECOND)).isTrue();
        assertThat(out).containsExactly("reply 1 from " + llB + " hops 64 bytes 64");
        // a resolved b (solicited advertisement: REACHABLE); b learnt a from the solicitation (STALE, then DELAY once used)
        assertThat(a.ipv6().interfaces().get(0).neighbors().lookup(llB.hi(), llB.lo())).isEqualTo(portB.mac().bits());
        assertThat(a.ipv6().interfaces().get(0).neighbors().state(llB.hi(), llB.lo())).isEqualTo(NeighborState.REACHABLE);
        assertThat(b.ipv6().interfaces().get(0).neighbors().lookup(llA.hi(), llA.lo())).isEqualTo(portA.mac().bits());
        assertThat(b.counters().get("icmp6.tx.echo_replies")).isEqualTo(1);
    }

    @Test
    void staticAddressesPingEachOtherFromTheMatchingSource() {
        settle();
        List<String> out = new ArrayList<>();
        List<String> sources = new ArrayList<>();
        portA.txFilter = f -> {
            if (f.length > 54 && (f[12] & 0xFF) == 0x86 && (f[13] & 0xFF) == 0xDD && (f[54] & 0xFF) == 128) {
                sources.add(Ipv6Address.format(Ipv6Address.readHi(f, 22), Ipv6Address.readLo(f, 22)));
            }
            return true;
        };
        a.ping6(Ipv6Address.parse("fd00::2"), 7, 1, 1000, java.time.Duration.ofSeconds(2), listener(out));
        assertThat(loop.runUntil(() -> !out.isEmpty(), 5 * SECOND)).isTrue();
        assertThat(out).containsExactly("reply 1 from fd00::2 hops 64 bytes 1008");
        assertThat(sources).as("RFC 6724 rule 2/8: the ULA, not the link-local address").containsExactly("fd00::1");
    }

    @Test
    void pingToOurOwnAddressIsLoopedBack() {
        settle();
        List<String> out = new ArrayList<>();
        a.ping6(Ipv6Address.parse("fd00::1"), 7, 1, 8, java.time.Duration.ofSeconds(2), listener(out));
        assertThat(loop.runUntil(() -> !out.isEmpty(), 5 * SECOND)).isTrue();
        assertThat(out).containsExactly("reply 1 from fd00::1 hops 64 bytes 16");
        assertThat(a.counters().get("ip6.tx.loopback")).isEqualTo(2);
    }

    @Test
    void unresolvableNeighbourFailsAfterThreeSolicitationsAndDropsWhatWaited() {
        settle();
        long nsBefore = a.counters().get("nd.tx.neighbor_solicitations");
        List<String> out = new ArrayList<>();
        long start = loop.clock().nanos();
        for (int seq = 1; seq <= 3; seq++) {
            a.ping6(Ipv6Address.parse("fd00::99"), 7, seq, 56, java.time.Duration.ofSeconds(60), listener(out));
        }
        assertThat(loop.runUntil(() -> out.size() == 3, 60 * SECOND)).isTrue();
        assertThat(out).containsExactly("fail 1 from fd00::1: Destination unreachable: Address unreachable",
                "fail 2 from fd00::1: Destination unreachable: Address unreachable",
                "fail 3 from fd00::1: Destination unreachable: Address unreachable");
        // RFC 4861 §7.2.2: MAX_MULTICAST_SOLICIT (3) solicitations RETRANS_TIMER (1 s) apart, then failure.
        assertThat(a.counters().get("nd.tx.neighbor_solicitations") - nsBefore).isEqualTo(3);
        assertThat(loop.clock().nanos() - start).isEqualTo(3 * SECOND);
        assertThat(a.counters().get("nd.resolve.failed")).isEqualTo(1);
        assertThat(a.counters().get("nd.queue.drop.unresolved")).isEqualTo(3);
        assertThat(a.ipv6().interfaces().get(0).neighbors().size()).isZero();
        assertThat(a.ipv6().interfaces().get(0).neighbors().heldBytes()).isZero();
    }

    @Test
    void secondStackWithTheSameStaticAddressMarksItDuplicate() {
        settle();
        TestPort portC = new TestPort(lan.newPort("c"));
        NetStack c = stack("c", portC, 3, "fd00::2/64");
        assertThat(loop.runUntil(() -> allPreferred(c), 10 * SECOND)).isTrue();
        assertThat(c.ipv6Addresses()).filteredOn(i -> i.origin() == AddressOrigin.STATIC)
                .singleElement().satisfies(i -> assertThat(i.state()).isEqualTo(AddressState.DUPLICATE));
        assertThat(c.counters().get("nd.dad.duplicates")).isEqualTo(1);
        assertThat(b.ipv6Addresses()).filteredOn(i -> i.origin() == AddressOrigin.STATIC)
                .singleElement().satisfies(i -> assertThat(i.state()).isEqualTo(AddressState.PREFERRED));
        // c never uses the duplicate: a ping from c to a goes out from nowhere but its link-local address
        List<String> out = new ArrayList<>();
        c.ping6(Ipv6Address.parse("fd00::1"), 9, 1, 8, java.time.Duration.ofSeconds(2), listener(out));
        loop.runUntil(() -> !out.isEmpty(), 5 * SECOND);
        assertThat(out).singleElement().asString().doesNotContain("fd00::2");
    }

    @Test
    void linkLocalIdentifierIsStableForASeedAndDiffersBetweenStacks() {
        settle();
        EventLoop other = EventLoop.virtual();
        VirtualSwitch lan2 = new VirtualSwitch();
        NetStack again = NetStack.builder(other).name("a2").device(lan2.newPort("a2")).mac(portA.mac()).seed(1).build();
        other.runUntil(() -> !again.ipv6Addresses().isEmpty() && again.ipv6Addresses().get(0).state() == AddressState.PREFERRED,
                10 * SECOND);
        assertThat(linkLocal(again)).isEqualTo(linkLocal(a));
        assertThat(linkLocal(a).lo()).isNotEqualTo(linkLocal(b).lo());
        // RFC 7217: not derived from the MAC (no ff:fe in the middle as in modified EUI-64)
        assertThat((linkLocal(a).lo() >>> 24) & 0xFFFF).isNotEqualTo(0xFFFE);
    }

    static Ping6Listener listener(List<String> out) {
        return new Ping6Listener() {
            @Override
            public void onReply(int seq, long fromHi, long fromLo, int hops, int bytes, long rtt) {
                out.add("reply " + seq + " from " + Ipv6Address.format(fromHi, fromLo) + " hops " + hops + " bytes " + bytes);
            }

            @Override
            public void onFailure(int seq, long fromHi, long fromLo, String reason) {
                out.add("fail " + seq + " from " + Ipv6Address.format(fromHi, fromLo) + ": " + reason);
            }
        };
    }
}
