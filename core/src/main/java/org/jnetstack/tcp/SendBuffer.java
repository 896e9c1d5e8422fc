package org.jnetstack.tcp;

import java.util.Objects;
import org.jnetstack.wire.Checksum;

/**
 * The bytes the application wrote and the peer has not acknowledged yet — both the sent but
 * unacknowledged ones and those not yet sent — held in a ring of fixed capacity.
 *
 * <p>Offsets are relative to the oldest byte held, which is the byte at SND.UNA once the
 * connection is synchronized (RFC 9293 §3.3.1); the caller maps sequence numbers to offsets
 * with {@code seq - sndUna}, so this class never sees a sequence number and wrap-around of
 * sequence space cannot reach it.
 *
 * <p>The array is allocated on the first write, not in the constructor: an idle connection
 * costs no buffer memory (DESIGN §4, issue #3: "allocated only when needed"). Single-threaded.
 */
public final class SendBuffer {
    /** The largest capacity: RFC 7323 §2.3 caps a window at 2^30, and ring indexes stay in int range. */
    public static final int MAX_CAPACITY = 1 << 30;

    private int capacity;
    private byte[] ring;   // null until the first write (or after trim())
    private int head;      // index of the oldest byte held
    private int size;      // bytes held

    public SendBuffer(int capacity) {
        if (capacity <= 0 || capacity > MAX_CAPACITY) {
            throw new IllegalArgumentException("capacity must be in 1.." + MAX_CAPACITY + ", got " + capacity);
        }
        this.capacity = capacity;
    }

    public int capacity() {
        return capacity;
    }

    /** Bytes held: unacknowledged plus unsent. */
    public int size() {
        return size;
    }

    /** Room left for the application. */
    public int free() {
        return capacity - size;
    }

    /** True once storage has been allocated (for tests and per-connection memory accounting). */
    boolean isAllocated() {
        return ring != null;
    }

    /** Copies as much of {@code src[off, off+len)} as fits; returns the number of bytes accepted. */
    public int write(byte[] src, int off, int len) {
        Objects.checkFromIndexSize(off, len, src.length);
        int n = Math.min(len, capacity - size);
        if (n == 0) {
            return 0;
        }
        if (ring == null) {
            ring = new byte[capacity];
        }
        int tail = index(size);
        int first = Math.min(n, capacity - tail);
        System.arraycopy(src, off, ring, tail, first);
        System.arraycopy(src, off + first, ring, 0, n - first);
        size += n;
        return n;
    }

    /**
     * Lets {@code w} write straight into the free space — one piece, or two when the ring wraps
     * (the second only if the first was filled completely) — and keeps the bytes it reports, as
     * {@link #write} would have accepted them. Returns that count. Allocates the ring as
     * {@code write} does; nothing is kept if a count lies outside its piece.
     *
     * @throws IllegalStateException if {@code w} returns a count outside 0..piece length
     */
    public int writeInPlace(InPlaceWriter w) {
        int free = capacity - size;
        if (free == 0) {
            return 0;
        }
        if (ring == null) {
            ring = new byte[capacity];
        }
        int tail = index(size);
        int first = Math.min(free, capacity - tail);
        int n = InPlaceCounts.check(w.fill(ring, tail, first), first, "InPlaceWriter.fill");
        if (n == first && first < free) {
            n += InPlaceCounts.check(w.fill(ring, 0, free - first), free - first, "InPlaceWriter.fill");
        }
        size += n;
        return n;
    }

    /**
     * Copies {@code len} bytes starting {@code offset} bytes after the oldest byte held into
     * {@code dst} (to build a segment or a retransmission); nothing is consumed.
     *
     * @throws IndexOutOfBoundsException if the range is not within the bytes held
     */
    public void copyOut(int offset, byte[] dst, int dstOff, int len) {
        Objects.checkFromIndexSize(offset, len, size);
        Objects.checkFromIndexSize(dstOff, len, dst.length);
        if (len == 0) {
            return;
        }
        int start = index(offset);
        int first = Math.min(len, capacity - start);
        System.arraycopy(ring, start, dst, dstOff, first);
        System.arraycopy(ring, 0, dst, dstOff + first, len - first);
    }

    /**
     * Like {@link #copyOut}, and returns the Internet checksum's partial sum of the copied bytes
     * (RFC 1071, as {@code Checksum.partial(dst, dstOff, len, 0)} would compute it afterwards),
     * summed while copying: one pass over the payload of a segment being built instead of two.
     */
    public int copyOutAndSum(int offset, byte[] dst, int dstOff, int len) {
        Objects.checkFromIndexSize(offset, len, size);
        Objects.checkFromIndexSize(dstOff, len, dst.length);
        if (len == 0) {
            return 0;
        }
        int start = index(offset);
        int first = Math.min(len, capacity - start);
        int sum = Checksum.copyAndPartial(ring, start, dst, dstOff, first, 0);
        if (first < len) {
            // The ring wrapped: the second piece starts `first` bytes into the payload.
            sum = Checksum.addPiece(sum, Checksum.copyAndPartial(ring, 0, dst, dstOff + first, len - first, 0), first);
        }
        return sum;
    }

    /** The oldest {@code n} bytes were acknowledged (SND.UNA advanced by n): forget them. */
    public void release(int n) {
        Objects.checkFromIndexSize(0, n, size);
        size -= n;
        head = size == 0 ? 0 : index(n);
    }

    /**
     * Changes the capacity keeping the content (e.g. when the application sets SO_SNDBUF or the
     * stack auto-tunes). If nothing has been written yet, only the number changes.
     *
     * @throws IllegalArgumentException if {@code newCapacity < size()} or outside 1..MAX_CAPACITY
     */
    public void resize(int newCapacity) {
        if (newCapacity <= 0 || newCapacity > MAX_CAPACITY || newCapacity < size) {
            throw new IllegalArgumentException(
                    "new capacity " + newCapacity + " must be positive and hold the " + size + " bytes held");
        }
        if (ring != null && newCapacity != capacity) {
            byte[] grown = new byte[newCapacity];
            copyOut(0, grown, 0, size);
            ring = grown;
            head = 0;
        }
        capacity = newCapacity;
    }

    /**
     * Gives the storage back when nothing is held, so an idle connection holds no buffer; the
     * next write allocates again. Returns whether storage was released.
     */
    public boolean trim() {
        if (size != 0 || ring == null) {
            return false;
        }
        ring = null;
        head = 0;
        return true;
    }

    private int index(int offset) {
        int i = head + offset;
        return i >= capacity ? i - capacity : i; // head < capacity, offset <= capacity <= 2^30: no overflow
    }
}
