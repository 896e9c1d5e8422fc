package org.jnetstack.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The transmit thread's ring: order, content, wrap-around, a full ring, and two threads at once. */
class FrameRingTest {
    /** Collects every drained frame as an array. */
    private static final class Collector implements FrameRing.FrameSink {
        final List<byte[]> frames = new ArrayList<>();

        @Override
        public void frame(MemorySegment ring, long offset, int length) {
            byte[] b = new byte[length];
            MemorySegment.copy(ring, ValueLayout.JAVA_BYTE, offset, b, 0, length);
            frames.add(b);
        }
    }

    private static byte[] frame(Random r, int len) {
        byte[] b = new byte[len];
        r.nextBytes(b);
        return b;
    }

    private static byte[] concat(byte[] header, byte[] body) {
        byte[] all = new byte[header.length + body.length];
        System.arraycopy(header, 0, all, 0, header.length);
        System.arraycopy(body, 0, all, header.length, body.length);
        return all;
    }

    @Test
    void framesComeOutInOrderAndIntactAcrossManyWrapArounds() {
        FrameRing ring = new FrameRing(1024, 300);
        Random r = new Random(7);
        ArrayDeque<byte[]> expected = new ArrayDeque<>();
        Collector out = new Collector();
        long offered = 0;
        for (int step = 0; step < 20_000; step++) {
            if (r.nextInt(3) > 0) {
                byte[] header = frame(r, r.nextInt(11));
                int off = r.nextInt(5);
                byte[] body = frame(r, 1 + r.nextInt(300 - header.length));
                byte[] buf = new byte[off + body.length + 3];
                System.arraycopy(body, 0, buf, off, body.length);
                if (ring.offer(header, header.length, buf, off, body.length)) {
                    expected.add(concat(header, body));
                    offered++;
                }
            } else {
                ring.drain(out, 1 + r.nextInt(4));
            }
        }
        while (ring.drain(out, 64) > 0) {
            // the rest
        }
        assertThat(offered).as("frames the ring took (it wrapped ~%d times)", offered * 160 / 1024).isGreaterThan(5_000);
        assertThat(out.frames).hasSize(expected.size());
        for (byte[] got : out.frames) {
            assertThat(got).isEqualTo(expected.poll());
        }
        assertThat(ring.isEmpty()).isTrue();
    }

    @Test
    void aFullRingRefusesTheFrameAndKeepsEveryStoredOne() {
        FrameRing ring = new FrameRing(4096, 1000);
        Random r = new Random(3);
        List<byte[]> stored = new ArrayList<>();
        byte[] f;
        while (ring.offer(new byte[0], 0, f = frame(r, 500), 0, 500)) {
            stored.add(f);
        }
        // 8-byte record header + 500 bytes, padded to a multiple of 8: 512-byte records, 8 of them.
        assertThat(stored).hasSize(4096 / FrameRing.recordSize(500));
        assertThat(ring.offer(new byte[0], 0, new byte[8], 0, 8)).as("not even a small frame fits").isFalse();
        Collector out = new Collector();
        assertThat(ring.drain(out, 1)).isEqualTo(1);
        assertThat(ring.offer(new byte[0], 0, f, 0, 500)).as("room again after one drained").isTrue();
        stored.add(f);
        while (ring.drain(out, 64) > 0) {
            // the rest
        }
        assertThat(out.frames).containsExactlyElementsOf(stored);
    }

    @Test
    void aFrameLargerThanTheLimitIsRefused() {
        FrameRing ring = new FrameRing(1024, 300);
        assertThat(ring.offer(new byte[10], 10, new byte[291], 0, 291)).isFalse();
        assertThat(ring.offer(new byte[10], 10, new byte[290], 0, 290)).isTrue();
        assertThat(ring.drain(new Collector(), 8)).isEqualTo(1);
    }

    @Test
    void capacityMustBeAPowerOfTwoHoldingTwoLargestFrames() {
        assertThatThrownBy(() -> new FrameRing(3000, 100)).hasMessageContaining("power of two");
        assertThatThrownBy(() -> new FrameRing(512, 300)).hasMessageContaining("use at least 1024");
        assertThat(FrameRing.minimumCapacity(300)).isEqualTo(1024);
        assertThat(new FrameRing(FrameRing.minimumCapacity(65_560), 65_560).capacity()).isEqualTo(256 * 1024);
    }

    /**
     * A producer and a consumer thread at full speed through a small ring (it is full most of the
     * time): every frame arrives once, in order, with its bytes intact.
     */
    @Test
    void producerAndConsumerThreadsAgreeOnEveryFrame() throws Exception {
        int frames = 300_000;
        FrameRing ring = new FrameRing(8192, 1600);
        AtomicReference<String> problem = new AtomicReference<>();
        long[] received = new long[1];
        Thread consumer = Thread.ofPlatform().start(() -> {
            FrameRing.FrameSink check = (mem, offset, length) -> {
                long seq = received[0]++;
                int expectedLength = 60 + (int) (seq % 1500);
                if (length != expectedLength || mem.get(ValueLayout.JAVA_LONG_UNALIGNED, offset) != seq
                        || mem.get(ValueLayout.JAVA_BYTE, offset + length - 1) != (byte) seq) {
                    problem.compareAndSet(null, "frame " + seq + " arrived wrong (length " + length + ")");
                }
            };
            while (received[0] < frames && problem.get() == null) {
                if (ring.drain(check, 32) == 0) {
                    Thread.onSpinWait();
                }
            }
        });
        byte[] buf = new byte[1600];
        long refusals = 0;
        for (long seq = 0; seq < frames; seq++) {
            int len = 60 + (int) (seq % 1500);
            MemorySegment.ofArray(buf).set(ValueLayout.JAVA_LONG_UNALIGNED, 0, seq);
            buf[len - 1] = (byte) seq;
            while (!ring.offer(buf, 0, buf, 0, len)) {
                refusals++;
                Thread.onSpinWait();
            }
        }
        consumer.join(60_000);
        assertThat(problem.get()).isNull();
        assertThat(received[0]).isEqualTo(frames);
        assertThat(refusals).as("the ring was full at times (the test exercised that)").isPositive();
    }
}
