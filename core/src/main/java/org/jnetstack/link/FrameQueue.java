package org.jnetstack.link;

/**
 * A bounded FIFO of Ethernet frames, put in by producers (any thread) and handed out by one
 * consumer (the receiving device's loop thread). A frame is either copied into the slot's own
 * buffer ({@link #offer}) — slot buffers are allocated on first use and then reused, so memory
 * follows the deepest the queue has been and steady-state traffic allocates nothing — or, for a
 * large frame, taken without a copy in exchange for a spare buffer ({@link #offerExchanging}).
 *
 * <p>The consumer hands a frame to its handler straight from its slot, without holding the lock:
 * producers only ever write free slots, and the head slot stays occupied until the handler returns.
 */
final class FrameQueue {
    /** Slots start at a full Ethernet frame with an 802.1Q tag, and grow only for larger frames. */
    private static final int INITIAL_SLOT_SIZE = 1518;
    /**
     * Room left in front of each copied frame ({@link LinkDevice#TX_HEADROOM}): a frame handed on
     * to a TAP gets its {@code virtio_net_hdr} written there and leaves in one write, without a copy.
     */
    private static final int HEADROOM = LinkDevice.TX_HEADROOM;

    /** Each slot's own buffer, which {@link #offer} copies into; null until first used. */
    private final byte[][] own;
    /** The buffer holding each queued frame: the slot's own, or one taken by exchange. */
    private final byte[][] frames;
    private final int[] offsets;
    private final int[] lengths;
    /** Each queued frame's flags ({@link FrameHandler#onFrame(byte[], int, int, int)}). */
    private final int[] flags;
    /** Buffers taken by exchange whose frames were consumed, handed out by the next exchanges. */
    private byte[][] spares;
    private int spareCount;
    private int head;
    private int count;
    /** The slot holding a frame put in by {@link #lend}, until it is consumed or {@link #endLoan}; -1 for none. */
    private int lentSlot = -1;

    FrameQueue(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("queue capacity must be at least 1 frame: " + capacity);
        }
        own = new byte[capacity][];
        frames = new byte[capacity][];
        offsets = new int[capacity];
        lengths = new int[capacity];
        flags = new int[capacity];
    }

    int capacity() {
        return own.length;
    }

    synchronized int size() {
        return count;
    }

    /** Copies the frame in; false when the queue is full (the caller counts the drop). */
    synchronized boolean offer(byte[] buf, int off, int len) {
        return offer(buf, off, len, 0);
    }

    /** Copies the frame in with its flags; false when the queue is full. */
    synchronized boolean offer(byte[] buf, int off, int len, int frameFlags) {
        if (count == own.length) {
            return false;
        }
        int tail = (head + count) % own.length;
        byte[] slot = ownSlot(tail, len);
        System.arraycopy(buf, off, slot, HEADROOM, len);
        enqueue(tail, slot, HEADROOM, len, frameFlags);
        return true;
    }

    /**
     * Takes the frame {@code buf[off, off+len)} without copying it: the queue keeps {@code buf}
     * until the frame is consumed, and returns in exchange a buffer of at least
     * {@code buf.length} bytes that the caller owns from now on (a spare from an earlier exchange,
     * or a new one while there are not enough: the buffers in circulation are at most the deepest
     * the queue has been, plus the caller's). Returns null when the queue is full; the caller
     * keeps {@code buf}. The caller must not touch {@code buf} once it is taken.
     */
    synchronized byte[] offerExchanging(byte[] buf, int off, int len) {
        if (count == own.length) {
            return null;
        }
        byte[] replacement = takeSpare(buf.length);
        enqueue((head + count) % own.length, buf, off, len, 0);
        return replacement != null ? replacement : new byte[buf.length];
    }

    /**
     * Puts a frame in without a copy for as long as its sender waits: the caller has the queue
     * drained at once and then calls {@link #endLoan}. Only to an empty queue: false (nothing
     * done) when a frame waits. Consumer thread only.
     */
    synchronized boolean lend(byte[] buf, int off, int len, int frameFlags) {
        if (count != 0 || lentSlot >= 0) {
            return false;
        }
        lentSlot = head;
        enqueue(head, buf, off, len, frameFlags);
        return true;
    }

    /**
     * The sender takes its buffer back: a lent frame still queued (its consumer took fewer
     * frames) is copied into its slot's own buffer first.
     */
    synchronized void endLoan() {
        int slot = lentSlot;
        if (slot < 0) {
            return; // consumed
        }
        lentSlot = -1;
        int len = lengths[slot];
        byte[] own = ownSlot(slot, len);
        System.arraycopy(frames[slot], offsets[slot], own, HEADROOM, len);
        frames[slot] = own;
        offsets[slot] = HEADROOM;
    }

    private byte[] ownSlot(int slot, int len) {
        byte[] b = own[slot];
        if (b == null || b.length < HEADROOM + len) {
            b = new byte[HEADROOM + Math.max(len, INITIAL_SLOT_SIZE)];
            own[slot] = b;
        }
        return b;
    }

    private void enqueue(int slot, byte[] buf, int off, int len, int frameFlags) {
        frames[slot] = buf;
        flags[slot] = frameFlags;
        offsets[slot] = off;
        lengths[slot] = len;
        count++;
    }

    /** A spare of at least {@code size} bytes, or null (spares are few: at most the queue's depth). */
    private byte[] takeSpare(int size) {
        for (int i = spareCount - 1; i >= 0; i--) {
            byte[] b = spares[i];
            if (b.length >= size) {
                spares[i] = spares[--spareCount]; // order does not matter; the latest stay near the top
                spares[spareCount] = null;
                return b;
            }
        }
        return null;
    }

    /** The head frame was consumed: a buffer taken by exchange becomes a spare. */
    private void release(int slot) {
        byte[] b = frames[slot];
        frames[slot] = null;
        if (slot == lentSlot) {
            lentSlot = -1; // a lent buffer goes back to its sender, not to the spares
            return;
        }
        if (b != own[slot]) {
            if (spares == null) {
                spares = new byte[own.length][];
            }
            if (spareCount < spares.length) {
                spares[spareCount++] = b;
            }
        }
    }

    /**
     * Hands up to {@code max} frames to {@code handler}, oldest first; returns how many, and adds
     * their sizes to {@code bytes[0]} when given. Consumer thread only.
     */
    int drainTo(FrameHandler handler, int max, long[] bytes) {
        int n = 0;
        while (n < max) {
            byte[] frame;
            int off;
            int len;
            int f;
            synchronized (this) {
                if (count == 0) {
                    break;
                }
                frame = frames[head];
                off = offsets[head];
                len = lengths[head];
                f = flags[head];
            }
            try {
                if (f == 0) {
                    handler.onFrame(frame, off, len);
                } else {
                    handler.onFrame(frame, off, len, f);
                }
            } finally {
                synchronized (this) {
                    release(head);
                    head = (head + 1) % own.length;
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
        for (int i = 0; i < n; i++) {
            release((head + i) % own.length);
        }
        head = 0;
        count = 0;
        return n;
    }
}
