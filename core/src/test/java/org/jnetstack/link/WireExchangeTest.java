package org.jnetstack.link;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.wire.MacAddress;
import org.junit.jupiter.api.Test;

/**
 * {@link LinkDevice#sendExchanging} on a {@link VirtualWire}: a large frame changes hands without a
 * copy, and the sender gets another buffer to build its next frame in. Whatever the sender then
 * does with the buffers it owns, the receiver must see exactly the bytes that were sent.
 */
class WireExchangeTest {
    static final int BUFFER = 9000;
    final EventLoop loop = EventLoop.virtual();
    final VirtualWire wire = new VirtualWire("a", new MacAddress(0x02_00_00_00_00_01L), "b", new MacAddress(0x02_00_00_00_00_02L),
            8192, 8);
    final Recorder rb = new Recorder();

    WireExchangeTest() {
        DeviceAttachment.attach(loop, wire.a(), new Recorder());
        DeviceAttachment.attach(loop, wire.b(), rb);
    }

    /** Builds a frame of {@code len} bytes at {@code off} whose bytes all depend on {@code tag}. */
    static void build(byte[] buf, int off, int len, int tag) {
        MacAddress.write(buf, off, 0x02_00_00_00_00_02L);
        MacAddress.write(buf, off + 6, 0x02_00_00_00_00_01L);
        buf[off + 12] = 0x08;
        buf[off + 13] = 0x00;
        for (int i = 14; i < len; i++) {
            buf[off + i] = (byte) (tag * 131 + i);
        }
    }

    static byte[] expected(int len, int tag) {
        byte[] f = new byte[len];
        build(f, 0, len, tag);
        return f;
    }

    @Test
    void largeFramesAreTakenAndTheSenderGetsAnotherBuffer() {
        byte[] buf = new byte[BUFFER];
        for (int tag = 0; tag < 5; tag++) {
            build(buf, 10, 4000 + tag, tag);
            byte[] next = wire.a().sendExchanging(buf, 10, 4000 + tag);
            assertThat(next).as("exchanged, not copied").isNotSameAs(buf);
            assertThat(next.length).isGreaterThanOrEqualTo(BUFFER);
            Arrays.fill(next, (byte) 0x77); // the sender scribbles over what it now owns
            buf = next;
        }
        loop.runPending();
        assertThat(rb.frames).hasSize(5);
        for (int tag = 0; tag < 5; tag++) {
            assertThat(rb.frames.get(tag)).isEqualTo(expected(4000 + tag, tag));
        }
        assertThat(wire.a().stats().txFrames.get()).isEqualTo(5);
        assertThat(wire.b().stats().rxFrames.get()).isEqualTo(5);
    }

    @Test
    void smallFramesAreCopiedAndTheSenderKeepsItsBuffer() {
        byte[] buf = new byte[BUFFER];
        build(buf, 10, 1000, 1); // under a quarter of the buffer: copying is cheaper than parking 9000 bytes
        assertThat(wire.a().sendExchanging(buf, 10, 1000)).isSameAs(buf);
        Arrays.fill(buf, (byte) 0x77);
        loop.runPending();
        assertThat(rb.frames).containsExactly(expected(1000, 1));
    }

    @Test
    void buffersCirculateWithoutGrowingOnceTheQueueHasBeenAsDeepAsItGets() {
        Set<byte[]> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        byte[] buf = new byte[BUFFER];
        seen.add(buf);
        int tag = 0;
        for (int round = 0; round < 50; round++) {
            for (int i = 0; i < 3; i++) { // three frames queued at a time
                build(buf, 0, 5000, tag++);
                buf = wire.a().sendExchanging(buf, 0, 5000);
                seen.add(buf);
            }
            loop.runPending();
        }
        assertThat(rb.frames).hasSize(150);
        assertThat(rb.frames.get(149)).isEqualTo(expected(5000, 149));
        assertThat(seen).as("the sender's buffer plus the three queued, reused ever after").hasSize(4);
    }

    @Test
    void aFullQueueDropsTheFrameAndTheSenderKeepsItsBuffer() {
        byte[] buf = new byte[BUFFER];
        for (int i = 0; i < 8; i++) {
            build(buf, 0, 5000, i);
            buf = wire.a().sendExchanging(buf, 0, 5000);
        }
        build(buf, 0, 5000, 8);
        assertThat(wire.a().sendExchanging(buf, 0, 5000)).as("left this end; dropped at the far one").isSameAs(buf);
        assertThat(wire.b().stats().counters().get("rx.dropped.queue_full")).isEqualTo(1);
        loop.runPending();
        assertThat(rb.frames).hasSize(8);
        assertThat(rb.frames.get(7)).isEqualTo(expected(5000, 7));
    }

    @Test
    void aFrameTheEndRefusesIsReportedAsDropped() {
        byte[] tooLong = new byte[BUFFER];
        assertThat(wire.a().sendExchanging(tooLong, 0, 8192 + 19)).isNull();
        assertThat(wire.a().stats().counters().get("tx.dropped.oversize")).isEqualTo(1);
    }

    @Test
    void middlewareSeesTheFramesAndSendsThemByCopy() {
        // A wrapper that reads frames (a trace, a capture) must see them before they change hands:
        // through it, sendExchanging is the default — send, i.e. a copy — and the sender keeps its buffer.
        Recorder tap = new Recorder();
        LinkDevice traced = new ForwardingDevice(wire.a()) {
            @Override
            public boolean send(byte[] buf, int off, int len) {
                tap.onFrame(buf, off, len);
                return super.send(buf, off, len);
            }
        };
        byte[] buf = new byte[BUFFER];
        build(buf, 0, 5000, 3);
        assertThat(traced.sendExchanging(buf, 0, 5000)).isSameAs(buf);
        Arrays.fill(buf, (byte) 0);
        loop.runPending();
        assertThat(tap.frames).containsExactly(expected(5000, 3));
        assertThat(rb.frames).containsExactly(expected(5000, 3));
    }
}
