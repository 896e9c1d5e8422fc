package org.jnetstack.internal;

import org.jnetstack.stats.MemoryUse;

/**
 * One stack's memory for data: the bytes held by TCP send and receive buffers, UDP receive
 * queues, IP reassembly of both families and the packets waiting for a neighbour (ARP and IPv6
 * neighbour discovery), against one limit — Linux's
 * {@code tcp_mem}, for the whole stack. Also the pool the TCP buffers take their storage from.
 *
 * <p>Two levels. Above {@link #pressureLevel()} (Linux's "memory pressure") the stack stops
 * taking on new work: windows stop growing, new connections are refused or answered with SYN
 * cookies, buffers do not grow beyond a page. {@link #tryCharge} refuses what would pass the
 * {@link #limit()}; {@link #charge} never refuses — it is for bytes the stack already
 * promised (data inside a window it advertised: RFC 9293 §3.8.6 forbids taking that back), so
 * the total can pass the limit by at most what was promised before pressure began.
 *
 * <p>Storage comes in arrays of {@link #PAGE} bytes times a power of two (or of a buffer's exact
 * capacity when that is smaller or not such a size); arrays given back are kept for reuse up to
 * a bound ({@link #cachedBytes()}, never more than an eighth of the limit), so a connection that
 * drains and refills takes its array back without allocating. Loop thread only.
 */
public final class MemoryBudget implements MemoryUse {
    /** The unit buffers grow by (and the smallest array a large buffer takes). */
    public static final int PAGE = 4096;
    /** Pressure starts at this fraction of the limit (in 1/8ths): 6/8 = 75 %. */
    private static final int PRESSURE_EIGHTHS = 6;
    private static final int MAX_CLASS = 31;

    private final long limit;
    private final long pressureLevel;
    private final long cacheLimit;
    private long used;
    private long peak;
    private long cached;
    private final byte[][][] free = new byte[MAX_CLASS][][];
    private final int[] freeCount = new int[MAX_CLASS];

    /**
     * The budget behind {@code use}, which a stack handed out ({@code Ipv4.memory()}): the
     * transports charge their buffers to it.
     */
    public static MemoryBudget of(MemoryUse use) {
        if (use instanceof MemoryBudget b) {
            return b;
        }
        throw new IllegalArgumentException("not a stack's memory budget: " + use);
    }

    /** A budget of {@code limit} bytes (at least one page). */
    public MemoryBudget(long limit) {
        if (limit < PAGE) {
            throw new IllegalArgumentException("memory budget must be at least " + PAGE + " bytes: " + limit);
        }
        this.limit = limit;
        this.pressureLevel = limit / 8 * PRESSURE_EIGHTHS;
        this.cacheLimit = Math.min(limit / 8, 64L << 20);
    }

    /**
     * The default limit: a quarter of the heap ({@code Runtime.maxMemory()}) — on a 256 MiB heap
     * 64 MiB of data, leaving the rest for connection records, tables and the application.
     */
    public static long defaultLimit() {
        return Math.max(PAGE, Runtime.getRuntime().maxMemory() / 4);
    }

    @Override
    public long limit() {
        return limit;
    }

    public long pressureLevel() {
        return pressureLevel;
    }

    /** Bytes charged now. */
    @Override
    public long used() {
        return used;
    }

    /** The most ever charged at once. */
    @Override
    public long peak() {
        return peak;
    }

    /** Bytes of arrays given back and kept for reuse (not charged). */
    @Override
    public long cachedBytes() {
        return cached;
    }

    /** True above the pressure level: take on no new work, grow nothing that can wait. */
    @Override
    public boolean underPressure() {
        return used >= pressureLevel;
    }

    /** Bytes that can still be charged before the limit. */
    public long available() {
        return Math.max(0, limit - used);
    }

    /** Charges {@code bytes} if that stays within the limit; false (nothing charged) otherwise. */
    public boolean tryCharge(long bytes) {
        if (used + bytes > limit) {
            return false;
        }
        charge(bytes);
        return true;
    }

    /** Charges {@code bytes} unconditionally (bytes already promised to a peer). */
    public void charge(long bytes) {
        used += bytes;
        if (used > peak) {
            peak = used;
        }
        if (underPressure() && cached > 0) {
            dropCache();
        }
    }

    public void uncharge(long bytes) {
        used -= bytes;
    }

    /**
     * An array of exactly {@code length} bytes (not charged: the caller charges it), from the
     * pool when one of that size was given back. Its content is undefined.
     */
    public byte[] takeArray(int length) {
        int c = poolClass(length);
        if (c >= 0 && freeCount[c] > 0) {
            byte[] a = free[c][--freeCount[c]];
            free[c][freeCount[c]] = null;
            cached -= a.length;
            return a;
        }
        return new byte[length];
    }

    /** Gives an array back (after uncharging it); kept for reuse while the cache has room. */
    public void giveArray(byte[] a) {
        int c = poolClass(a.length);
        if (c < 0 || cached + a.length > cacheLimit || underPressure()) {
            return; // left to the garbage collector
        }
        byte[][] stack = free[c];
        if (stack == null || freeCount[c] == stack.length) {
            byte[][] grown = new byte[stack == null ? 4 : stack.length * 2][];
            if (stack != null) {
                System.arraycopy(stack, 0, grown, 0, freeCount[c]);
            }
            free[c] = stack = grown;
        }
        stack[freeCount[c]++] = a;
        cached += a.length;
    }

    /** Forgets every cached array (pressure: the heap needs them more than the pool). */
    public void dropCache() {
        for (int c = 0; c < MAX_CLASS; c++) {
            if (free[c] != null) {
                java.util.Arrays.fill(free[c], 0, freeCount[c], null);
            }
            freeCount[c] = 0;
        }
        cached = 0;
    }

    /**
     * The array length a buffer of {@code capacity} bytes takes to hold {@code needed} bytes: the
     * capacity itself when it is one page or less, else the smallest {@code PAGE * 2^k} that holds
     * {@code needed}, or the capacity when that is smaller.
     */
    public static int arrayLengthFor(int needed, int capacity) {
        if (capacity <= PAGE) {
            return capacity;
        }
        int n = Math.max(needed, PAGE);
        int pow = n <= 1 ? 1 : Integer.highestOneBit(n - 1) << 1;
        return pow <= 0 || pow >= capacity ? capacity : pow;
    }

    /** {@code bytes} rounded up to whole pages. */
    public static int roundToPages(int bytes) {
        return (int) Math.min(Integer.MAX_VALUE, ((long) bytes + PAGE - 1) / PAGE * PAGE);
    }

    /** Pool class of an array length (its log2), or -1 if arrays of that length are not pooled. */
    private static int poolClass(int length) {
        if (length < PAGE || Integer.bitCount(length) != 1) {
            return -1;
        }
        return Integer.numberOfTrailingZeros(length);
    }
}
