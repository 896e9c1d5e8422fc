package org.jnetstack.link;

/**
 * A bounded FIFO of Ethernet frames, copied in by producers (any thread) and handed out by one
 * consumer (the receiving device's loop thread). Storage is a ring of slot buffers allocated on
 * first use and then reused, so memory follows the deepest the queue has been and steady-state
 * traffic allocates nothing.
 *
 * <p>The consumer hands a frame to its handler straight from its slot, without holding the lock:
 * producers only ever write free slots, and the head slot stays occupied until the handler returns.
 */
final class FrameQueue {
    /** Slots start at a full Ethernet frame with an 802.1Q tag, and grow only for larger frames. */
    private static final int INITIAL_SLOT_SIZE = 1518;

    private final byte[][] slots;
    private final int[] lengths;
    private int head;
    private int count;

    FrameQueue(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("queue capacity must be at least 1 frame: " + capacity);
        }
        slots = new byte[capacity][];
        lengths = new int[capacity];
    }

    int capacity() {
        return slots.length;
    }

    synchronized int size() {
        return count;
    }

    /** Copies the frame in; false when the queue is full (the caller counts the drop). */
    synchronized boolean offer(byte[] buf, int off, int len) {
        if (count == slots.length) {
            return false;
        }
        int tail = (head + count) % slots.length;
        byte[] slot = slots[tail];
        if (slot == null || slot.length < len) {
            slot = new byte[Math.max(len, INITIAL_SLOT_SIZE)];
            slots[tail] = slot;
        }
        System.arraycopy(buf, off, slot, 0, len);
        lengths[tail] = len;
        count++;
        return true;
    }

    /**
     * Hands up to {@code max} frames to {@code handler}, oldest first; returns how many, and adds
     * their sizes to {@code bytes[0]} when given. Consumer thread only.
     */
    int drainTo(FrameHandler handler, int max, long[] bytes) {
        int n = 0;
        while (n < max) {
            byte[] slot;
            int len;
            synchronized (this) {
                if (count == 0) {
                    break;
                }
                slot = slots[head];
                len = lengths[head];
            }
            try {
                handler.onFrame(slot, 0, len);
            } finally {
                synchronized (this) {
                    head = (head + 1) % slots.length;
                    count--;
                }
            }
            n++;
            if (bytes != null) {
                bytes[0] += len;
            }
        }
        return n;
    }

    /** Discards every queued frame; returns how many were discarded. */
    synchronized int clear() {
        int n = count;
        head = 0;
        count = 0;
        return n;
    }
}
