package org.jnetstack.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.jnetstack.NetStack;
import org.jnetstack.config.StackConfig;
import org.jnetstack.link.VirtualWire;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.wire.Ipv4Address;
import org.junit.jupiter.api.Test;

/**
 * The TCP keys and what is derived from them: ISNs and SYN cookies differ between two default
 * stacks and agree between two stacks with the same seed; ephemeral ports follow RFC 6056
 * algorithm 4 (a sequence of their own per destination).
 */
class StackKeysTest {
    static final int A = Ipv4Address.parseBits("10.0.0.1");
    static final int B = Ipv4Address.parseBits("10.0.0.2");

    /** The largest step algorithm 4 takes per connection: one, plus a random extra step of 0-7. */
    static final int MAX_STEP = 8;

    final EventLoop loop = EventLoop.virtual();

    NetStack stack(Long seed) {
        NetStack.Builder b = NetStack.builder(loop).device(new VirtualWire().a()).address("10.0.0.1/24");
        if (seed != null) {
            b.seed(seed);
        }
        return b.build();
    }

    /** ISNs and cookies of a stack for a few 4-tuples, at one instant. */
    static List<Integer> derived(NetStack s) {
        List<Integer> out = new ArrayList<>();
        for (int port = 40000; port < 40004; port++) {
            out.add(s.tcp().isn(A, 80, B, port));
            out.add(s.tcp().synCookies().make(4, A, 80, B, port, 1000));
        }
        return out;
    }

    @Test
    void isnAndCookieKeysDifferBetweenTwoDefaultStacksAndAgreeBetweenTwoSeededOnes() {
        List<Integer> d1 = derived(stack(null));
        List<Integer> d2 = derived(stack(null));
        for (int i = 0; i < d1.size(); i++) {
            assertThat(d1.get(i)).as("value %d of two unseeded stacks", i).isNotEqualTo(d2.get(i));
        }
        assertThat(derived(stack(42L))).isEqualTo(derived(stack(42L)));
        assertThat(derived(stack(42L))).isNotEqualTo(derived(stack(43L)));
    }

    @Test
    void aSeedInTheConfigActsAsTheBuilderSeed() {
        NetStack viaConfig = NetStack.builder(loop).device(new VirtualWire().a()).address("10.0.0.1/24")
                .config(StackConfig.defaults().toBuilder().seed(42).build()).build();
        assertThat(derived(viaConfig)).isEqualTo(derived(stack(42L)));
        assertThat(stack(42L).config().seed()).hasValue(42);
        assertThat(stack(null).config().seed()).isEmpty();
    }

    @Test
    void ephemeralPortsWalkASequenceOfTheirOwnPerDestination() {
        NetStack s = NetStack.builder(loop).device(new VirtualWire().a()).address("10.0.0.1/24").seed(3).build();
        TcpHandler quiet = new TcpHandler() { };
        int p1 = s.tcp().connect(B, 80, quiet).localPort();
        int q1 = s.tcp().connect(B, 443, quiet).localPort();
        int r1 = s.tcp().connect(Ipv4Address.parseBits("10.0.0.3"), 80, quiet).localPort();
        int p2 = s.tcp().connect(B, 80, quiet).localPort();
        int q2 = s.tcp().connect(B, 443, quiet).localPort();
        int p3 = s.tcp().connect(B, 80, quiet).localPort();
        // RFC 6056 §3.3.4: towards one destination the next port is a small step on, whatever
        // other destinations took meanwhile (with one global random choice it would be anywhere) ...
        assertThat(step(p1, p2)).isBetween(1, MAX_STEP);
        assertThat(step(p2, p3)).isBetween(1, MAX_STEP);
        assertThat(step(q1, q2)).isBetween(1, MAX_STEP);
        // ... and the ports towards one destination do not predict another's.
        assertThat(Math.abs(step(p1, q1))).isGreaterThan(MAX_STEP);
        assertThat(Math.abs(step(p1, r1))).isGreaterThan(MAX_STEP);
        assertThat(Math.abs(step(q1, r1))).isGreaterThan(MAX_STEP);
        for (int p : new int[] {p1, p2, p3, q1, q2, r1}) {
            assertThat(p).isBetween(49152, 65535);
        }
        // Another stack (unseeded) has other keys: its ports to the same destinations differ.
        NetStack other = stack(null);
        int o1 = other.tcp().connect(B, 80, quiet).localPort();
        int o2 = other.tcp().connect(B, 443, quiet).localPort();
        assertThat(o1 == p1 && o2 == q1).isFalse();
    }

    /** From port {@code a} to port {@code b} in the ephemeral range 49152-65535, wrapping. */
    static int step(int a, int b) {
        int count = 65535 - 49152 + 1;
        int d = Math.floorMod(b - a, count);
        return d > count / 2 ? d - count : d;
    }
}
