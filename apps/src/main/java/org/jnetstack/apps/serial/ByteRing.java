package org.jnetstack.apps.serial;

/**
 * A fixed-capacity byte ring: the scrollback, and each client's output queue. Writing more
 * than fits overwrites the oldest bytes ({@link #writeOverwriting}) or is refused
 * ({@link #free()} tells the caller first). Not thread-safe: the loop thread owns it.
 */
final class ByteRing {
    private final byte[] buf;
    private int head;
    private int size;

    ByteRing(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1: " + capacity);
        }
        buf = new byte[capacity];
    }

    int capacity() {
        return buf.length;
    }

    int size() {
        return size;
    }

    int free() {
        return buf.length - size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** Appends, dropping the oldest bytes when full; returns how many old bytes were dropped. */
    int writeOverwriting(byte[] src, int off, int len) {
        int dropped = 0;
        if (len >= buf.length) { // only the newest capacity bytes survive
            dropped = size + len - buf.length;
            off += len - buf.length;
            len = buf.length;
            head = 0;
            size = 0;
        } else if (len > free()) {
            dropped = len - free();
            skip(dropped);
        }
        int tail = (head + size) % buf.length;
        int first = Math.min(len, buf.length - tail);
        System.arraycopy(src, off, buf, tail, first);
        System.arraycopy(src, off + first, buf, 0, len - first);
        size += len;
        return dropped;
    }

    /** Copies up to {@code len} of the oldest bytes into {@code dst} without removing them. */
    int peek(byte[] dst, int off, int len) {
        int n = Math.min(len, size);
        int first = Math.min(n, buf.length - head);
        System.arraycopy(buf, head, dst, off, first);
        System.arraycopy(buf, 0, dst, off + first, n - first);
        return n;
    }

    /** Removes the {@code n} oldest bytes. */
    void skip(int n) {
        int k = Math.min(n, size);
        head = (head + k) % buf.length;
        size -= k;
        if (size == 0) {
            head = 0;
        }
    }

    /** Everything held, oldest first. */
    byte[] toByteArray() {
        byte[] out = new byte[size];
        peek(out, 0, size);
        return out;
    }
}
