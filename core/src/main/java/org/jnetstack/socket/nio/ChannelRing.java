package org.jnetstack.socket.nio;

import java.nio.ByteBuffer;

/**
 * A fixed-capacity ring of bytes between a channel's application thread and the loop thread,
 * with {@link ByteBuffer} transfers on the application's side (heap or direct) and array regions
 * on the loop's side (where the connection reads and writes). Not thread-safe: the channel's lock
 * guards it. Storage comes on first use, so a channel that never sends costs no send ring.
 */
final class ChannelRing {
    private final int capacity;
    private byte[] data;
    private int head; // index of the oldest byte
    private int size;

    ChannelRing(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("ring capacity must be positive: " + capacity);
        }
        this.capacity = capacity;
    }

    int size() {
        return size;
    }

    int free() {
        return capacity - size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    byte[] array() {
        if (data == null) {
            data = new byte[capacity];
        }
        return data;
    }

    int head() {
        return head;
    }

    /** Where the next byte goes. */
    int tail() {
        int t = head + size;
        return t >= capacity ? t - capacity : t;
    }

    /** How many bytes may go at {@link #tail()} without wrapping. */
    int freeContiguous() {
        int t = tail();
        return size == capacity ? 0 : (t >= head ? capacity - t : head - t);
    }

    /** How many bytes can be taken from {@link #head()} without wrapping. */
    int usedContiguous() {
        return Math.min(size, capacity - head);
    }

    /** {@code n} bytes were written at {@link #tail()}. */
    void added(int n) {
        size += n;
    }

    /** The oldest {@code n} bytes were consumed. */
    void removed(int n) {
        size -= n;
        head = size == 0 ? 0 : (head + n) % capacity;
    }

    /** Moves as many bytes as fit from {@code src} (its position advances); returns how many. */
    int put(ByteBuffer src) {
        int n = Math.min(src.remaining(), free());
        int done = 0;
        while (done < n) {
            int chunk = Math.min(n - done, freeContiguous());
            src.get(array(), tail(), chunk);
            size += chunk;
            done += chunk;
        }
        return n;
    }

    /** Moves as many bytes as {@code dst} has room for (its position advances); returns how many. */
    int take(ByteBuffer dst) {
        int n = Math.min(dst.remaining(), size);
        int done = 0;
        while (done < n) {
            int chunk = Math.min(n - done, usedContiguous());
            dst.put(data, head, chunk);
            removed(chunk);
            done += chunk;
        }
        return n;
    }

    void clear() {
        head = 0;
        size = 0;
    }
}
