package org.jnetstack.link;

import java.util.Arrays;

/**
 * Frames held until a release time, handed out earliest first (equal times in arrival order).
 * A binary heap over pooled slots: buffers are allocated on first use and reused, so a steady
 * stream of delayed frames allocates nothing. Bounded; loop thread only.
 */
final class DelayLine {
    private static final int INITIAL_SLOT_SIZE = 1518;

    private final int capacity;
    private byte[][] buffers = new byte[0][];
    private int[] lengths = new int[0];
    private long[] release = new long[0];
    private long[] order = new long[0];
    /** Heap of slot indexes, ordered by (release, order). */
    private int[] heap = new int[0];
    private int size;
    /** Stack of free slot indexes. */
    private int[] free = new int[0];
    private int freeCount;
    private int slotsMade;
    private long nextOrder;

    DelayLine(int capacity) {
        this.capacity = capacity;
    }

    int size() {
        return size;
    }

    boolean isFull() {
        return size == capacity;
    }

    /** Release time of the earliest frame, or {@link Long#MAX_VALUE} when empty. */
    long nextRelease() {
        return size == 0 ? Long.MAX_VALUE : release[heap[0]];
    }

    /** Copies the frame in to leave at {@code releaseAt}; false when full. */
    boolean add(byte[] buf, int off, int len, long releaseAt) {
        if (size == capacity) {
            return false;
        }
        int slot = takeSlot();
        byte[] b = buffers[slot];
        if (b == null || b.length < len) {
            b = new byte[Math.max(len, INITIAL_SLOT_SIZE)];
            buffers[slot] = b;
        }
        System.arraycopy(buf, off, b, 0, len);
        lengths[slot] = len;
        release[slot] = releaseAt;
        order[slot] = nextOrder++;
        heap[size] = slot;
        siftUp(size++);
        return true;
    }

    private int takeSlot() {
        if (freeCount > 0) {
            return free[--freeCount];
        }
        if (slotsMade == buffers.length) {
            int cap = Math.min(capacity, Math.max(8, slotsMade * 2));
            buffers = Arrays.copyOf(buffers, cap);
            lengths = Arrays.copyOf(lengths, cap);
            release = Arrays.copyOf(release, cap);
            order = Arrays.copyOf(order, cap);
            heap = Arrays.copyOf(heap, cap);
            free = Arrays.copyOf(free, cap);
        }
        return slotsMade++;
    }

    /**
     * Removes the earliest frame if it is due at {@code now} and returns its slot, else -1. The
     * slot's bytes stay valid until {@link #release(int)}.
     */
    int pollDue(long now) {
        if (size == 0 || release[heap[0]] - now > 0) {
            return -1;
        }
        int slot = heap[0];
        heap[0] = heap[--size];
        if (size > 0) {
            siftDown(0);
        }
        return slot;
    }

    byte[] buffer(int slot) {
        return buffers[slot];
    }

    int length(int slot) {
        return lengths[slot];
    }

    void release(int slot) {
        free[freeCount++] = slot;
    }

    private boolean before(int a, int b) {
        long d = release[a] - release[b];
        return d < 0 || (d == 0 && order[a] < order[b]);
    }

    private void siftUp(int i) {
        int s = heap[i];
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (!before(s, heap[parent])) {
                break;
            }
            heap[i] = heap[parent];
            i = parent;
        }
        heap[i] = s;
    }

    private void siftDown(int i) {
        int s = heap[i];
        int half = size >>> 1;
        while (i < half) {
            int child = 2 * i + 1;
            if (child + 1 < size && before(heap[child + 1], heap[child])) {
                child++;
            }
            if (!before(heap[child], s)) {
                break;
            }
            heap[i] = heap[child];
            i = child;
        }
        heap[i] = s;
    }
}
