package org.jnetstack.link;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.wire.MacAddress;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class VirtualSwitchTest {
    private static final long BCAST = MacAddress.BROADCAST.bits();
    private static final long MULTICAST = 0x01_00_5e_00_00_fbL;

    private EventLoop loop;
    private VirtualSwitch sw;
    private VirtualSwitch.Port a;
    private VirtualSwitch.Port b;
    private VirtualSwitch.Port c;
    private final Recorder ra = new Recorder();
    private final Recorder rb = new Recorder();
    private final Recorder rc = new Recorder();

    @BeforeEach
    void setUp() {
        loop = EventLoop.virtual();
        sw = new VirtualSwitch();
        a = sw.newPort("a");
        b = sw.newPort("b");
        c = sw.newPort("c");
        DeviceAttachment.attach(loop, a, ra);
        DeviceAttachment.attach(loop, b, rb);
        DeviceAttachment.attach(loop, c, rc);
    }

    private void send(LinkDevice from, long dst, long src, int tag) {
        byte[] f = TestFrames.ethernet(dst, src, 0x88b5, tag);
        assertThat(from.send(f, 0, f.length)).isTrue();
    }

    private void deliverAll() {
        loop.runPending();
    }

    @Test
    void defaultPortMacsAreNumberedFromOne() {
        assertThat(a.mac()).isEqualTo(MacAddress.parse("02:00:00:00:00:01"));
        assertThat(c.mac()).isEqualTo(MacAddress.parse("02:00:00:00:00:03"));
        assertThat(sw.newPort("d", MacAddress.parse("02:aa:00:00:00:09")).mac()).isEqualTo(MacAddress.parse("02:aa:00:00:00:09"));
        assertThat(a.mtu()).isEqualTo(1500);
    }

    @Test
    void broadcastFloodsToEveryOtherPortAndTeachesTheSource() {
        send(a, BCAST, a.mac().bits(), 1);
        deliverAll();
        assertThat(ra.count()).as("no echo to the ingress port").isZero();
        assertThat(rb.tags()).containsExactly(1);
        assertThat(rc.tags()).containsExactly(1);
        assertThat(sw.portOf(a.mac())).isSameAs(a);
        assertThat(sw.counters().get("switch.flooded")).isEqualTo(1);
        assertThat(sw.counters().get("switch.learned")).isEqualTo(1);
    }

    @Test
    void knownUnicastGoesToOnePortOnlyAndUnknownUnicastFloods() {
        send(a, b.mac().bits(), a.mac().bits(), 1);   // b unknown yet: flooded
        deliverAll();
        assertThat(rb.tags()).containsExactly(1);
        assertThat(rc.tags()).containsExactly(1);
        send(b, a.mac().bits(), b.mac().bits(), 2);   // a was learned: only a
        send(a, b.mac().bits(), a.mac().bits(), 3);   // b now learned: only b
        deliverAll();
        assertThat(ra.tags()).containsExactly(2);
        assertThat(rb.tags()).containsExactly(1, 3);
        assertThat(rc.tags()).as("c sees only the first, flooded frame").containsExactly(1);
        assertThat(sw.counters().get("switch.forwarded")).isEqualTo(2);
        assertThat(sw.counters().get("switch.flooded")).isEqualTo(1);
    }

    @Test
    void multicastFloodsAndAGroupSourceIsNeverLearned() {
        send(a, b.mac().bits(), a.mac().bits(), 1);
        send(b, MULTICAST, b.mac().bits(), 2);
        send(c, b.mac().bits(), MULTICAST, 3);        // bogus group source address
        deliverAll();
        assertThat(ra.tags()).containsExactly(2);
        assertThat(rc.tags()).containsExactly(1, 2);
        assertThat(rb.tags()).containsExactly(1, 3);
        assertThat(sw.portOf(new MacAddress(MULTICAST))).isNull();
    }

    @Test
    void frameForAnAddressBehindItsOwnIngressPortIsFiltered() {
        long hostBehindA = 0x02_11_11_11_11_11L;
        send(a, BCAST, hostBehindA, 1);
        deliverAll();
        rb.clear();
        rc.clear();
        send(a, hostBehindA, a.mac().bits(), 2);
        deliverAll();
        assertThat(ra.count() + rb.count() + rc.count()).isZero();
        assertThat(sw.counters().get("switch.filtered")).isEqualTo(1);
    }

    @Test
    void stationThatMovesIsRelearnedOnItsNextFrame() {
        long roamer = 0x02_22_22_22_22_22L;
        send(a, BCAST, roamer, 1);
        send(c, BCAST, roamer, 2);
        send(b, roamer, b.mac().bits(), 3);
        deliverAll();
        assertThat(sw.portOf(new MacAddress(roamer))).isSameAs(c);
        assertThat(sw.counters().get("switch.moved")).isEqualTo(1);
        assertThat(rc.tags()).containsExactly(1, 3);
        assertThat(ra.tags()).containsExactly(2);
    }

    @Test
    void fullPortQueueDropsTheExcessAndCountsItKeepingTheOldestInOrder() {
        VirtualSwitch small = new VirtualSwitch("small", 1500, 4, 16);
        VirtualSwitch.Port x = small.newPort("x");
        VirtualSwitch.Port y = small.newPort("y");
        Recorder ry = new Recorder();
        DeviceAttachment.attach(loop, x, new Recorder());
        DeviceAttachment.attach(loop, y, ry);
        for (int i = 0; i < 10; i++) {
            send(x, y.mac().bits(), x.mac().bits(), i);
        }
        assertThat(y.queuedFrames()).isEqualTo(4);
        assertThat(y.stats().rxDropped.get()).isEqualTo(6);
        assertThat(y.stats().counters().get("rx.dropped.queue_full")).isEqualTo(6);
        assertThat(x.stats().txFrames.get()).as("all ten left the sender").isEqualTo(10);
        deliverAll();
        assertThat(ry.tags()).containsExactly(0, 1, 2, 3);
        assertThat(y.stats().rxFrames.get()).isEqualTo(4);
        assertThat(y.stats().rxBytes.get()).isEqualTo(4 * 60);
        // Drained: room again, and the slots are reused.
        send(x, y.mac().bits(), x.mac().bits(), 42);
        deliverAll();
        assertThat(ry.tags()).containsExactly(0, 1, 2, 3, 42);
    }

    @Test
    void framesAreDeliveredOnlyThroughTheLoopNeverInsideSend() {
        send(a, b.mac().bits(), a.mac().bits(), 1);
        assertThat(rb.count()).isZero();
        // The switch told the loop (framesReady): a virtual loop with nothing else to do still runs.
        assertThat(loop.runUntil(() -> rb.count() == 1, TimeUnit.SECONDS.toNanos(1))).isTrue();
        assertThat(loop.clock().nanos()).as("no virtual time needed").isZero();
    }

    @Test
    void perPortCountersAddUp() {
        send(a, BCAST, a.mac().bits(), 1);
        send(b, a.mac().bits(), b.mac().bits(), 2);
        deliverAll();
        assertThat(a.stats().txFrames.get()).isEqualTo(1);
        assertThat(a.stats().txBytes.get()).isEqualTo(60);
        assertThat(a.stats().rxFrames.get()).isEqualTo(1);
        assertThat(b.stats().rxFrames.get()).isEqualTo(1);
        assertThat(c.stats().rxFrames.get()).isEqualTo(1);
        assertThat(c.stats().txFrames.get()).isZero();
    }

    @Test
    void runtAndOversizeFramesAreDroppedAtTheSendingPort() {
        assertThat(a.send(new byte[13], 0, 13)).isFalse();
        byte[] big = TestFrames.ethernet(BCAST, a.mac().bits(), 0x88b5, 0);
        big = java.util.Arrays.copyOf(big, 1500 + 18 + 1);
        assertThat(a.send(big, 0, big.length)).isFalse();
        assertThat(a.send(big, 0, 1518)).as("MTU + header + VLAN tag fits").isTrue();
        assertThat(a.stats().counters().get("tx.dropped.runt")).isEqualTo(1);
        assertThat(a.stats().counters().get("tx.dropped.oversize")).isEqualTo(1);
        assertThat(a.stats().txDropped.get()).isEqualTo(2);
        deliverAll();
        assertThat(rb.frames).singleElement().satisfies(f -> assertThat(f).hasSize(1518));
    }

    @Test
    void closedPortIsForgottenAndUnattachedPortDropsWhatIsSentToIt() {
        send(b, BCAST, b.mac().bits(), 1);
        deliverAll();
        assertThat(sw.portOf(b.mac())).isSameAs(b);
        b.close();
        assertThat(sw.portOf(b.mac())).isNull();
        assertThat(sw.ports()).containsExactly(a, c);
        assertThat(b.send(new byte[60], 0, 60)).isFalse();
        VirtualSwitch.Port idle = sw.newPort("idle");
        send(a, idle.mac().bits(), a.mac().bits(), 2);
        deliverAll();
        assertThat(rc.tags()).containsExactly(1, 2);
        assertThat(idle.stats().counters().get("rx.dropped.not_open")).isEqualTo(1);
    }

    @Test
    void fullAddressTableStopsLearningAndFloods() {
        VirtualSwitch tiny = new VirtualSwitch("tiny", 1500, 16, 2);
        VirtualSwitch.Port x = tiny.newPort("x");
        VirtualSwitch.Port y = tiny.newPort("y");
        VirtualSwitch.Port z = tiny.newPort("z");
        Recorder rz = new Recorder();
        DeviceAttachment.attach(loop, x, new Recorder());
        DeviceAttachment.attach(loop, y, new Recorder());
        DeviceAttachment.attach(loop, z, rz);
        send(x, BCAST, x.mac().bits(), 1);
        send(y, BCAST, y.mac().bits(), 2);
        send(z, BCAST, z.mac().bits(), 3);
        assertThat(tiny.learnedAddresses()).isEqualTo(2);
        assertThat(tiny.counters().get("switch.table_full")).isEqualTo(1);
        send(x, z.mac().bits(), x.mac().bits(), 4);
        assertThat(tiny.counters().get("switch.flooded")).isEqualTo(4);
        deliverAll();
        assertThat(rz.tags()).containsExactly(1, 2, 4);
    }

    @Test
    void portsOnDifferentStartedLoopsExchangeFramesAcrossThreads() throws Exception {
        VirtualSwitch shared = new VirtualSwitch();
        VirtualSwitch.Port p = shared.newPort("p");
        VirtualSwitch.Port q = shared.newPort("q");
        CountDownLatch got = new CountDownLatch(100);
        String[] receivingThread = new String[1];
        try (EventLoop lp = EventLoop.system(); EventLoop lq = EventLoop.system()) {
            DeviceAttachment.attach(lp, p, (buf, off, len) -> { });
            DeviceAttachment.attach(lq, q, (buf, off, len) -> {
                receivingThread[0] = Thread.currentThread().getName();
                got.countDown();
            });
            lp.start("loop-p");
            lq.start("loop-q");
            lp.execute(() -> {
                for (int i = 0; i < 100; i++) {
                    byte[] f = TestFrames.ethernet(q.mac().bits(), p.mac().bits(), 0x88b5, i);
                    p.send(f, 0, f.length);
                }
            });
            assertThat(got.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(receivingThread[0]).isEqualTo("loop-q");
        }
    }
}
