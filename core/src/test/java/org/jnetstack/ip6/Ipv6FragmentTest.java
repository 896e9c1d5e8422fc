package org.jnetstack.ip6;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jnetstack.NetStack;
import org.jnetstack.config.StackConfig;
import org.jnetstack.link.FaultInjector;
import org.jnetstack.link.FaultProfile;
import org.jnetstack.link.VirtualSwitch;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.testing.TestPort;
import org.jnetstack.wire.Ipv6Address;
import org.jnetstack.wire.Ipv6Extensions;
import org.jnetstack.wire.Ipv6Packet;
import org.junit.jupiter.api.Test;

/** Fragmentation and reassembly (RFC 8200 §4.5, RFC 5722, RFC 6946) between two stacks, on virtual time. */
class Ipv6FragmentTest {
    static final long SECOND = 1_000_000_000L;
    final EventLoop loop = EventLoop.virtual();
    final VirtualSwitch lan = new VirtualSwitch();

    NetStack stack(String name, org.jnetstack.link.LinkDevice dev, long seed, String address) {
        StackConfig cfg = StackConfig.defaults().toBuilder().ipv6Address(address).build();
        NetStack s = NetStack.builder(loop).name(name).device(dev).config(cfg).seed(seed).build();
        return s;
    }

    void settle(NetStack... stacks) {
        assertThat(loop.runUntil(() -> {
            for (NetStack s : stacks) {
                if (s.ipv6Addresses().stream().anyMatch(i -> i.state() == AddressState.TENTATIVE)) {
                    return false;
                }
            }
            return true;
        }, 10 * SECOND)).isTrue();
    }

    @Test
    void largePingIsFragmentedBothWaysAndReassembledUnderReorderAndDuplication() {
        for (long seed = 1; seed <= 5; seed++) {
            FaultProfile faults = FaultProfile.builder().reordering(0.3, Duration.ofMillis(2)).duplication(0.2).build();
            FaultInjector fa = FaultInjector.builder().seed(seed).tx(faults).wrap(lan.newPort("a" + seed));
            FaultInjector fb = FaultInjector.builder().seed(seed + 100).tx(faults).wrap(lan.newPort("b" + seed));
            NetStack a = stack("a", fa, 1, "fd00::" + (seed * 2 + 1) + "/64");
            NetStack b = stack("b", fb, 2, "fd00::" + (seed * 2 + 2) + "/64");
            settle(a, b);
            List<String> out = new ArrayList<>();
            // Resolve first: 18 fragments would overflow the 16 packets held for an unresolved neighbour.
            a.ping6(Ipv6Address.parse("fd00::" + (seed * 2 + 2)), 5, 99, 8, Duration.ofSeconds(5), Ipv6PingTest.listener(new ArrayList<>()));
            loop.runUntil(() -> b.counters().get("icmp6.tx.echo_replies") == 1, 5 * SECOND);
            for (int seq = 1; seq <= 3; seq++) {
                a.ping6(Ipv6Address.parse("fd00::" + (seed * 2 + 2)), 5, seq, 8000, Duration.ofSeconds(5), Ipv6PingTest.listener(out));
            }
            assertThat(loop.runUntil(() -> out.size() == 3, 20 * SECOND)).isTrue();
            assertThat(out).as("seed " + seed + "\n" + a.counters() + "\n" + b.counters()).allSatisfy(s -> assertThat(s).contains("bytes 8008"));
            // 8048 bytes in 1448-byte fragments: 6 each way per ping
            assertThat(a.counters().get("ip6.frag.tx")).isEqualTo(3 * 6);
            assertThat(b.counters().get("ip6.frag.tx")).isEqualTo(3 * 6);
            assertThat(b.counters().get("ip6.frag.reassembled")).isEqualTo(3);
            // A duplicate arriving after its datagram completed starts a new one, freed by the 60 s timeout.
            loop.runFor(61 * SECOND);
            assertThat(b.ipv6().reassembly().bytesHeld()).isZero();
            assertThat(a.ipv6().reassembly().datagramsInFlight()).isZero();
            a.close();
            b.close();
        }
    }

    /** The fragments of one 3000-byte ping from a to b, captured instead of sent. */
    List<byte[]> fragmentsOfAPing(NetStack a, TestPort portA, String dst) {
        List<byte[]> held = new ArrayList<>();
        portA.txFilter = f -> {
            if ((f[20] & 0xFF) == Ipv6Packet.NH_FRAGMENT) {
                held.add(f);
                return false;
            }
            return true;
        };
        a.ping6(Ipv6Address.parse(dst), 9, 1, 3000, Duration.ofSeconds(100), Ipv6PingTest.listener(new ArrayList<>()));
        loop.runPending();
        portA.txFilter = f -> true;
        return held;
    }

    /** Once a (fd00::1) and b (fd00::2) are settled and a has resolved b, the fragments of one 3000-byte ping from a to b. */
    List<byte[]> resolvedThenFragmentsOfAPing(NetStack a, TestPort portA, NetStack b) {
        settle(a, b);
        List<String> pre = new ArrayList<>();
        a.ping6(Ipv6Address.parse("fd00::2"), 9, 9, 8, Duration.ofSeconds(2), Ipv6PingTest.listener(pre)); // resolves b first
        loop.runUntil(() -> !pre.isEmpty(), 5 * SECOND);
        return fragmentsOfAPing(a, portA, "fd00::2");
    }

    @Test
    void overlappingFragmentDropsTheWholeDatagram() {
        TestPort portA = new TestPort(lan.newPort("a"));
        NetStack a = stack("a", portA, 1, "fd00::1/64");
        NetStack b = stack("b", lan.newPort("b"), 2, "fd00::2/64");
        List<byte[]> frags = resolvedThenFragmentsOfAPing(a, portA, b);
        assertThat(frags).hasSize(3);
        // A copy of the second fragment moved 8 bytes back overlaps the first (RFC 5722 §4).
        byte[] evil = frags.get(1).clone();
        int word = ((evil[56] & 0xFF) << 8 | (evil[57] & 0xFF));
        int offset = (word & 0xFFF8) - 8;
        evil[56] = (byte) (offset >>> 8);
        evil[57] = (byte) (offset | (word & 1));
        portA.send(frags.get(0), 0, frags.get(0).length);
        portA.send(evil, 0, evil.length);
        portA.send(frags.get(1), 0, frags.get(1).length);
        portA.send(frags.get(2), 0, frags.get(2).length);
        loop.runFor(SECOND);
        assertThat(b.counters().get("ip6.frag.drop.overlap")).isEqualTo(1);
        assertThat(b.counters().get("ip6.frag.reassembled")).isZero();
        assertThat(b.counters().get("icmp6.rx.echo_requests")).isEqualTo(1); // only the resolving ping
    }

    @Test
    void aFloodOfFirstFragmentsThatNeverCompleteHoldsOnlyWhatTheLimitsAllowAndCountsTheRest() {
        TestPort portA = new TestPort(lan.newPort("a"));
        NetStack a = stack("a", portA, 1, "fd00::1/64");
        StackConfig tight = StackConfig.defaults().toBuilder().ipv6Address("fd00::2/64")
                .reassemblyMaxDatagrams(32).reassemblyPerSource(4, 64 * 1024).build();
        NetStack b = NetStack.builder(loop).name("b").device(lan.newPort("b")).config(tight).seed(2).build();
        byte[] first = resolvedThenFragmentsOfAPing(a, portA, b).get(0);
        Ipv6Reassembly r = b.ipv6().reassembly();

        // One source, 200 packets' first fragments (each its own identification): 4 held, 196 refused.
        for (int id = 0; id < 200; id++) {
            portA.send(withIdAndSource(first, 1000 + id, 1), 0, first.length);
        }
        loop.runPending();
        assertThat(r.datagramsInFlight()).isEqualTo(4);
        assertThat(b.counters().get("ip6.frag.drop.source_limit")).isEqualTo(196);

        // 100 more sources, one packet each: the stack-wide limit of 32 holds, the rest is refused.
        for (int src = 2; src < 102; src++) {
            portA.send(withIdAndSource(first, 7, src), 0, first.length);
        }
        loop.runPending();
        assertThat(r.datagramsInFlight()).isEqualTo(32);
        assertThat(b.counters().get("ip6.frag.drop.limit")).isEqualTo(100 - (32 - 4));
        assertThat(r.bytesHeld()).isPositive().isLessThanOrEqualTo(tight.reassemblyMaxBytes());

        loop.runFor(61 * SECOND); // RFC 8200 §4.5: 60 s, then everything is let go
        assertThat(r.datagramsInFlight()).isZero();
        assertThat(r.bytesHeld()).isZero();
        assertThat(b.counters().get("ip6.frag.drop.timeout")).isEqualTo(32);
    }

    /** A copy of the fragment frame {@code f} with another fragment identification and the source fd00::1:{@code source}. */
    static byte[] withIdAndSource(byte[] f, int id, int source) {
        byte[] g = f.clone();
        int frag = 14 + Ipv6Packet.HEADER_LENGTH; // the fragment header follows the fixed header
        g[frag + 4] = (byte) (id >>> 24);
        g[frag + 5] = (byte) (id >>> 16);
        g[frag + 6] = (byte) (id >>> 8);
        g[frag + 7] = (byte) id;
        Ipv6Address src = new Ipv6Address(0xfd00_0000_0000_0000L, 0x1_0000L + source);
        Ipv6Address.write(g, 14 + 8, src.hi(), src.lo());
        return g;
    }

    @Test
    void loneFirstFragmentTimesOutAfter60SecondsWithTimeExceeded() {
        TestPort portA = new TestPort(lan.newPort("a"));
        NetStack a = stack("a", portA, 1, "fd00::1/64");
        NetStack b = stack("b", lan.newPort("b"), 2, "fd00::2/64");
        settle(a, b);
        List<byte[]> frags = fragmentsOfAPing(a, portA, "fd00::2");
        loop.runUntil(() -> a.ipv6Neighbors().stream().anyMatch(n -> n.mac() != null), 5 * SECOND);
        frags = fragmentsOfAPing(a, portA, "fd00::2");
        portA.send(frags.get(0), 0, frags.get(0).length);
        loop.runPending();
        assertThat(b.ipv6().reassembly().datagramsInFlight()).isEqualTo(1);
        loop.runFor(59 * SECOND);
        assertThat(b.ipv6().reassembly().datagramsInFlight()).isEqualTo(1);
        loop.runFor(2 * SECOND);
        assertThat(b.ipv6().reassembly().datagramsInFlight()).isZero();
        assertThat(b.ipv6().reassembly().bytesHeld()).isZero();
        assertThat(b.counters().get("ip6.frag.drop.timeout")).isEqualTo(1);
        assertThat(a.counters().get("icmp6.rx.errors")).isEqualTo(1); // Time Exceeded, code 1, quoting the first fragment
    }

    @Test
    void atomicFragmentIsProcessedAlone() {
        TestPort portA = new TestPort(lan.newPort("a"));
        NetStack a = stack("a", portA, 1, "fd00::1/64");
        NetStack b = stack("b", lan.newPort("b"), 2, "fd00::2/64");
        settle(a, b);
        Ipv6Address llA = a.ipv6Addresses().get(0).address();
        Ipv6Address llB = b.ipv6Addresses().get(0).address();
        byte[] echo = Ipv6TestFrames.echoRequest(portA.mac().bits(), b.iface().mac().bits(), llA, llB, 3, 4, 16);
        // insert a fragment header with offset 0 and M=0 (RFC 6946) between the header and the message
        byte[] f = new byte[echo.length + 8];
        System.arraycopy(echo, 0, f, 0, 54);
        System.arraycopy(echo, 54, f, 62, echo.length - 54);
        Ipv6Extensions.writeFragmentHeader(f, 54, Ipv6Packet.NH_ICMPV6, 0, false, 77);
        f[20] = (byte) Ipv6Packet.NH_FRAGMENT;
        int plen = ((f[18] & 0xFF) << 8 | (f[19] & 0xFF)) + 8;
        f[18] = (byte) (plen >>> 8);
        f[19] = (byte) plen;
        portA.send(f, 0, f.length);
        loop.runFor(SECOND);
        assertThat(b.counters().get("ip6.frag.rx_atomic")).isEqualTo(1);
        assertThat(b.counters().get("icmp6.tx.echo_replies")).isEqualTo(1);
        assertThat(b.ipv6().reassembly().datagramsInFlight()).isZero();
    }

    @Test
    void reassemblyBuffersAreChargedToTheStacksMemoryBudgetAndRefusedWhenItIsSpent() {
        TestPort portA = new TestPort(lan.newPort("a"));
        NetStack a = stack("a", portA, 1, "fd00::1/64");
        NetStack b = stack("b", lan.newPort("b"), 2, "fd00::2/64");
        byte[] first = resolvedThenFragmentsOfAPing(a, portA, b).get(0);
        Ipv6Reassembly r = b.ipv6().reassembly();
        org.jnetstack.internal.MemoryBudget budget = org.jnetstack.internal.MemoryBudget.of(b.ipv6().memory());
        long base = budget.used();

        portA.send(withIdAndSource(first, 1, 1), 0, first.length);
        loop.runPending();
        assertThat(r.datagramsInFlight()).isEqualTo(1);
        assertThat(budget.used() - base).as("what reassembly holds is charged").isEqualTo(r.bytesHeld()).isPositive();

        // The rest of the stack has spent the budget: a new datagram is refused, counted.
        long rest = budget.available();
        budget.charge(rest);
        portA.send(withIdAndSource(first, 2, 2), 0, first.length);
        loop.runPending();
        assertThat(r.datagramsInFlight()).isEqualTo(1);
        assertThat(b.counters().get("ip6.frag.drop.memory")).isEqualTo(1);
        budget.uncharge(rest);

        // 60 s later the datagram goes; its Time Exceeded waits (charged) for the spoofed source's resolution, which fails.
        loop.runFor(65 * SECOND);
        assertThat(r.datagramsInFlight()).isZero();
        assertThat(budget.used()).as("everything given back").isEqualTo(base);
    }

    @Test
    void theReassemblyTimeoutComesFromTheConfig() {
        TestPort portA = new TestPort(lan.newPort("a"));
        NetStack a = stack("a", portA, 1, "fd00::1/64");
        StackConfig quick = StackConfig.defaults().toBuilder().ipv6Address("fd00::2/64").ipv6ReassemblyTimeout(Duration.ofSeconds(10)).build();
        NetStack b = NetStack.builder(loop).name("b").device(lan.newPort("b")).config(quick).seed(2).build();
        assertThat(StackConfig.defaults().ipv6ReassemblyTimeout()).as("RFC 8200 §4.5").isEqualTo(Duration.ofSeconds(60));
        byte[] first = resolvedThenFragmentsOfAPing(a, portA, b).get(0);
        portA.send(first, 0, first.length);
        loop.runPending();
        assertThat(b.ipv6().reassembly().datagramsInFlight()).isEqualTo(1);
        loop.runFor(9 * SECOND);
        assertThat(b.ipv6().reassembly().datagramsInFlight()).isEqualTo(1);
        loop.runFor(2 * SECOND);
        assertThat(b.ipv6().reassembly().datagramsInFlight()).isZero();
        assertThat(b.counters().get("ip6.frag.drop.timeout")).isEqualTo(1);
    }
}
