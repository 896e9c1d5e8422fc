package org.jnetstack.tcp.cc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class CongestionControlsTest {
    @Test
    void createsByName() {
        assertThat(CongestionControls.create("cubic")).isInstanceOf(Cubic.class);
        assertThat(CongestionControls.create(" NewReno ")).isInstanceOf(NewReno.class);
        assertThat(CongestionControls.create(null)).isInstanceOf(Cubic.class);
        assertThat(CongestionControls.DEFAULT).isEqualTo("cubic");
        assertThat(CongestionControls.names()).containsExactly("cubic", "newreno");
        assertThat(CongestionControls.create("cubic")).isNotSameAs(CongestionControls.create("cubic"));
    }

    @Test
    void unknownNamesSayWhatExists() {
        assertThatThrownBy(() -> CongestionControls.create("bbr"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'bbr'")
                .hasMessageContaining("cubic, newreno");
    }

    @Test
    void knownNamesAreCheckedWithoutAController() {
        assertThat(CongestionControls.isKnown(" CUBIC ")).isTrue();
        assertThat(CongestionControls.isKnown("newreno")).isTrue();
        assertThat(CongestionControls.isKnown(null)).as("null is the default").isTrue();
        assertThat(CongestionControls.isKnown("bbr")).isFalse();
        assertThat(CongestionControls.requireKnown("NewReno")).isEqualTo("NewReno");
        assertThatThrownBy(() -> CongestionControls.requireKnown("reno"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'reno'")
                .hasMessageContaining("cubic, newreno");
    }

    /** Any sequence of events keeps the windows sane: no overflow, no window below the loss window. */
    @Property(tries = 300)
    void randomEventsKeepWindowsSane(@ForAll long seed, @ForAll boolean cubic,
                                     @ForAll @IntRange(min = 100, max = 9000) int mss) {
        Random r = new Random(seed);
        CongestionControl cc = CongestionControls.create(cubic ? "cubic" : "newreno");
        cc.init(mss);
        long now = 0;
        for (int i = 0; i < 2000; i++) {
            now += r.nextInt(50_000_000);
            long flight = r.nextInt(4) == 0 ? r.nextLong(1L << 31) : (long) r.nextInt(4 * (int) Math.min(cc.cwnd(), 1 << 28) + 1);
            switch (r.nextInt(20)) {
                case 0 -> cc.onEnterRecovery(flight, now);
                case 1 -> cc.onExitRecovery(flight, now);
                case 2 -> cc.onRetransmitTimeout(flight, now);
                case 3 -> cc.onPartialAck(r.nextInt(3 * mss));
                case 4 -> cc.onDupAckInRecovery();
                default -> cc.onAck(1 + r.nextInt(4 * mss), flight, r.nextInt(3) == 0 ? -1 : r.nextInt(300_000_000), now);
            }
            assertThat(cc.cwnd()).isGreaterThanOrEqualTo(mss).isLessThanOrEqualTo(1L << 32);
            assertThat(cc.ssthresh()).isGreaterThanOrEqualTo(2L * mss);
        }
    }
}
