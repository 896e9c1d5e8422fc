package org.jnetstack.socket;

/**
 * A fixed-capacity ring of bytes between an application thread and the loop thread. Not
 * thread-safe: its owner guards it with a lock. The contiguous-region methods let the loop read
 * from and write to a {@code TcpConnection} straight into the ring, without a second copy. The
 * storage is allocated on first use, so a socket that never sends costs no send ring.
 */
final class ByteRing {
    private final int capacity;
    private byte[] data;
    private int head; // index of the oldest byte
    private int size;

    ByteRing(int capacity) {
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

    /** {@code n} bytes were written at {@link #tail()}. */
    void added(int n) {
        size += n;
    }

    int head() {
        return head;
    }

    /** How many bytes can be taken from {@link #head()} without wrapping. */
    int usedContiguous() {
        return Math.min(size, capacity - head);
    }

    /** The oldest {@code n} bytes were consumed. */
    void removed(int n) {
        size -= n;
        head = size == 0 ? 0 : (head + n) % capacity;
    }

    /** Copies in as much as fits; returns how much. */
    int write(byte[] src, int off, int len) {
        int n = Math.min(len, free());
        int done = 0;
        while (done < n) {
            int chunk = Math.min(n - done, freeContiguous());
            System.arraycopy(src, off + done, array(), tail(), chunk);
            size += chunk;
            done += chunk;
        }
        return n;
    }

    /** Takes out up to {@code len} bytes; returns how many. */
    int read(byte[] dst, int off, int len) {
        int n = Math.min(len, size);
        int done = 0;
        while (done < n) {
            int chunk = Math.min(n - done, usedContiguous());
            System.arraycopy(data, head, dst, off + done, chunk);
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
