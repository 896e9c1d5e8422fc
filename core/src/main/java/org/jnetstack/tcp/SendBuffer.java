package org.jnetstack.tcp;

import java.util.Objects;
import org.jnetstack.internal.MemoryBudget;
import org.jnetstack.util.ByteRing;
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
 * <p>The ring follows the data: it is taken from the stack's {@link MemoryBudget} on the first
 * write (one page or more), grows by doubling up to {@code capacity} as the application queues
 * more, and goes back with {@link #trim} once everything was acknowledged — an idle connection
 * holds no data pages (DESIGN §5). Under memory pressure it does not grow: {@link #free()} then
 * offers only the room left in the ring it has (or one page when it has none). Single-threaded.
 */
final class SendBuffer {
    /** The largest capacity: RFC 7323 §2.3 caps a window at 2^30, and ring indexes stay in int range. */
    public static final int MAX_CAPACITY = 1 << 30;

    private int capacity;
    // No storage until the first write (or after trim()); its array's length is at most capacity.
    private final ByteRing ring = ByteRing.withoutStorage();
    private final MemoryBudget memory; // null: plain arrays, nothing charged (unit tests)
    private int lengthHint; // the ring's length when last trimmed: taken again at once, no regrowing

    public SendBuffer(int capacity) {
        this(capacity, null);
    }

    /** A buffer whose storage comes from, and is charged to, {@code memory} (null: plain arrays). */
    public SendBuffer(int capacity, MemoryBudget memory) {
        this.memory = memory;
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
        return ring.size();
    }

    /** Room left for the application: up to the capacity, or, under memory pressure, what the ring has. */
    public int free() {
        if (memory != null && memory.underPressure()) {
            int have = ring.hasStorage() ? ring.capacity() : Math.min(MemoryBudget.PAGE, capacity);
            return Math.max(0, Math.min(have, capacity) - ring.size());
        }
        return capacity - ring.size();
    }

    /** True once storage has been allocated (for tests and per-connection memory accounting). */
    boolean isAllocated() {
        return ring.hasStorage();
    }

    /** Bytes of storage held now (0 when idle). */
    public int footprint() {
        return ring.capacity();
    }

    /** Drops everything held (the connection ended) and gives the storage back. */
    public void discard() {
        ring.clear();
        trim();
    }

    /** Makes the ring hold at least {@code needed} bytes (needed <= capacity), moving what it holds. */
    private void ensureStorage(int needed) {
        if (ring.capacity() >= needed) {
            return;
        }
        int hint = memory != null && memory.underPressure() ? 0 : lengthHint;
        int length = MemoryBudget.arrayLengthFor(Math.max(needed, hint), capacity);
        if (memory != null && length - ring.capacity() > memory.available()) {
            // Doubling would pass the budget: just the pages needed (an unpooled array).
            length = Math.min(capacity, Math.max(needed, MemoryBudget.roundToPages(needed)));
        }
        give(ring.replaceStorage(take(length)));
    }

    private byte[] take(int length) {
        if (memory == null) {
            return new byte[length];
        }
        memory.charge(length);
        return memory.takeArray(length);
    }

    private void give(byte[] a) {
        if (a != null && memory != null) {
            memory.uncharge(a.length);
            memory.giveArray(a);
        }
    }

    /** Copies as much of {@code src[off, off+len)} as fits; returns the number of bytes accepted. */
    public int write(byte[] src, int off, int len) {
        Objects.checkFromIndexSize(off, len, src.length);
        int n = Math.min(len, free());
        if (n == 0) {
            return 0;
        }
        ensureStorage(ring.size() + n);
        return ring.write(src, off, n);
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
        int free = free();
        if (free == 0) {
            return 0;
        }
        if (ring.free() == 0) {
            // Offer a page, or as much as the ring last had (a bulk writer gets its whole ring back at once).
            ensureStorage(ring.size() + Math.min(free, Math.max(MemoryBudget.PAGE, lengthHint)));
        }
        free = Math.min(free, ring.free());
        byte[] a = ring.array();
        int first = Math.min(free, ring.freeContiguous());
        int n = InPlaceCounts.check(w.fill(a, ring.tail(), first), first, "InPlaceWriter.fill");
        if (n == first && first < free) {
            n += InPlaceCounts.check(w.fill(a, 0, free - first), free - first, "InPlaceWriter.fill");
        }
        ring.added(n);
        return n;
    }

    /**
     * Copies {@code len} bytes starting {@code offset} bytes after the oldest byte held into
     * {@code dst} (to build a segment or a retransmission); nothing is consumed.
     *
     * @throws IndexOutOfBoundsException if the range is not within the bytes held
     */
    public void copyOut(int offset, byte[] dst, int dstOff, int len) {
        ring.copyOut(offset, dst, dstOff, len);
    }

    /**
     * Like {@link #copyOut}, and returns the Internet checksum's partial sum of the copied bytes
     * (RFC 1071, as {@code Checksum.partial(dst, dstOff, len, 0)} would compute it afterwards),
     * summed while copying: one pass over the payload of a segment being built instead of two.
     */
    public int copyOutAndSum(int offset, byte[] dst, int dstOff, int len) {
        Objects.checkFromIndexSize(offset, len, ring.size());
        Objects.checkFromIndexSize(dstOff, len, dst.length);
        if (len == 0) {
            return 0;
        }
        byte[] a = ring.array();
        int start = ring.position(offset);
        int first = Math.min(len, a.length - start);
        int sum = Checksum.copyAndPartial(a, start, dst, dstOff, first, 0);
        if (first < len) {
            // The ring wrapped: the second piece starts `first` bytes into the payload.
            sum = Checksum.addPiece(sum, Checksum.copyAndPartial(a, 0, dst, dstOff + first, len - first, 0), first);
        }
        return sum;
    }

    /** The oldest {@code n} bytes were acknowledged (SND.UNA advanced by n): forget them. */
    public void release(int n) {
        Objects.checkFromIndexSize(0, n, ring.size());
        ring.skip(n);
    }

    /**
     * Changes the capacity keeping the content (e.g. when the application sets SO_SNDBUF or the
     * stack auto-tunes). If nothing has been written yet, only the number changes.
     *
     * @throws IllegalArgumentException if {@code newCapacity < size()} or outside 1..MAX_CAPACITY
     */
    public void resize(int newCapacity) {
        int size = ring.size();
        if (newCapacity <= 0 || newCapacity > MAX_CAPACITY || newCapacity < size) {
            throw new IllegalArgumentException(
                    "new capacity " + newCapacity + " must be positive and hold the " + size + " bytes held");
        }
        capacity = newCapacity;
        lengthHint = 0;
        if (ring.hasStorage()) {
            int length = MemoryBudget.arrayLengthFor(Math.max(size, 1), newCapacity);
            if (length != ring.capacity()) {
                give(ring.replaceStorage(take(length)));
            }
        }
    }

    /**
     * Gives the storage back when nothing is held, so an idle connection holds no buffer; the
     * next write allocates again. Returns whether storage was released.
     */
    public boolean trim() {
        if (!ring.isEmpty() || !ring.hasStorage()) {
            return false;
        }
        lengthHint = ring.capacity();
        give(ring.replaceStorage(null));
        return true;
    }
}
