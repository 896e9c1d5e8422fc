package org.jnetstack.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MemoryBudgetTest {
    static final int PAGE = MemoryBudget.PAGE;

    @Test
    void arraysGrowInDoublingPagesUpToTheCapacity() {
        assertThat(MemoryBudget.arrayLengthFor(1, 256 * 1024)).isEqualTo(PAGE);
        assertThat(MemoryBudget.arrayLengthFor(PAGE, 256 * 1024)).isEqualTo(PAGE);
        assertThat(MemoryBudget.arrayLengthFor(PAGE + 1, 256 * 1024)).isEqualTo(2 * PAGE);
        assertThat(MemoryBudget.arrayLengthFor(100_000, 256 * 1024)).isEqualTo(128 * 1024);
        assertThat(MemoryBudget.arrayLengthFor(200_000, 256 * 1024)).isEqualTo(256 * 1024);
        assertThat(MemoryBudget.arrayLengthFor(70_000, 100_000)).as("never past the capacity").isEqualTo(100_000);
        assertThat(MemoryBudget.arrayLengthFor(1, 16)).as("a small buffer is one array of its capacity").isEqualTo(16);
        assertThat(MemoryBudget.arrayLengthFor(1 << 30, 1 << 30)).isEqualTo(1 << 30);
        assertThat(MemoryBudget.roundToPages(1)).isEqualTo(PAGE);
        assertThat(MemoryBudget.roundToPages(PAGE + 1)).isEqualTo(2 * PAGE);
    }

    @Test
    void chargesAgainstTheLimitWithPressureAtThreeQuarters() {
        MemoryBudget m = new MemoryBudget(64 * PAGE);
        assertThat(m.tryCharge(47 * PAGE)).isTrue();
        assertThat(m.underPressure()).isFalse();
        assertThat(m.tryCharge(PAGE)).isTrue();
        assertThat(m.underPressure()).as("48 of 64 pages").isTrue();
        assertThat(m.tryCharge(17 * PAGE)).as("would pass the limit").isFalse();
        assertThat(m.used()).isEqualTo(48 * PAGE);
        m.charge(20 * PAGE); // promised bytes: never refused
        assertThat(m.used()).isEqualTo(68 * PAGE);
        assertThat(m.available()).isZero();
        m.uncharge(68 * PAGE);
        assertThat(m.used()).isZero();
        assertThat(m.peak()).isEqualTo(68 * PAGE);
        assertThatThrownBy(() -> new MemoryBudget(100)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least");
    }

    @Test
    void givenBackArraysAreReusedWithinTheCacheBound() {
        MemoryBudget m = new MemoryBudget(1 << 20); // cache: an eighth, 128 KiB
        byte[] a = m.takeArray(PAGE);
        m.giveArray(a);
        assertThat(m.cachedBytes()).isEqualTo(PAGE);
        assertThat(m.takeArray(PAGE)).as("the same array again, nothing allocated").isSameAs(a);
        assertThat(m.cachedBytes()).isZero();
        m.giveArray(new byte[1000]); // not a pooled size
        m.giveArray(new byte[256 * 1024]); // beyond the cache bound
        assertThat(m.cachedBytes()).isZero();
        m.giveArray(new byte[2 * PAGE]);
        m.charge(800 * 1024); // pressure: the cache is dropped
        assertThat(m.cachedBytes()).isZero();
        m.giveArray(new byte[PAGE]);
        assertThat(m.cachedBytes()).as("nothing cached under pressure").isZero();
    }
}
