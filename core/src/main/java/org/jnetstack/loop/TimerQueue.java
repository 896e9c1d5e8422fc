package org.jnetstack.loop;

import java.util.Arrays;

/**
 * An indexed binary min-heap of {@link Timer}s: schedule, re-schedule and cancel are
 * O(log n) and allocate nothing once the array has grown. Timers with equal deadlines fire
 * in the order they were armed, which keeps simulations deterministic.
 */
final class TimerQueue {
    private Timer[] heap = new Timer[64];
    private int size;
    private long nextSequence;

    int size() {
        return size;
    }

    /** Deadline of the earliest timer, or {@link Long#MAX_VALUE} if none is armed. */
    long nextDeadline() {
        return size == 0 ? Long.MAX_VALUE : heap[0].deadline;
    }

    void schedule(Timer t, long deadline) {
        t.deadline = deadline;
        t.sequence = nextSequence++;
        if (t.heapIndex < 0) {
            if (size == heap.length) {
                heap = Arrays.copyOf(heap, size * 2);
            }
            t.heapIndex = size;
            heap[size++] = t;
            siftUp(t.heapIndex);
        } else {
            // Re-armed: it may need to move either way.
            siftUp(t.heapIndex);
            siftDown(t.heapIndex);
        }
    }

    void cancel(Timer t) {
        int i = t.heapIndex;
        if (i < 0) {
            return;
        }
        t.heapIndex = -1;
        Timer last = heap[--size];
        heap[size] = null;
        if (i < size) {
            heap[i] = last;
            last.heapIndex = i;
            siftUp(i);
            siftDown(last.heapIndex);
        }
    }

    /** Removes and returns the earliest timer if it is due at {@code now}, else null. */
    Timer pollDue(long now) {
        if (size == 0 || heap[0].deadline - now > 0) {
            return null;
        }
        Timer t = heap[0];
        cancel(t);
        return t;
    }

    private static boolean before(Timer a, Timer b) {
        long d = a.deadline - b.deadline;
        return d < 0 || (d == 0 && a.sequence < b.sequence);
    }

    private void siftUp(int i) {
        Timer t = heap[i];
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            Timer p = heap[parent];
            if (!before(t, p)) {
                break;
            }
            heap[i] = p;
            p.heapIndex = i;
            i = parent;
        }
        heap[i] = t;
        t.heapIndex = i;
    }

    private void siftDown(int i) {
        Timer t = heap[i];
        int half = size >>> 1;
        while (i < half) {
            int child = 2 * i + 1;
            Timer c = heap[child];
            int right = child + 1;
            if (right < size && before(heap[right], c)) {
                child = right;
                c = heap[child];
            }
            if (!before(c, t)) {
                break;
            }
            heap[i] = c;
            c.heapIndex = i;
            i = child;
        }
        heap[i] = t;
        t.heapIndex = i;
    }
}
