package org.jnetstack.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.util.function.LongSupplier;

/** Measures bytes allocated by the calling thread (the JVM's per-thread counter; no timing). */
public final class Allocations {
    private Allocations() {
    }

    /**
     * Runs {@code round} {@code warmups} times (the JIT settles, pools fill), then measures up to
     * five rounds and returns the least any of them allocated: a real per-operation allocation
     * shows in every round, a JIT recompilation on a busy machine in one. Each round returns a
     * value derived from its work, which must not be 0 (so the work cannot be optimised away).
     */
    public static long leastAllocatedBy(int warmups, LongSupplier round) {
        var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().threadId();
        for (int i = 0; i < warmups; i++) {
            round.getAsLong();
        }
        long least = Long.MAX_VALUE;
        for (int r = 0; r < 5 && least > 0; r++) {
            long before = mx.getThreadAllocatedBytes(tid);
            long acc = round.getAsLong();
            long after = mx.getThreadAllocatedBytes(tid);
            assertThat(acc).isNotZero();
            least = Math.min(least, after - before);
        }
        return least;
    }
}
