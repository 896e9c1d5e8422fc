package org.jnetstack.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.util.function.LongSupplier;

/** Measures bytes allocated by the calling thread (the JVM's per-thread counter; no timing). */
public final class Allocations {
    /** Enough for C2 to catch up on a quiet machine; a round that allocates nothing ends it. */
    static final int MEASURED_ROUNDS = 40;
    /**
     * Rounds after those, each after a pause that leaves the CPU to the JIT's compiler threads: on
     * a busy 2-core machine C2 may not have compiled a Vector API loop yet, and until it has, the
     * vectors are objects. Only a test that would fail runs them.
     */
    static final int PATIENT_ROUNDS = 100;
    private static final long PAUSE_MILLIS = 20;

    private Allocations() {
    }

    /**
     * Runs {@code round} {@code warmups} times (the JIT settles, pools fill), then measures rounds
     * until one allocates nothing, at most {@link #MEASURED_ROUNDS}, and returns the least any of
     * them allocated ({@link #PATIENT_ROUNDS} more, with pauses, if none was clean). A real
     * per-operation allocation shows in every round; code that is still interpreted or awaiting
     * C2 (a busy 2-core CI machine compiles late — an FFM downcall or a Vector API loop allocates
     * until then) shows only in the early ones. Each round returns a value derived from
     * its work, which must not be 0 (so the work cannot be optimised away).
     */
    public static long leastAllocatedBy(int warmups, LongSupplier round) {
        var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().threadId();
        for (int i = 0; i < warmups; i++) {
            round.getAsLong();
        }
        long least = Long.MAX_VALUE;
        for (int r = 0; r < MEASURED_ROUNDS + PATIENT_ROUNDS && least > 0; r++) {
            if (r >= MEASURED_ROUNDS) {
                pause();
            }
            long before = mx.getThreadAllocatedBytes(tid);
            long acc = round.getAsLong();
            long after = mx.getThreadAllocatedBytes(tid);
            assertThat(acc).isNotZero();
            least = Math.min(least, after - before);
        }
        return least;
    }

    private static void pause() {
        try {
            Thread.sleep(PAUSE_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while measuring allocation", e);
        }
    }
}
