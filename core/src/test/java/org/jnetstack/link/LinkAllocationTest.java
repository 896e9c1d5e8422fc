package org.jnetstack.link;

import org.jnetstack.testing.Allocations;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.function.LongSupplier;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.loop.VirtualClock;
import org.jnetstack.testing.Netns;
import org.jnetstack.testing.Requirements;
import org.jnetstack.wire.MacAddress;
import org.junit.jupiter.api.Test;

/**
 * The link layer's per-frame paths allocate nothing once warm (DESIGN §4). Measured with the
 * JVM's per-thread allocation counter, which counts bytes, not time. Devices are driven directly
 * on the test thread (attached to a loop that is never run), so only their own work is measured.
 */
class LinkAllocationTest {
    private final long[] sink = new long[1];
    private final FrameHandler handler = (buf, off, len) -> sink[0] += buf[off + 14] + len;

    private static long allocatedBy(LongSupplier rounds) {
        return allocatedBy(5, rounds);
    }

    private static long allocatedBy(int warmups, LongSupplier rounds) {
        return Allocations.leastAllocatedBy(warmups, rounds);
    }

    @Test
    void switchForwardingAndPortQueuesAllocateNothing() {
        EventLoop loop = EventLoop.virtual();
        VirtualSwitch sw = new VirtualSwitch();
        VirtualSwitch.Port a = sw.newPort("a");
        VirtualSwitch.Port b = sw.newPort("b");
        DeviceAttachment.attach(loop, a, handler);
        DeviceAttachment.attach(loop, b, handler);
        byte[] fromA = TestFrames.ethernet(b.mac().bits(), a.mac().bits(), 0x0800, 1);
        byte[] fromB = TestFrames.ethernet(a.mac().bits(), b.mac().bits(), 0x0800, 2);
        long bytes = allocatedBy(() -> {
            long n = 0;
            for (int i = 0; i < 20_000; i++) {
                a.send(fromA, 0, fromA.length);
                b.send(fromB, 0, fromB.length);
                n += b.receive(handler, 64) + a.receive(handler, 64);
            }
            return n;
        });
        assertThat(bytes).as("bytes allocated by 40,000 switched frames").isZero();
    }

    @Test
    void offloadedFramesAndSoftwareSegmentationAtAPlainPortAllocateNothing() {
        EventLoop loop = EventLoop.virtual();
        VirtualSwitch sw = new VirtualSwitch();
        VirtualSwitch.Port gw = sw.newPort("gw");
        VirtualSwitch.Port tap = sw.newPort("tap");
        VirtualSwitch.Port plain = sw.newPort("plain");
        gw.setOffloads(LinkOffloads.ALL);
        tap.setOffloads(LinkOffloads.ALL);
        DeviceAttachment.attach(loop, gw, handler);
        DeviceAttachment.attach(loop, tap, handler);
        DeviceAttachment.attach(loop, plain, handler);
        // Flooded (unknown destination): whole to the offloading port, in 7 segments to the plain one.
        byte[] superSegment = OffloadTestFrames.tcp(false, 10_000, OffloadTestFrames.ACK, new java.util.SplittableRandom(1));
        byte[] partial = OffloadTestFrames.udp(true, 1000, new java.util.SplittableRandom(2));
        int flags = FrameHandler.gso(1448);
        long bytes = allocatedBy(() -> {
            long n = 0;
            for (int i = 0; i < 2_000; i++) {
                gw.send(superSegment, 0, superSegment.length, flags);
                gw.send(partial, 0, partial.length, FrameHandler.CHECKSUM_PARTIAL);
                n += tap.receive(handler, 64) + plain.receive(handler, 64);
            }
            return n;
        });
        assertThat(bytes).as("bytes allocated by 4,000 offloaded frames, 16,000 software-finished ones").isZero();
        assertThat(sw.counters().counter("switch.software_segments").get()).isGreaterThan(14_000 * 6 / 7);
    }

    @Test
    void delayedFramesThroughTheFaultInjectorAllocateNothing() {
        VirtualClock clock = new VirtualClock();
        EventLoop loop = new EventLoop(clock);
        VirtualWire wire = new VirtualWire();
        FaultInjector b = FaultInjector.builder().seed(1)
                .rx(FaultProfile.builder().delay(Duration.ofMillis(1), Duration.ofNanos(100_000)).loss(0.01)
                        .duplication(0.01).corruption(0.01).build())
                .wrap(wire.b());
        PcapRing ring = new PcapRing(16);
        LinkDevice top = Tracer.wrap(PcapWriter.toRing(ring, b)); // tracing off: costs nothing
        DeviceAttachment.attach(loop, wire.a(), handler);
        DeviceAttachment.attach(loop, top, handler);
        byte[] f = TestFrames.ethernet(wire.b().mac().bits(), wire.a().mac().bits(), 0x0800, 3);
        long bytes = allocatedBy(() -> {
            long n = 0;
            for (int i = 0; i < 20_000; i++) {
                wire.a().send(f, 0, f.length);
                n += top.receive(handler, 64);   // the frame enters the delay line
                clock.advance(2_000_000);
                n += top.receive(handler, 64);   // and comes out
            }
            return n;
        });
        assertThat(bytes).as("bytes allocated by 20,000 delayed frames").isZero();
        assertThat(ring.totalRecorded()).isGreaterThan(30_000);
    }

    /**
     * With offloads every frame also carries a virtio header, written in front of the frame or copied
     * with it; with the transmit thread the loop copies each frame into the ring and that thread
     * writes it, so both threads are measured.
     */
    @org.junit.jupiter.params.ParameterizedTest(name = "offloads {0}, transmit thread {1}")
    @org.junit.jupiter.params.provider.CsvSource({"false, false", "true, false", "false, true", "true, true"})
    void tapSendAndReceiveAllocateNothing(boolean offloads, boolean transmitThread) throws Exception {
        Requirements.rootWithTap();
        MacAddress ours = MacAddress.parse("02:00:00:aa:bb:02");
        TapOptions options = TapOptions.defaults().withOffloads(offloads).withTransmitThread(transmitThread);
        try (Netns ns = Netns.create(); TapDevice tap = TapDevice.open(Netns.uniqueLinkName("jt"), ours, 1500, options)) {
            assertThat(tap.offloads().any()).isEqualTo(offloads);
            ns.adoptTap(tap.name(), "10.78.0.1/24");
            EventLoop loop = EventLoop.virtual();
            DeviceAttachment.attach(loop, tap, handler);
            byte[] arp = TestFrames.arpRequest(ours, "10.78.0.2", "10.78.0.1");
            byte[] atOffset = new byte[arp.length + LinkDevice.TX_HEADROOM];
            System.arraycopy(arp, 0, atOffset, LinkDevice.TX_HEADROOM, arp.length);
            // FFM downcalls allocate until C2 has compiled them: tens of thousands of calls.
            LongSupplier round = () -> {
                long n = 0;
                for (int i = 0; i < 2_000; i++) {
                    tap.send(arp, 0, arp.length);
                    tap.send(atOffset, LinkDevice.TX_HEADROOM, arp.length);
                    // The kernel answers each request; wait (spinning, without allocating) for both replies.
                    int got = 0;
                    for (int spin = 0; got < 2 && spin < 10_000_000; spin++) {
                        got += tap.receive(handler, 64);
                    }
                    n += got;
                }
                return n;
            };
            long bytes = allocatedBy(30, round);
            assertThat(bytes).as("bytes allocated by 4,000 TAP writes and their replies").isZero();
            // The option is ignored when the kernel grants segmentation offload (TapOptions).
            assertThat(tap.transmitThread() != null).isEqualTo(transmitThread && !offloads);
            if (tap.transmitThread() != null) {
                var mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
                long writer = tap.transmitThread().threadId();
                long least = Long.MAX_VALUE;
                for (int r = 0; r < 40 && least > 0; r++) {
                    long before = mx.getThreadAllocatedBytes(writer);
                    round.getAsLong(); // each round waits for the replies: the writes are done when it returns
                    least = Math.min(least, mx.getThreadAllocatedBytes(writer) - before);
                }
                assertThat(least).as("bytes allocated by the transmit thread for 4,000 writes").isZero();
            }
        }
    }
}
