package org.jnetstack.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.testing.Netns;
import org.jnetstack.testing.Requirements;
import org.jnetstack.wire.MacAddress;
import org.junit.jupiter.api.Test;

/**
 * A TAP whose frames are written by its transmit thread ({@link TapOptions#withTransmitThread}),
 * against the real kernel in a fresh namespace: order kept, write errors counted by the thread,
 * a full ring counted, and {@code close()} writes what is queued and leaves no thread behind.
 */
class TapTransmitThreadTest {
    private static final MacAddress OUR_MAC = MacAddress.parse("02:00:00:aa:bb:03");
    private static final String KERNEL_IP = "10.79.0.1";
    private static final String OUR_IP = "10.79.0.2";
    private static final TapOptions WITH_THREAD = TapOptions.defaults().withTransmitThread(true);

    @Test
    void echoRequestsQueuedInOneBurstAreAnsweredInOrder() throws Exception {
        Requirements.rootWithTap();
        int count = 300; // under the kernel's 500-frame TAP queue for the replies
        try (Netns ns = Netns.create();
             TapDevice tap = TapDevice.open(Netns.uniqueLinkName("jt"), OUR_MAC, 1500, WITH_THREAD);
             EventLoop loop = EventLoop.system()) {
            assertThat(tap.transmitThread()).isNotNull();
            assertThat(tap.transmitThread().isAlive()).isTrue();
            ns.adoptTap(tap.name(), KERNEL_IP + "/24");
            MacAddress kernelMac = MacAddress.parse(ns.macOf(tap.name()));
            BlockingQueue<byte[]> frames = new LinkedBlockingQueue<>();
            DeviceAttachment.attach(loop, tap, (b, o, l) -> frames.add(Arrays.copyOfRange(b, o, o + l)));
            loop.start("tap-tx-test");
            byte[] arp = TestFrames.arpRequest(OUR_MAC, OUR_IP, KERNEL_IP);
            loop.execute(() -> tap.send(arp, 0, arp.length)); // the kernel learns our MAC from it
            awaitFrame(frames, f -> TestFrames.etherType(f) == TestFrames.ETHERTYPE_ARP);

            List<byte[]> requests = new ArrayList<>();
            for (int seq = 0; seq < count; seq++) {
                byte[] payload = ("transmit thread frame " + seq).getBytes();
                requests.add(TestFrames.icmpEchoRequest(OUR_MAC, kernelMac, OUR_IP, KERNEL_IP, 0x5151, seq, payload));
            }
            // All from one loop task, faster than the kernel answers: the ring holds the backlog.
            loop.execute(() -> requests.forEach(f -> tap.send(f, 0, f.length)));
            List<Integer> seqs = new ArrayList<>();
            while (seqs.size() < count) {
                byte[] pong = awaitFrame(frames, f -> TestFrames.etherType(f) == TestFrames.ETHERTYPE_IPV4
                        && f[14 + 9] == 1 && f[34] == 0 && TestFrames.get16(f, 38) == 0x5151);
                int seq = TestFrames.get16(pong, 40);
                assertThat(new String(pong, 42, pong.length - 42)).startsWith("transmit thread frame " + seq);
                seqs.add(seq);
            }
            assertThat(seqs).as("echo replies, in the order the requests were written")
                    .containsExactlyElementsOf(java.util.stream.IntStream.range(0, count).boxed().toList());
            await(() -> tap.stats().txFrames.get() == count + 1);
            assertThat(tap.stats().txBytes.get()).isEqualTo(arp.length + requests.stream().mapToLong(f -> f.length).sum());
            assertThat(tap.stats().counters().get("tx.dropped.ring_full")).isZero();
        }
    }

    @Test
    void writeErrorsAreCountedByTheThread() throws Exception {
        Requirements.rootWithTap();
        // Never brought up: the kernel refuses every frame with EIO (as TapDeviceTest shows without the thread).
        try (TapDevice tap = TapDevice.open(Netns.uniqueLinkName("jt"), OUR_MAC, 1500, WITH_THREAD)) {
            byte[] f = TestFrames.arpRequest(OUR_MAC, OUR_IP, KERNEL_IP);
            for (int i = 0; i < 10; i++) {
                assertThat(tap.send(f, 0, f.length)).as("queued").isTrue();
            }
            await(() -> tap.stats().counters().get("tx.dropped.link_down") == 10);
            assertThat(tap.stats().txFrames.get()).isZero();
        }
    }

    @Test
    void closeWritesWhatIsQueuedAndEndsTheThread() throws Exception {
        Requirements.rootWithTap();
        TapDevice tap = TapDevice.open(Netns.uniqueLinkName("jt"), OUR_MAC, 1500, WITH_THREAD);
        try (Netns ns = Netns.create()) {
            ns.adoptTap(tap.name(), KERNEL_IP + "/24");
            Thread writer = tap.transmitThread();
            // Full-sized frames of an experimental EtherType to someone else: the kernel drops them quietly.
            byte[] f = new byte[1514];
            MacAddress.write(f, 0, MacAddress.parse("02:00:00:00:00:99").bits());
            MacAddress.write(f, 6, OUR_MAC.bits());
            f[12] = (byte) 0x88;
            f[13] = (byte) 0xb5;
            int offered = 3_000; // four times what a 1 MiB ring holds: some find it full
            int accepted = 0;
            for (int i = 0; i < offered; i++) {
                if (tap.send(f, 0, f.length)) {
                    accepted++;
                }
            }
            tap.close();
            assertThat(writer.isAlive()).as("transmit thread after close()").isFalse();
            long ringFull = tap.stats().counters().get("tx.dropped.ring_full");
            assertThat(ringFull).isEqualTo(offered - accepted).isEqualTo(tap.stats().txDropped.get());
            assertThat(accepted).as("the ring took a full ring's worth at least")
                    .isGreaterThanOrEqualTo(TapOptions.DEFAULT_TRANSMIT_RING_BYTES / FrameRing.recordSize(1514) / 2);
            assertThat(tap.stats().txFrames.get() + tap.stats().counters().get("tx.errors")
                    + tap.stats().counters().get("tx.dropped.link_down"))
                    .as("every accepted frame written (or its error counted) before close() returned").isEqualTo(accepted);
            assertThat(tap.send(f, 0, f.length)).as("a send after close").isFalse();
            tap.close(); // idempotent
        } finally {
            tap.close();
        }
    }

    @Test
    void withSegmentationOffloadTheLoopWritesItself() throws Exception {
        Requirements.rootWithTap();
        try (TapDevice tap = TapDevice.open(Netns.uniqueLinkName("jt"), OUR_MAC, 1500, WITH_THREAD.withOffloads(true))) {
            assertThat(tap.offloads().txSegmentation()).as("granted by this kernel").isPositive();
            assertThat(tap.transmitThread()).isNull();
        }
        try (TapDevice tap = TapDevice.open(Netns.uniqueLinkName("jt"), OUR_MAC, 1500, WITH_THREAD)) {
            assertThat(tap.transmitThread()).isNotNull();
        }
    }

    @Test
    void theRingSizeIsCheckedWhenTheOptionsAreMade() {
        assertThatThrownBy(() -> TapOptions.defaults().withTransmitRing(1000)).hasMessageContaining("power of two");
        assertThatThrownBy(() -> TapOptions.defaults().withTransmitRing(64 * 1024))
                .hasMessageContaining(String.valueOf(TapOptions.MIN_TRANSMIT_RING_BYTES));
        assertThat(TapOptions.transmitRingFromProperty(null)).isZero();
        assertThat(TapOptions.transmitRingFromProperty("false")).isZero();
        assertThat(TapOptions.transmitRingFromProperty("true")).isEqualTo(TapOptions.DEFAULT_TRANSMIT_RING_BYTES);
        assertThat(TapOptions.transmitRingFromProperty("4194304")).isEqualTo(4 << 20);
        assertThatThrownBy(() -> TapOptions.transmitRingFromProperty("lots")).hasMessageContaining(TapOptions.TRANSMIT_RING_PROPERTY);
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("condition not met within 20 s");
            }
            Thread.sleep(10);
        }
    }

    private static byte[] awaitFrame(BlockingQueue<byte[]> frames, java.util.function.Predicate<byte[]> wanted)
            throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < end) {
            byte[] f = frames.poll(100, TimeUnit.MILLISECONDS);
            if (f != null && f.length >= 42 && wanted.test(f)) {
                return f;
            }
        }
        throw new AssertionError("expected frame did not arrive within 20 s");
    }
}
