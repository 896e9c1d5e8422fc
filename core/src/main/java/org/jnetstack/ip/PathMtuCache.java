package org.jnetstack.ip;

import org.jnetstack.loop.Clock;
import org.jnetstack.stats.Counter;
import org.jnetstack.stats.Counters;

/**
 * Path MTU estimates of one address family (RFC 1191 for IPv4, RFC 8201 for IPv6): destinations
 * whose path was reported narrower than their link, each with the MTU to use and when the
 * estimate ages back to the link MTU ({@link #AGE_NANOS}: RFC 1191 §6.3 and RFC 8201 §4 ask for
 * no sooner than 5 minutes, 10 recommended). A report never raises an estimate and never sets one
 * below the floor (RFC 8201 §4: 1280 for IPv6; RFC 5927 §7 for IPv4: a forged tiny MTU must not
 * shrink segments to nothing). At most {@link #MAX_ENTRIES} destinations are held, so a flood of
 * reports for many destinations costs a fixed amount of memory: the entry nearest to ageing out
 * makes room. Addresses are the two-long form (IPv4 as its mapped address); a lookup allocates
 * nothing and costs nothing while no path is known to be narrower.
 */
public final class PathMtuCache {
    /** How long a lowered estimate is kept. */
    public static final long AGE_NANOS = 10 * 60 * 1_000_000_000L;
    /** Destinations with a path MTU below their link's. */
    public static final int MAX_ENTRIES = 64;

    private final Clock clock;
    private final long[] hi = new long[MAX_ENTRIES];
    private final long[] lo = new long[MAX_ENTRIES];
    private final int[] mtu = new int[MAX_ENTRIES];
    private final long[] until = new long[MAX_ENTRIES];
    private int size;
    private int floor;
    /** Bumped whenever an estimate is lowered or all are forgotten: see {@link #changes()}. */
    private int changes;

    private final Counter lowered;
    private final Counter ignored;
    private final Counter expired;
    private final Counter evicted;
    private final Counter clamped;

    /** Counters {@code <prefix>.lowered}, {@code .ignored}, {@code .expired}, {@code .evicted}, {@code .clamped_to_floor}. */
    public PathMtuCache(Clock clock, Counters counters, String prefix, int floor) {
        this.clock = clock;
        this.floor = floor;
        lowered = counters.counter(prefix + ".lowered");
        ignored = counters.counter(prefix + ".ignored");
        expired = counters.counter(prefix + ".expired");
        evicted = counters.counter(prefix + ".evicted");
        clamped = counters.counter(prefix + ".clamped_to_floor");
    }

    /** The smallest MTU a report may set. */
    public int floor() {
        return floor;
    }

    /** Sets the smallest MTU a report may set (estimates already lower stay until they age). */
    public void setFloor(int floor) {
        this.floor = floor;
    }

    /** The MTU to use towards {@code dst} on a link of {@code linkMtu}. */
    public int mtu(long dstHi, long dstLo, int linkMtu) {
        if (size == 0) {
            return linkMtu;
        }
        long now = clock.nanos();
        for (int i = 0; i < size; i++) {
            if (hi[i] == dstHi && lo[i] == dstLo) {
                if (now - until[i] >= 0) {
                    expired.inc();
                    remove(i);
                    return linkMtu;
                }
                return Math.min(mtu[i], linkMtu);
            }
        }
        return linkMtu;
    }

    /**
     * A report that packets to {@code dst} must be at most {@code reported} bytes: it becomes the
     * path's MTU (at least the floor) if smaller than the one in use. Returns the MTU now in use.
     */
    public int lower(long dstHi, long dstLo, long reported, int linkMtu) {
        int now = mtu(dstHi, dstLo, linkMtu);
        int m = (int) Math.min(reported, Integer.MAX_VALUE);
        if (m < floor) {
            clamped.inc();
            m = floor;
        }
        if (m >= now) {
            ignored.inc(); // a report never raises the estimate (RFC 1191 §6.3, RFC 8201 §4)
            return now;
        }
        lowered.inc();
        changes++;
        long deadline = clock.nanos() + AGE_NANOS;
        for (int i = 0; i < size; i++) {
            if (hi[i] == dstHi && lo[i] == dstLo) {
                mtu[i] = m;
                until[i] = deadline;
                return m;
            }
        }
        if (size == MAX_ENTRIES) {
            int oldest = 0;
            for (int i = 1; i < size; i++) {
                if (until[i] - until[oldest] < 0) {
                    oldest = i;
                }
            }
            evicted.inc();
            remove(oldest);
        }
        hi[size] = dstHi;
        lo[size] = dstLo;
        mtu[size] = m;
        until[size] = deadline;
        size++;
        return m;
    }

    private void remove(int i) {
        int last = size - 1;
        hi[i] = hi[last];
        lo[i] = lo[last];
        mtu[i] = mtu[last];
        until[i] = until[last];
        size--;
    }

    /** Destinations whose path MTU is known to be smaller than their link's. */
    public int size() {
        return size;
    }

    /**
     * A number that changes whenever an estimate is lowered (for any destination), all are
     * forgotten or a link's MTU changed ({@link #linkMtuChanged}): a user of the estimates
     * compares it with the one it last saw instead of looking its destination up again each time.
     * Ageing does not change it (the user checks again once an estimate it took may have aged).
     */
    public int changes() {
        return changes;
    }

    /**
     * A link's MTU changed (an IPv6 Router Advertisement's MTU option, RFC 4861 §6.3.4): every
     * path over it may now be narrower or wider, so users of {@link #changes()} look again.
     */
    public void linkMtuChanged() {
        changes++;
    }

    /** Forgets every estimate. */
    public void clear() {
        changes++;
        size = 0;
    }
}
