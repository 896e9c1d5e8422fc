package org.jnetstack.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.jnetstack.testing.Nanos.MS;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jnetstack.loop.EventLoop;
import org.junit.jupiter.api.Test;

/**
 * Faults on a wire between two ends on a virtual loop. Frames carry a sequence number in
 * bytes 14-15, so what arrives can be compared with what was sent.
 */
class FaultInjectorTest {

    /** One run: `count` frames of `size` bytes sent from a (wrapped) to b, all at virtual time 0. */
    private static final class Run {
        final EventLoop loop = EventLoop.virtual();
        final VirtualWire wire = new VirtualWire();
        final FaultInjector a;
        final List<Integer> seqs = new ArrayList<>();
        final List<Long> times = new ArrayList<>();
        final List<byte[]> frames = new ArrayList<>();
        final List<Boolean> accepted = new ArrayList<>();

        Run(FaultInjector.Builder faults) {
            a = faults.wrap(wire.a());
            DeviceAttachment.attach(loop, a, (buf, off, len) -> { });
            DeviceAttachment.attach(loop, wire.b(), (buf, off, len) -> {
                seqs.add(TestFrames.get16(buf, off + 14));
                times.add(loop.clock().nanos());
                frames.add(java.util.Arrays.copyOfRange(buf, off, off + len));
            });
        }

        Run send(int count, int size) {
            for (int i = 0; i < count; i++) {
                accepted.add(a.send(frame(i, size), 0, size));
            }
            loop.runUntil(() -> false, 3_600_000 * MS);
            return this;
        }

        long counter(String name) {
            return a.stats().counters().get(name);
        }
    }

    static byte[] frame(int seq, int size) {
        byte[] f = new byte[size];
        java.util.Arrays.fill(f, (byte) 0x5a);
        TestFrames.put16(f, 0, 0x0200);
        TestFrames.put16(f, 12, 0x88b5);
        TestFrames.put16(f, 14, seq);
        return f;
    }

    private static FaultInjector.Builder tx(long seed, FaultProfile p) {
        return FaultInjector.builder().seed(seed).tx(p);
    }

    private static List<Integer> range(int n) {
        List<Integer> l = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            l.add(i);
        }
        return l;
    }

    @Test
    void sameSeedLosesTheSameFramesAndAnotherSeedOthers() {
        FaultProfile lossy = FaultProfile.builder().loss(0.3).build();
        Run first = new Run(tx(42, lossy)).send(300, 60);
        Run again = new Run(tx(42, lossy)).send(300, 60);
        Run other = new Run(tx(43, lossy)).send(300, 60);
        assertThat(again.seqs).isEqualTo(first.seqs);
        assertThat(other.seqs).isNotEqualTo(first.seqs);
        assertThat(first.counter("fault.tx.lost")).isEqualTo(300 - first.seqs.size());
        // Roughly 30 %: far from none and from all (a binomial with n=300 stays well inside this).
        assertThat(first.seqs.size()).isBetween(150, 260);
        assertThat(first.seqs).isSorted();
        assertThat(first.accepted).as("a frame lost on the wire was still sent").containsOnly(true);
    }

    @Test
    void directionsAreIndependentAndNoneIsAPassThrough() {
        Run r = new Run(FaultInjector.builder().seed(1).rx(FaultProfile.builder().loss(1.0).build())).send(10, 60);
        assertThat(r.seqs).as("only received frames were to be lost").isEqualTo(range(10));
        assertThat(r.times).containsOnly(0L);
        assertThat(r.a.txProfile().isNone()).isTrue();
    }

    @Test
    void duplicationDeliversSomeFramesTwiceInARow() {
        Run r = new Run(tx(5, FaultProfile.builder().duplication(0.25).build())).send(200, 60);
        long dups = r.counter("fault.tx.duplicated");
        assertThat(dups).isBetween(20L, 90L);
        assertThat(r.seqs).hasSize(200 + (int) dups);
        assertThat(r.seqs.stream().distinct().toList()).isEqualTo(range(200));
    }

    @Test
    void reorderingLetsLaterFramesOvertakeAndLosesNothing() {
        Run r = new Run(tx(9, FaultProfile.builder().reordering(0.2).build())).send(100, 60);
        long held = r.counter("fault.tx.reordered");
        assertThat(held).isBetween(5L, 40L);
        assertThat(r.seqs).hasSize(100).containsExactlyInAnyOrderElementsOf(range(100)).isNotEqualTo(range(100));
        // Held frames come last, one reorder-hold after the burst, in their own order.
        List<Integer> tail = r.seqs.subList(100 - (int) held, 100);
        assertThat(tail).isSorted();
        assertThat(r.times.get(99)).isEqualTo(FaultProfile.DEFAULT_REORDER_HOLD_NANOS);
    }

    @Test
    void delayIsHonouredExactlyOnTheVirtualClock() {
        Run r = new Run(tx(1, FaultProfile.builder().delay(Duration.ofMillis(200)).build())).send(3, 60);
        assertThat(r.seqs).containsExactly(0, 1, 2);
        assertThat(r.times).containsOnly(200 * MS);
        assertThat(r.counter("fault.tx.delayed")).isEqualTo(3);
        assertThat(r.a.heldFrames()).isZero();
    }

    @Test
    void jitterSpreadsArrivalsWithinItsBounds() {
        Run r = new Run(tx(3, FaultProfile.builder().delay(Duration.ofMillis(100), Duration.ofMillis(20)).build()))
                .send(50, 60);
        assertThat(r.times).hasSize(50).allSatisfy(t -> assertThat(t).isBetween(80 * MS, 120 * MS));
        assertThat(r.times.stream().distinct().count()).isGreaterThan(40);
        assertThat(r.times).isSorted();
    }

    @Test
    void receivedFramesCanBeDelayedToo() {
        EventLoop loop = EventLoop.virtual();
        VirtualWire wire = new VirtualWire();
        FaultInjector b = FaultInjector.builder().rx(FaultProfile.builder().delay(Duration.ofMillis(30)).build()).wrap(wire.b());
        List<Long> at = new ArrayList<>();
        DeviceAttachment.attach(loop, wire.a(), (buf, off, len) -> { });
        DeviceAttachment.attach(loop, b, (buf, off, len) -> at.add(loop.clock().nanos()));
        byte[] f = frame(0, 60);
        loop.schedule(5 * MS, () -> wire.a().send(f, 0, f.length));
        loop.runUntil(() -> at.size() == 1, 1_000 * MS);
        assertThat(at).containsExactly(35 * MS);
        assertThat(b.stats().counters().get("fault.rx.delayed")).isEqualTo(1);
    }

    @Test
    void corruptionFlipsExactlyOneBitBeyondTheEthernetHeader() {
        Run r = new Run(tx(11, FaultProfile.builder().corruption(1.0).build())).send(40, 100);
        assertThat(r.counter("fault.tx.corrupted")).isEqualTo(40);
        assertThat(r.frames).hasSize(40);
        for (int i = 0; i < 40; i++) {
            byte[] got = r.frames.get(i);
            byte[] sent = frame(i, 100);
            int flipped = 0;
            int where = -1;
            for (int j = 0; j < got.length; j++) {
                int d = Integer.bitCount((got[j] ^ sent[j]) & 0xFF);
                if (d > 0) {
                    where = j;
                }
                flipped += d;
            }
            assertThat(flipped).as("bits flipped in frame " + i).isEqualTo(1);
            assertThat(where).isGreaterThanOrEqualTo(14);
        }
    }

    @Test
    void corruptionDoesNotTouchTheSendersBuffer() {
        EventLoop loop = EventLoop.virtual();
        VirtualWire wire = new VirtualWire();
        FaultInjector a = tx(2, FaultProfile.builder().corruption(1.0).build()).wrap(wire.a());
        DeviceAttachment.attach(loop, a, (buf, off, len) -> { });
        DeviceAttachment.attach(loop, wire.b(), (buf, off, len) -> { });
        byte[] f = frame(1, 80);
        a.send(f, 0, f.length);
        assertThat(f).isEqualTo(frame(1, 80));
    }

    @Test
    void rateLimitShapesToTheConfiguredRate() {
        // 10 000 B/s with a 1518-byte bucket: 1000-byte frames leave every 100 ms once the burst is spent.
        Run r = new Run(tx(1, FaultProfile.builder().rate(10_000, 1518).build())).send(10, 1000);
        assertThat(r.seqs).isEqualTo(range(10));
        assertThat(r.times.get(0)).isZero();
        for (int i = 2; i < 10; i++) {
            assertThat(r.times.get(i) - r.times.get(i - 1)).as("gap before frame " + i).isBetween(100 * MS - 1, 100 * MS + 1);
        }
        // The bucket's 1518 bytes went out free; the remaining 8482 bytes took 0.8482 s.
        assertThat(r.times.get(9)).isBetween(848_200_000L - 2, 848_200_000L + 2);
        assertThat(r.counter("fault.tx.rate_limited")).isEqualTo(9);
    }

    @Test
    void fullHoldQueueDropsTheExcessAndSendReportsIt() {
        Run r = new Run(tx(1, FaultProfile.builder().delay(Duration.ofSeconds(1)).queueFrames(5).build())).send(8, 60);
        assertThat(r.seqs).containsExactly(0, 1, 2, 3, 4);
        assertThat(r.counter("fault.tx.dropped.queue_full")).isEqualTo(3);
        assertThat(r.accepted).containsExactly(true, true, true, true, true, false, false, false);
    }

    @Test
    void invalidProfilesAreRefusedWithTheRule() {
        assertThatThrownBy(() -> FaultProfile.builder().loss(1.5).build()).hasMessageContaining("between 0 and 1");
        assertThatThrownBy(() -> FaultProfile.builder().delay(Duration.ofMillis(-1)).build()).hasMessageContaining("negative");
        assertThatThrownBy(() -> FaultProfile.builder().queueFrames(0).build()).hasMessageContaining("at least 1");
        assertThat(FaultProfile.NONE.isNone()).isTrue();
        assertThat(FaultProfile.builder().rate(1_000_000).build().burstBytes()).isEqualTo(10_000);
    }
}
