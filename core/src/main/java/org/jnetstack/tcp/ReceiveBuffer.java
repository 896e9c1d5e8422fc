package org.jnetstack.tcp;

import java.util.Objects;
import org.jnetstack.internal.MemoryBudget;
import org.jnetstack.wire.Checksum;

/**
 * Received bytes: in-order data waiting for the application, plus out-of-order data held
 * within the advertised window, with the SACK blocks (RFC 2018) that describe it.
 *
 * <p>One ring holds both. In-order bytes start at the read point; the byte {@code o} positions
 * after the next expected byte (RCV.NXT) lives at ring position {@code readPoint + readable + o}
 * (modulo the ring's length). The ring follows the data: it is taken from the stack's
 * {@link MemoryBudget} when the first byte arrives, one page or more, grows (doubling, up to
 * {@code capacity}) when arriving bytes reach past it, and goes back with {@link #trim} once
 * everything was read — so an idle connection holds no data pages. The bytes it holds are
 * charged to the budget unconditionally: they lie inside a window already advertised, which
 * RFC 9293 §3.8.6 does not let us take back (the connection stops growing the window instead). Out-of-order data is accepted only inside the window
 * ({@code o < window()}), so it never needs memory beyond the capacity, and the window the
 * stack advertises never promises space it does not have (RFC 9293 §3.8.6.2.2). The
 * out-of-order ranges are kept as a sorted list of disjoint, non-adjacent
 * {@code [start, end)} offsets relative to RCV.NXT; the list is bounded
 * ({@link #DEFAULT_MAX_RANGES}); a segment that would need one more range than that is not
 * stored (the peer retransmits it), so the bookkeeping is bounded too.
 *
 * <p>Offsets, never sequence numbers: the caller computes {@code seg.seq - rcv.nxt}, so
 * sequence wrap-around cannot reach this class. Single-threaded (the event loop owns it).
 */
final class ReceiveBuffer {
    /** The largest capacity: RFC 7323 §2.3 caps a window at 2^30. */
    public static final int MAX_CAPACITY = 1 << 30;
    /** Out-of-order ranges held at most, unless the constructor says otherwise ({@link TcpConfig#maxReceiveRanges()}). */
    public static final int DEFAULT_MAX_RANGES = TcpConfig.DEFAULT_MAX_RECEIVE_RANGES;

    private int capacity;
    private byte[] ring;        // null until the first stored byte (or after trim()); length <= capacity
    private final MemoryBudget memory; // null: plain arrays, nothing charged (unit tests)
    private int lengthHint;     // the ring's length when last trimmed: taken again at once, no regrowing
    private int readPoint;      // ring index of the oldest readable byte
    private int readable;       // in-order bytes not yet taken by the application

    private final int maxRanges;
    private int[] rangeStart;   // offsets relative to RCV.NXT, sorted, disjoint, non-adjacent
    private int[] rangeEnd;     // exclusive
    private long[] rangeStamp;  // when the range last received data; larger = more recent
    private int rangeCount;
    private long stamps;

    // Bytes staged by stageInOrder: they lie in free ring space right after the readable bytes,
    // not yet readable, until commitStaged makes them so (0: nothing staged).
    private int stagedLen;

    public ReceiveBuffer(int capacity) {
        this(capacity, DEFAULT_MAX_RANGES);
    }

    public ReceiveBuffer(int capacity, int maxRanges) {
        this(capacity, maxRanges, null);
    }

    /** A buffer whose storage comes from, and is charged to, {@code memory} (null: plain arrays). */
    public ReceiveBuffer(int capacity, int maxRanges, MemoryBudget memory) {
        checkCapacity(capacity);
        this.memory = memory;
        if (maxRanges < 1) {
            throw new IllegalArgumentException("maxRanges must be positive, got " + maxRanges);
        }
        this.capacity = capacity;
        this.maxRanges = maxRanges;
    }

    private static void checkCapacity(int capacity) {
        if (capacity <= 0 || capacity > MAX_CAPACITY) {
            throw new IllegalArgumentException("capacity must be in 1.." + MAX_CAPACITY + ", got " + capacity);
        }
    }

    public int capacity() {
        return capacity;
    }

    /** In-order bytes the application can read. */
    public int readable() {
        return readable;
    }

    /**
     * Free space from RCV.NXT on: what the stack may advertise (RFC 9293 §3.8.6.2.2 still applies
     * on top — the caller decides when to announce an opening, to avoid silly windows). Held
     * out-of-order bytes sit inside this window and do not reduce it: they were already
     * promised room when they were accepted. Never negative.
     */
    public int window() {
        return capacity - readable;
    }

    /** True once storage has been allocated (for tests and memory accounting). */
    boolean isAllocated() {
        return ring != null;
    }

    /** Bytes of storage held now: the ring and the out-of-order bookkeeping (0 when idle). */
    public int footprint() {
        return (ring == null ? 0 : ring.length) + (rangeStart == null ? 0 : maxRanges * 16);
    }

    /** Free room in the storage held now, from RCV.NXT on (what can be stored without growing). */
    public int storageAhead() {
        return ring == null ? 0 : Math.max(0, Math.min(ring.length, capacity) - readable);
    }

    /** Drops everything held (the connection ended) and gives the storage back. */
    public void discard() {
        readable = 0;
        rangeCount = 0;
        trim();
    }

    /**
     * Makes the ring hold at least {@code needed} bytes from the read point (needed <= capacity),
     * taking a larger one and moving the held bytes over when it is too small.
     */
    private void ensureStorage(int needed) {
        if (ring != null && ring.length >= needed) {
            return;
        }
        int hint = memory != null && memory.underPressure() ? 0 : lengthHint;
        int length = MemoryBudget.arrayLengthFor(Math.max(needed, hint), capacity);
        if (memory != null && length - (ring == null ? 0 : ring.length) > memory.available()) {
            // Doubling would pass the budget: just the pages needed (an unpooled array).
            length = Math.min(capacity, Math.max(needed, MemoryBudget.roundToPages(needed)));
        }
        byte[] next = take(length);
        if (ring == null) {
            // The read point keeps its place when the same length comes back: where the ring wraps
            // does not depend on whether it was given back in between.
            readPoint = readPoint < length ? readPoint : 0;
        } else {
            // Everything held lies within the old ring (a range just recorded may reach past it:
            // its bytes are copied in after this).
            int span = Math.min(ring.length, readable + (rangeCount == 0 ? 0 : rangeEnd[rangeCount - 1]));
            int first = Math.min(span, ring.length - readPoint);
            System.arraycopy(ring, readPoint, next, 0, first);
            System.arraycopy(ring, 0, next, first, span - first);
            give(ring);
            stagedLen = 0; // staged bytes are not moved
            readPoint = 0;
        }
        ring = next;
    }

    private byte[] take(int length) {
        if (memory == null) {
            return new byte[length];
        }
        memory.charge(length);
        return memory.takeArray(length);
    }

    private void give(byte[] a) {
        if (memory != null) {
            memory.uncharge(a.length);
            memory.giveArray(a);
        }
    }

    /**
     * Stores the {@code len} bytes of {@code src[off..]} that start {@code offset} bytes after
     * RCV.NXT, as far as they fit in the window. Bytes before RCV.NXT ({@code offset < 0}) and
     * duplicates of held bytes are accepted and ignored. Returns how many bytes became in-order
     * (readable) because of this call — the caller advances RCV.NXT by exactly that much.
     */
    public int write(int offset, byte[] src, int off, int len) {
        Objects.checkFromIndexSize(off, len, src.length);
        long start = Math.max(0L, offset);
        long end = Math.min((long) offset + len, window());
        if (start >= end) {
            return 0;
        }
        int s = (int) start;
        int e = (int) end;
        if (s > 0 && !recordOutOfOrder(s, e)) {
            return 0; // no room in the range table: dropped, the peer will retransmit it
        }
        ensureStorage(readable + e);
        stagedLen = 0; // the copy below may overwrite staged bytes
        copyIn(src, off + (s - offset), readable + s, e - s);
        return s == 0 ? advanceInOrder(e) : 0;
    }

    /**
     * Copies {@code src[off, off+len)} to where the next in-order bytes go (RCV.NXT), without
     * making them readable, and returns the Internet checksum's partial sum of those bytes
     * (RFC 1071, summed while copying). {@link #commitStaged} then makes them readable without
     * copying them again; anything else — another write or stage, {@link #resize}, {@link #trim},
     * {@link #unstage} — forgets the staged copy, and bytes staged but never committed are simply
     * free space again, so undoing a stage costs nothing. This lets a received segment's checksum
     * be verified in the same pass that stores its data, with nothing visible before the segment
     * is known to be intact.
     *
     * <p>Only with no out-of-order data held and {@code len <= window()}: the staged bytes then
     * lie in free space and cannot overwrite anything ({@link #canStage}).
     */
    public int stageInOrder(byte[] src, int off, int len) {
        Objects.checkFromIndexSize(off, len, src.length);
        if (!canStage(len)) {
            throw new IllegalStateException("cannot stage " + len + " bytes: window " + window()
                    + (hasOutOfOrder() ? ", out-of-order data held" : ""));
        }
        ensureStorage(readable + len);
        int at = index(readable);
        int first = Math.min(len, ring.length - at);
        int sum = Checksum.copyAndPartial(src, off, ring, at, first, 0);
        if (first < len) {
            // The ring wrapped: the second piece starts `first` bytes into the data.
            sum = Checksum.addPiece(sum, Checksum.copyAndPartial(src, off + first, ring, 0, len - first, 0), first);
        }
        stagedLen = len;
        return sum;
    }

    /**
     * Makes the {@code len} bytes last {@linkplain #stageInOrder staged} readable, as {@link #write}
     * at offset 0 of the same bytes would, and returns how many bytes became in-order; or -1 when
     * no stage of that length is held any more (something since forgot it): the caller then
     * writes the bytes as usual.
     */
    public int commitStaged(int len) {
        if (len <= 0 || stagedLen != len) {
            return -1;
        }
        stagedLen = 0;
        return advanceInOrder(len);
    }

    /** True when {@code len} bytes (1 or more) can be {@linkplain #stageInOrder staged}. */
    public boolean canStage(int len) {
        return len > 0 && len <= window() && rangeCount == 0;
    }

    /** Forgets a staged copy (the segment was dropped); its bytes are free space again. */
    public void unstage() {
        stagedLen = 0;
    }

    /** New in-order bytes [0, e): absorb the out-of-order ranges they now reach. */
    private int advanceInOrder(int e) {
        int advance = e;
        int absorbed = 0;
        while (absorbed < rangeCount && rangeStart[absorbed] <= advance) {
            advance = Math.max(advance, rangeEnd[absorbed]);
            absorbed++;
        }
        int left = rangeCount - absorbed;
        for (int i = 0; i < left; i++) {
            rangeStart[i] = rangeStart[i + absorbed] - advance;
            rangeEnd[i] = rangeEnd[i + absorbed] - advance;
            rangeStamp[i] = rangeStamp[i + absorbed];
        }
        rangeCount = left;
        readable += advance;
        return advance;
    }

    /** Merges [s, e) (s > 0) into the range list; false when that needs a range we cannot keep. */
    private boolean recordOutOfOrder(int s, int e) {
        if (rangeStart == null) {
            rangeStart = new int[maxRanges];
            rangeEnd = new int[maxRanges];
            rangeStamp = new long[maxRanges];
        }
        int first = 0; // first range ending at or after s (touching counts: ranges stay non-adjacent)
        while (first < rangeCount && rangeEnd[first] < s) {
            first++;
        }
        int last = first - 1; // last range starting at or before e
        while (last + 1 < rangeCount && rangeStart[last + 1] <= e) {
            last++;
        }
        long stamp = ++stamps; // RFC 2018 §4: the block holding the newest segment is reported first
        if (last >= first) {
            int merged = last - first; // ranges that disappear into rangeStart[first]
            rangeStart[first] = Math.min(s, rangeStart[first]);
            rangeEnd[first] = Math.max(e, rangeEnd[last]);
            rangeStamp[first] = stamp;
            if (merged > 0) {
                int tail = rangeCount - last - 1;
                System.arraycopy(rangeStart, last + 1, rangeStart, first + 1, tail);
                System.arraycopy(rangeEnd, last + 1, rangeEnd, first + 1, tail);
                System.arraycopy(rangeStamp, last + 1, rangeStamp, first + 1, tail);
                rangeCount -= merged;
            }
            return true;
        }
        if (rangeCount == maxRanges) {
            return false;
        }
        int tail = rangeCount - first;
        System.arraycopy(rangeStart, first, rangeStart, first + 1, tail);
        System.arraycopy(rangeEnd, first, rangeEnd, first + 1, tail);
        System.arraycopy(rangeStamp, first, rangeStamp, first + 1, tail);
        rangeStart[first] = s;
        rangeEnd[first] = e;
        rangeStamp[first] = stamp;
        rangeCount++;
        return true;
    }

    /** Takes up to {@code len} in-order bytes into {@code dst}; returns how many. */
    public int read(byte[] dst, int off, int len) {
        int n = peek(dst, off, len);
        consume(n);
        return n;
    }

    /** Copies up to {@code len} in-order bytes into {@code dst} without taking them. */
    public int peek(byte[] dst, int off, int len) {
        Objects.checkFromIndexSize(off, len, dst.length);
        int n = Math.min(len, readable);
        if (n > 0) {
            int first = Math.min(n, ring.length - readPoint);
            System.arraycopy(ring, readPoint, dst, off, first);
            System.arraycopy(ring, 0, dst, off + first, n - first);
        }
        return n;
    }

    /**
     * Hands the in-order bytes to {@code r} where they lie — one piece, or two when the ring wraps
     * (the second only if the first was taken completely) — and consumes what it reports taken,
     * as {@link #read} of that many would. Returns that count; nothing is consumed if a count
     * lies outside its piece.
     *
     * @throws IllegalStateException if {@code r} returns a count outside 0..piece length
     */
    public int readInPlace(InPlaceReader r) {
        if (readable == 0) {
            return 0;
        }
        int first = Math.min(readable, ring.length - readPoint);
        int n = InPlaceCounts.check(r.take(ring, readPoint, first), first, "InPlaceReader.take");
        if (n == first && first < readable) {
            n += InPlaceCounts.check(r.take(ring, 0, readable - first), readable - first, "InPlaceReader.take");
        }
        consume(n);
        return n;
    }

    /** Discards up to {@code n} in-order bytes; returns how many. */
    public int skip(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("cannot skip a negative count: " + n);
        }
        int k = Math.min(n, readable);
        consume(k);
        return k;
    }

    private void consume(int n) {
        // Out-of-order bytes keep their place: their ring index readPoint + readable + o is unchanged.
        if (n > 0) {
            readPoint = index(n);
            readable -= n;
        }
    }

    public boolean hasOutOfOrder() {
        return rangeCount > 0;
    }

    /** Bytes held out of order (beyond a hole), for statistics. */
    public int outOfOrderBytes() {
        int sum = 0;
        for (int i = 0; i < rangeCount; i++) {
            sum += rangeEnd[i] - rangeStart[i];
        }
        return sum;
    }

    /**
     * Up to {@code max} SACK blocks as offsets relative to RCV.NXT (end exclusive): the block
     * containing the most recently received segment first (RFC 2018 §4), then the others,
     * most recently updated first — so blocks reported recently are repeated, as §4 asks.
     * Returns the count; fills {@code starts[0..count)}, {@code ends[0..count)}.
     */
    public int sackBlocks(int[] starts, int[] ends, int max) {
        int count = Math.min(Math.min(max, rangeCount), Math.min(starts.length, ends.length));
        long below = Long.MAX_VALUE;
        for (int k = 0; k < count; k++) {
            int best = -1;
            for (int i = 0; i < rangeCount; i++) {
                if (rangeStamp[i] < below && (best < 0 || rangeStamp[i] > rangeStamp[best])) {
                    best = i;
                }
            }
            starts[k] = rangeStart[best];
            ends[k] = rangeEnd[best];
            below = rangeStamp[best];
        }
        return Math.max(count, 0);
    }

    /**
     * Changes the capacity keeping the readable bytes; out-of-order bytes beyond the new window
     * are dropped (they were never acknowledged, only SACKed — RFC 2018 §8 lets a receiver
     * renege, and senders keep data until it is cumulatively acknowledged).
     *
     * @throws IllegalArgumentException if {@code newCapacity < readable()} or out of range
     */
    public void resize(int newCapacity) {
        checkCapacity(newCapacity);
        stagedLen = 0; // staged bytes are not copied to a new ring
        if (newCapacity < readable) {
            throw new IllegalArgumentException(
                    "new capacity " + newCapacity + " must hold the " + readable + " readable bytes");
        }
        int newWindow = newCapacity - readable;
        int kept = 0;
        for (int i = 0; i < rangeCount && rangeStart[i] < newWindow; i++) {
            rangeEnd[i] = Math.min(rangeEnd[i], newWindow);
            kept++;
        }
        rangeCount = kept;
        capacity = newCapacity;
        lengthHint = 0;
        if (ring != null) {
            int span = readable + (rangeCount == 0 ? 0 : rangeEnd[rangeCount - 1]);
            int length = MemoryBudget.arrayLengthFor(Math.max(span, 1), newCapacity);
            if (length != ring.length) {
                byte[] next = take(length);
                int first = Math.min(span, ring.length - readPoint);
                System.arraycopy(ring, readPoint, next, 0, first);
                System.arraycopy(ring, 0, next, first, span - first);
                give(ring);
                ring = next;
                readPoint = 0;
            }
        }
    }

    /**
     * Gives the storage back when nothing is held, so an idle connection holds no buffer; the
     * next write allocates again. Returns whether storage was released.
     */
    public boolean trim() {
        if (readable != 0 || rangeCount != 0 || ring == null) {
            return false;
        }
        lengthHint = ring.length;
        give(ring);
        ring = null;
        stagedLen = 0;
        rangeStart = null;
        rangeEnd = null;
        rangeStamp = null;
        return true;
    }

    private void copyIn(byte[] src, int srcOff, int distance, int len) {
        int at = index(distance);
        int first = Math.min(len, ring.length - at);
        System.arraycopy(src, srcOff, ring, at, first);
        System.arraycopy(src, srcOff + first, ring, 0, len - first);
    }

    private int index(int distance) {
        int i = readPoint + distance;
        return i >= ring.length ? i - ring.length : i; // both < ring length <= 2^30: no overflow
    }
}
