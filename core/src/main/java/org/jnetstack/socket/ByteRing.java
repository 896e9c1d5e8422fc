package org.jnetstack.socket;

/**
 * A fixed-capacity ring of bytes between an application thread and the loop thread. Not
 * thread-safe: its owner guards it with a lock. The contiguous-region methods let the loop read
 * from and write to a {@code TcpConnection} straight into the ring, without a second copy.
 */
final class ByteRing {
    private final byte[] data;
    private int head; // index of the oldest byte
    private int size;

    ByteRing(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("ring capacity must be positive: " + capacity);
        }
        data = new byte[capacity];
    }

    int size() {
        return size;
    }

    int free() {
        return data.length - size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    byte[] array() {
        return data;
    }

    /** Where the next byte goes, and how many may go there without wrapping. */
    int tail() {
        int t = head + size;
        return t >= data.length ? t - data.length : t;
    }

    int freeContiguous() {
        int t = tail();
        return size == data.length ? 0 : (t >= head ? data.length - t : head - t);
    }

    /** {@code n} bytes were written at {@link #tail()}. */
    void added(int n) {
        size += n;
    }

    int head() {
        return head;
    }

    int usedContiguous() {
        return Math.min(size, data.length - head);
    }

    /** The oldest {@code n} bytes were consumed. */
    void removed(int n) {
        size -= n;
        head = size == 0 ? 0 : (head + n) % data.length;
    }

    /** Copies in as much as fits; returns how much. */
    int write(byte[] src, int off, int len) {
        int n = Math.min(len, free());
        int done = 0;
        while (done < n) {
            int chunk = Math.min(n - done, freeContiguous());
            System.arraycopy(src, off + done, data, tail(), chunk);
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
