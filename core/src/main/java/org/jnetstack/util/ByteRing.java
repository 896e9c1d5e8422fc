package org.jnetstack.util;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * A ring of bytes: the oldest byte held is at {@link #head()} of {@link #array()}, and the
 * content wraps at the end of the array. Copying transfers ({@link #write}, {@link #read},
 * {@link #peek}, {@link #put}, {@link #take}) work on either side; the contiguous-region methods
 * ({@link #tail()}, {@link #freeContiguous()}, {@link #usedContiguous()}, {@link #added},
 * {@link #skip}) let a producer or consumer work on the array in place, without a second copy.
 *
 * <p>Storage comes on first use, so a ring that is never written costs nothing. An owner that
 * manages its own arrays (a buffer drawing on a {@code MemoryBudget}) starts with
 * {@link #withoutStorage()} and hands arrays over with {@link #replaceStorage}; the capacity is
 * then the length of the array given. Not thread-safe: its owner runs it on one thread or
 * guards it with a lock. Nothing here allocates except the first {@link #array()}.
 */
public final class ByteRing {
    private int capacity;
    private byte[] data; // null until first use, or while an owner-managed ring holds no array
    private int head;    // index of the oldest byte
    private int size;

    /** A ring of {@code capacity} bytes; the array is allocated on first use. */
    public ByteRing(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("ring capacity must be positive: " + capacity);
        }
        this.capacity = capacity;
    }

    private ByteRing() {
    }

    /** A ring with no storage and capacity 0 until {@link #replaceStorage} hands it an array. */
    public static ByteRing withoutStorage() {
        return new ByteRing();
    }

    public int capacity() {
        return capacity;
    }

    public int size() {
        return size;
    }

    public int free() {
        return capacity - size;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    /** Whether the array exists yet. */
    public boolean hasStorage() {
        return data != null;
    }

    /** The storage, allocated now if this is its first use (null for a ring without storage). */
    public byte[] array() {
        if (data == null && capacity > 0) {
            data = new byte[capacity];
        }
        return data;
    }

    /** Index in {@link #array()} of the oldest byte. */
    public int head() {
        return head;
    }

    /** Index in {@link #array()} where the next byte goes. */
    public int tail() {
        return position(size);
    }

    /** Index in {@link #array()} of the byte {@code offset} bytes after the oldest (offset <= capacity). */
    public int position(int offset) {
        int i = head + offset; // head < capacity <= 2^30 and offset <= capacity: no overflow
        return i >= capacity ? i - capacity : i;
    }

    /** How many bytes may go at {@link #tail()} without wrapping. */
    public int freeContiguous() {
        int t = tail();
        return size == capacity ? 0 : (t >= head ? capacity - t : head - t);
    }

    /** How many bytes can be taken from {@link #head()} without wrapping. */
    public int usedContiguous() {
        return Math.min(size, capacity - head);
    }

    /** {@code n} bytes were written at {@link #tail()} (at most {@link #free()}). */
    public void added(int n) {
        size += n;
    }

    /** Removes up to {@code n} of the oldest bytes; returns how many were removed. */
    public int skip(int n) {
        int k = Math.min(n, size);
        size -= k;
        head = size == 0 ? 0 : position(k);
        return k;
    }

    /** Forgets everything held. */
    public void clear() {
        head = 0;
        size = 0;
    }

    /** Copies in as much of {@code src[off, off+len)} as fits; returns how much. */
    public int write(byte[] src, int off, int len) {
        int n = Math.min(len, free());
        if (n > 0) {
            copyIn(src, off, n);
        }
        return n;
    }

    /**
     * Appends all of {@code src[off, off+len)}, dropping the oldest bytes to make room; returns how
     * many old bytes were dropped. When {@code len} exceeds the capacity only its newest
     * {@code capacity} bytes are kept.
     */
    public int writeOverwriting(byte[] src, int off, int len) {
        int dropped = 0;
        if (len >= capacity) {
            dropped = size + len - capacity;
            off += len - capacity;
            len = capacity;
            clear();
        } else if (len > free()) {
            dropped = skip(len - free());
        }
        copyIn(src, off, len);
        return dropped;
    }

    private void copyIn(byte[] src, int off, int n) {
        byte[] a = array();
        int t = tail();
        int first = Math.min(n, capacity - t);
        System.arraycopy(src, off, a, t, first);
        System.arraycopy(src, off + first, a, 0, n - first);
        size += n;
    }

    /** Takes out up to {@code len} of the oldest bytes into {@code dst}; returns how many. */
    public int read(byte[] dst, int off, int len) {
        return skip(peek(dst, off, len));
    }

    /** Copies up to {@code len} of the oldest bytes into {@code dst} without removing them; returns how many. */
    public int peek(byte[] dst, int off, int len) {
        int n = Math.min(len, size);
        if (n > 0) {
            copyOut(0, dst, off, n);
        }
        return n;
    }

    /**
     * Copies {@code len} bytes starting {@code offset} bytes after the oldest into {@code dst};
     * nothing is removed.
     *
     * @throws IndexOutOfBoundsException if the range is not within the bytes held
     */
    public void copyOut(int offset, byte[] dst, int dstOff, int len) {
        Objects.checkFromIndexSize(offset, len, size);
        Objects.checkFromIndexSize(dstOff, len, dst.length);
        if (len == 0) {
            return;
        }
        int start = position(offset);
        int first = Math.min(len, capacity - start);
        System.arraycopy(data, start, dst, dstOff, first);
        System.arraycopy(data, 0, dst, dstOff + first, len - first);
    }

    /** Everything held, oldest first, in a new array. */
    public byte[] toByteArray() {
        byte[] out = new byte[size];
        peek(out, 0, size);
        return out;
    }

    /** Moves as many bytes as fit from {@code src} (its position advances); returns how many. */
    public int put(ByteBuffer src) {
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
    public int take(ByteBuffer dst) {
        int n = Math.min(dst.remaining(), size);
        int done = 0;
        while (done < n) {
            int chunk = Math.min(n - done, usedContiguous());
            dst.put(data, head, chunk);
            skip(chunk);
            done += chunk;
        }
        return n;
    }

    /**
     * Moves what is held to the start of {@code next}, which becomes the storage (its length the
     * capacity), and returns the array it replaces (null if there was none) for the owner to
     * recycle. {@code next == null} drops the storage and makes the capacity 0; only an empty
     * ring may do that.
     *
     * @throws IllegalArgumentException if {@code next} cannot hold what is held
     */
    public byte[] replaceStorage(byte[] next) {
        int length = next == null ? 0 : next.length;
        if (length < size) {
            throw new IllegalArgumentException("new storage of " + length + " bytes cannot hold the " + size + " bytes held");
        }
        if (size > 0) {
            copyOut(0, next, 0, size);
        }
        byte[] old = data;
        data = next;
        capacity = length;
        head = 0;
        return old;
    }
}
