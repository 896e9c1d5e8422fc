package org.jnetstack.ip;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.jnetstack.NetStack;
import org.jnetstack.internal.StackSecrets;
import org.jnetstack.link.VirtualSwitch;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.loop.VirtualClock;
import org.jnetstack.testing.Allocations;
import org.jnetstack.testing.FrameCapture;
import org.jnetstack.udp.UdpEndpoint;
import org.jnetstack.udp.UdpHandler;
import org.jnetstack.wire.Ipv4Address;
import org.junit.jupiter.api.Test;

/**
 * IPv4 ids per destination and unpredictable (RFC 7739 §5): a host that receives our datagrams
 * learns nothing from their ids about the datagrams we send to others (no idle scan), where
 * one global counter told it exactly how many we sent elsewhere.
 */
class Ipv4IdentificationTest {
    static final int B = Ipv4Address.parseBits("10.0.0.2");
    static final int C = Ipv4Address.parseBits("10.0.0.3");

    final EventLoop loop = EventLoop.virtual();

    /** Ids of the UDP datagrams stack a (seed {@code seed}) sends to B and C, interleaved. */
    List<int[]> idsSent(long seed, int rounds) {
        VirtualSwitch lan = new VirtualSwitch();
        FrameCapture capture = new FrameCapture(lan.newPort("a" + seed));
        NetStack a = NetStack.builder(loop).name("a").device(capture).address("10.0.0.1/24").seed(seed).build();
        NetStack.builder(loop).name("b").device(lan.newPort("b" + seed)).address("10.0.0.2/24").seed(seed + 100).build();
        NetStack.builder(loop).name("c").device(lan.newPort("c" + seed)).address("10.0.0.3/24").seed(seed + 200).build();
        UdpEndpoint ep = a.udp().open(0, (e, srcIp, srcPort, buf, off, len) -> { });
        byte[] payload = new byte[8];
        ep.send(B, 9, payload, 0, 8); // resolve both neighbours first
        ep.send(C, 9, payload, 0, 8);
        loop.runFor(100_000_000L);
        capture.sent.clear();
        for (int i = 0; i < rounds; i++) {
            ep.send(B, 9, payload, 0, 8);
            ep.send(C, 9, payload, 0, 8);
            ep.send(B, 9, payload, 0, 8);
        }
        loop.runPending();
        List<int[]> out = new ArrayList<>();
        for (byte[] f : capture.ipv4(17)) {
            out.add(new int[] {FrameCapture.ipDestination(f), FrameCapture.ipId(f)});
        }
        a.close();
        return out;
    }

    @Test
    void idsToOneDestinationDoNotCountWhatIsSentToAnother() {
        List<int[]> sent = idsSent(1, 5);
        assertThat(sent).hasSize(15);
        List<Integer> toB = new ArrayList<>();
        List<Integer> toC = new ArrayList<>();
        for (int[] s : sent) {
            (s[0] == B ? toB : toC).add(s[1]);
        }
        // Datagrams to B follow one another without gaps: the five sent to C in between did not
        // move B's sequence (a global counter would show gaps of one for each).
        for (int i = 1; i < toB.size(); i++) {
            assertThat((toB.get(i) - toB.get(i - 1)) & 0xFFFF).as("B's id %d", i).isEqualTo(1);
        }
        for (int i = 1; i < toC.size(); i++) {
            assertThat((toC.get(i) - toC.get(i - 1)) & 0xFFFF).as("C's id %d", i).isEqualTo(1);
        }
        // And C's sequence is not B's: nowhere near it.
        int distance = (toC.get(0) - toB.get(0)) & 0xFFFF;
        assertThat(Math.min(distance, 0x10000 - distance)).isGreaterThan(100);
    }

    @Test
    void sameSeedSameIdsAnotherSeedOthers() {
        List<int[]> one = idsSent(5, 2);
        List<int[]> again = idsSent(5, 2);
        List<int[]> other = idsSent(6, 2);
        assertThat(one).usingRecursiveFieldByFieldElementComparator().isEqualTo(again);
        assertThat(one.get(0)[1]).isNotEqualTo(other.get(0)[1]);
    }

    @Test
    void anIdleCounterMovesOnByARandomAmount() {
        VirtualClock clock = new VirtualClock();
        Ipv4Ids ids = new Ipv4Ids(clock, StackSecrets.seeded(3));
        int first = ids.next(1, B, 17, 1);
        assertThat(ids.next(1, B, 17, 1)).as("same instant: the next one").isEqualTo((first + 1) & 0xFFFF);
        List<Integer> jumps = new ArrayList<>();
        int prev = (first + 1) & 0xFFFF;
        for (int i = 0; i < 20; i++) {
            clock.advance(1_000_000_000L); // a second idle: the counter moves by 0-999, unknowable
            int next = ids.next(1, B, 17, 1);
            int jump = (next - prev) & 0xFFFF;
            assertThat(jump).isBetween(1, 1000);
            jumps.add(jump);
            prev = next;
        }
        assertThat(jumps.stream().distinct().count()).isGreaterThan(10);
        // A super-segment of 5 datagrams takes 5 ids.
        int s = ids.next(1, B, 17, 5);
        assertThat(ids.next(1, B, 17, 1)).isEqualTo((s + 5) & 0xFFFF);
    }

    @Test
    void idsAndPortsAllocateNothingPerUse() {
        VirtualClock clock = new VirtualClock();
        Ipv4Ids ids = new Ipv4Ids(clock, StackSecrets.seeded(4));
        EphemeralPorts ports = new EphemeralPorts(49152, 65535, StackSecrets.seeded(4));
        ports.towards(6, 1, B, 80, p -> false); // the table is made on first use
        long bytes = Allocations.leastAllocatedBy(5, () -> {
            long acc = 1;
            for (int i = 0; i < 10_000; i++) {
                clock.advance(100_000);
                acc += ids.next(1, B + (i & 7), 17, 1) + ports.towards(6, 1, B, 80 + (i & 3), p -> false) + ports.any(p -> false);
            }
            return acc;
        });
        assertThat(bytes).isZero();
    }
}
