package org.jnetstack.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.jnetstack.loop.EventLoop;
import org.jnetstack.loop.LoopConfig;
import org.jnetstack.loop.VirtualClock;
import org.jnetstack.wire.MacAddress;
import org.junit.jupiter.api.Test;

class LoopbackAndWireTest {

    @Test
    void loopbackReturnsSentFramesOnTheNextIterationInOrder() {
        EventLoop loop = EventLoop.virtual();
        Loopback lo = new Loopback();
        Recorder r = new Recorder();
        DeviceAttachment.attach(loop, lo, r);
        for (int i = 0; i < 3; i++) {
            byte[] f = TestFrames.ethernet(lo.mac().bits(), lo.mac().bits(), 0x0800, i);
            assertThat(lo.send(f, 0, f.length)).isTrue();
            f[14] = 99; // the caller may reuse its buffer at once
        }
        assertThat(r.count()).as("not delivered re-entrantly from send").isZero();
        loop.runPending();
        assertThat(r.tags()).containsExactly(0, 1, 2);
        assertThat(lo.stats().txFrames.get()).isEqualTo(3);
        assertThat(lo.stats().rxFrames.get()).isEqualTo(3);
    }

    @Test
    void loopbackFrameSentFromItsOwnHandlerArrivesOnALaterIteration() {
        EventLoop loop = EventLoop.virtual();
        Loopback lo = new Loopback();
        int[] seen = new int[1];
        DeviceAttachment.attach(loop, lo, (buf, off, len) -> {
            if (++seen[0] < 5) {
                lo.send(buf, off, len);
            }
        });
        byte[] f = TestFrames.ethernet(1, 2, 0x0800, 0);
        lo.send(f, 0, f.length);
        loop.runPending();
        assertThat(seen[0]).isEqualTo(5);
    }

    @Test
    void wireCarriesEveryFrameToTheOtherEndOnly() {
        EventLoop loop = EventLoop.virtual();
        VirtualWire wire = new VirtualWire();
        Recorder ra = new Recorder();
        Recorder rb = new Recorder();
        DeviceAttachment.attach(loop, wire.a(), ra);
        DeviceAttachment.attach(loop, wire.b(), rb);
        byte[] toNobody = TestFrames.ethernet(0x02_99_99_99_99_99L, wire.a().mac().bits(), 0x0800, 7);
        wire.a().send(toNobody, 0, toNobody.length);
        byte[] back = TestFrames.ethernet(MacAddress.BROADCAST.bits(), wire.b().mac().bits(), 0x0800, 8);
        wire.b().send(back, 0, back.length);
        loop.runPending();
        assertThat(rb.tags()).containsExactly(7);
        assertThat(ra.tags()).containsExactly(8);
        assertThat(wire.a().mac()).isNotEqualTo(wire.b().mac());
    }

    @Test
    void wireEndNotAttachedCountsWhatItCouldNotTake() {
        VirtualWire wire = new VirtualWire();
        EventLoop loop = EventLoop.virtual();
        DeviceAttachment.attach(loop, wire.a(), new Recorder());
        byte[] f = TestFrames.ethernet(1, 2, 0x0800, 0);
        assertThat(wire.a().send(f, 0, f.length)).isTrue();
        assertThat(wire.b().stats().rxDropped.get()).isEqualTo(1);
    }

    @Test
    void moreFramesThanOneReceiveBatchAreAllDeliveredBeforeTheLoopCallsItIdle() {
        EventLoop loop = EventLoop.virtual();
        Loopback lo = new Loopback("lo", MacAddress.parse("02:00:00:00:00:01"), 1500, 1000);
        Recorder r = new Recorder();
        DeviceAttachment.attach(loop, lo, r);
        for (int i = 0; i < 3 * LoopConfig.DEFAULT_RECEIVE_BATCH + 5; i++) {
            byte[] f = TestFrames.ethernet(1, 2, 0x0800, i);
            lo.send(f, 0, f.length);
        }
        loop.runPending();
        assertThat(r.count()).isEqualTo(3 * LoopConfig.DEFAULT_RECEIVE_BATCH + 5);
    }

    @Test
    void theLoopTakesAsManyFramesPerTurnAsItsConfigSays() {
        EventLoop loop = new EventLoop(new VirtualClock(), LoopConfig.defaults().withReceiveBatch(1));
        Loopback lo = new Loopback("lo", MacAddress.parse("02:00:00:00:00:01"), 1500, 1000);
        Recorder r = new Recorder();
        DeviceAttachment.attach(loop, lo, r);
        for (int i = 0; i < 10; i++) {
            byte[] f = TestFrames.ethernet(1, 2, 0x0800, i);
            lo.send(f, 0, f.length);
        }
        loop.runPending();
        assertThat(r.count()).isEqualTo(10);
        assertThat(loop.counters().get("loop.iterations")).as("one frame a turn").isGreaterThanOrEqualTo(10);
        assertThatThrownBy(() -> new LoopConfig(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("receiveBatch must be 1-" + LoopConfig.MAX_RECEIVE_BATCH);
    }
}
