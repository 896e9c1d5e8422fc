package org.jnetstack.loop;

import java.util.Arrays;

/** The {@link BatchEndTask}s requested in this iteration, in request order; allocation-free once grown. */
final class BatchEndQueue {
    /**
     * Tasks run in one step at the most: a task that keeps requesting itself cannot hold the loop;
     * what is left runs in the next iteration.
     */
    static final int MAX_PER_STEP = 1 << 16;

    private BatchEndTask[] queue = new BatchEndTask[64];
    private int count;

    void add(BatchEndTask t) {
        if (count == queue.length) {
            queue = Arrays.copyOf(queue, count * 2);
        }
        queue[count++] = t;
    }

    boolean isEmpty() {
        return count == 0;
    }

    /**
     * Runs the requested tasks, and those requested while they run, in order; each one's request
     * is cleared before its action runs, so it may be requested again. What a task throws is
     * contained as the loop contains a timer's fault.
     */
    void runAll(EventLoop loop) {
        int i = 0;
        while (i < count && i < MAX_PER_STEP) {
            BatchEndTask t = queue[i];
            queue[i++] = null;
            t.requested = false;
            loop.runContained(t.action, "batch end");
        }
        int left = count - i;
        System.arraycopy(queue, i, queue, 0, left);
        Arrays.fill(queue, left, count, null);
        count = left;
    }
}
