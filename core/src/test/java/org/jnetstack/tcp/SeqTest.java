package org.jnetstack.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** RFC 9293 §3.4: comparisons modulo 2^32, tested across the wrap. */
class SeqTest {
    private static final int NEAR_WRAP = 0xFFFFFF00;

    @Test
    void comparisonsAcrossTheWrap() {
        int after = NEAR_WRAP + 0x200; // 0x00000100
        assertThat(after).isEqualTo(0x100);
        assertThat(Seq.lt(NEAR_WRAP, after)).isTrue();
        assertThat(Seq.le(NEAR_WRAP, after)).isTrue();
        assertThat(Seq.gt(after, NEAR_WRAP)).isTrue();
        assertThat(Seq.ge(after, NEAR_WRAP)).isTrue();
        assertThat(Seq.lt(after, NEAR_WRAP)).isFalse();
        assertThat(Seq.gt(NEAR_WRAP, after)).isFalse();
        // A plain signed comparison gets this wrong, which is the point of the class.
        assertThat(NEAR_WRAP < after).isTrue();
        assertThat(Integer.compareUnsigned(NEAR_WRAP, after) < 0).isFalse();
        assertThat(Seq.lt(Integer.MAX_VALUE, Integer.MIN_VALUE)).isTrue();
    }

    @Test
    void equalValues() {
        assertThat(Seq.lt(NEAR_WRAP, NEAR_WRAP)).isFalse();
        assertThat(Seq.gt(NEAR_WRAP, NEAR_WRAP)).isFalse();
        assertThat(Seq.le(NEAR_WRAP, NEAR_WRAP)).isTrue();
        assertThat(Seq.ge(NEAR_WRAP, NEAR_WRAP)).isTrue();
    }

    @Test
    void maxAndMinAcrossTheWrap() {
        assertThat(Seq.max(NEAR_WRAP, 5)).isEqualTo(5);
        assertThat(Seq.min(NEAR_WRAP, 5)).isEqualTo(NEAR_WRAP);
        assertThat(Seq.max(5, NEAR_WRAP)).isEqualTo(5);
        assertThat(Seq.min(5, NEAR_WRAP)).isEqualTo(NEAR_WRAP);
        assertThat(Seq.max(-1, -2)).isEqualTo(-1);
    }

    @Test
    void inWindowAcrossTheWrap() {
        int start = NEAR_WRAP;
        int len = 0x200;
        assertThat(Seq.inWindow(start, start, len)).isTrue();
        assertThat(Seq.inWindow(-1, start, len)).isTrue();
        assertThat(Seq.inWindow(0, start, len)).isTrue();
        assertThat(Seq.inWindow(0xFF, start, len)).isTrue();
        assertThat(Seq.inWindow(0x100, start, len)).as("start+len is outside").isFalse();
        assertThat(Seq.inWindow(start - 1, start, len)).isFalse();
        assertThat(Seq.inWindow(start, start, 0)).as("an empty window holds nothing").isFalse();
    }

    @Test
    void windowLengthIsUnsigned() {
        // 0xFFFFFFFF as unsigned covers every sequence number except start - 1.
        assertThat(Seq.inWindow(NEAR_WRAP + 0x7FFFFFFF + 10, NEAR_WRAP, 0xFFFFFFFF)).isTrue();
        assertThat(Seq.inWindow(NEAR_WRAP - 1, NEAR_WRAP, 0xFFFFFFFF)).isFalse();
        assertThat(Seq.inWindow(NEAR_WRAP + 0x80000000, NEAR_WRAP, 0x80000001)).isTrue();
        assertThat(Seq.inWindow(NEAR_WRAP + 0x80000000, NEAR_WRAP, 0x80000000)).isFalse();
    }

    @Property
    void orderIsShiftInvariant(@ForAll int base, @ForAll @IntRange(min = -1_000_000, max = 1_000_000) int delta,
                               @ForAll int shift) {
        int a = base;
        int b = base + delta;
        assertThat(Seq.lt(a, b)).isEqualTo(delta > 0);
        assertThat(Seq.lt(a + shift, b + shift)).isEqualTo(Seq.lt(a, b));
        assertThat(Seq.le(a, b)).isEqualTo(delta >= 0);
        assertThat(Seq.gt(b, a)).isEqualTo(delta > 0);
        assertThat(Seq.ge(b, a)).isEqualTo(delta >= 0);
        assertThat(Seq.max(a, b)).isEqualTo(delta >= 0 ? b : a);
        assertThat(Seq.min(a, b)).isEqualTo(delta >= 0 ? a : b);
        assertThat(Seq.inWindow(b, a, 1_000_001)).isEqualTo(delta >= 0);
    }
}
