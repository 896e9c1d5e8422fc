package org.jnetstack.ip6;

import java.util.Arrays;
import org.jnetstack.loop.Clock;
import org.jnetstack.stats.Counter;
import org.jnetstack.stats.Counters;
import org.jnetstack.wire.Ipv6Packet;

/**
 * Path MTU discovery for IPv6 (RFC 8201): a Packet Too Big lowers the MTU towards its quoted
 * destination (never below 1280, §4; never raised by one, §4), and after
 * {@link #AGE_NANOS} the estimate goes back to the link MTU (§4: no sooner than 5 minutes,
 * 10 recommended). At most {@link #MAX_ENTRIES} destinations are remembered; the oldest goes
 * first. A lookup allocates nothing, and costs nothing while no path is known to be smaller.
 */
public final class PathMtu {
    /** RFC 8201 §4: how long a lowered estimate is kept. */
    public static final long AGE_NANOS = 10 * 60 * 1_000_000_000L;
    /** Destinations with a path MTU below their link's. */
    public static final int MAX_ENTRIES = 64;

    private final Clock clock;
    private final long[] hi = new long[MAX_ENTRIES];
    private final long[] lo = new long[MAX_ENTRIES];
    private final int[] mtu = new int[MAX_ENTRIES];
    private final long[] until = new long[MAX_ENTRIES];
    private int size;

    private final Counter lowered;
    private final Counter ignored;
    private final Counter expired;

    PathMtu(Clock clock, Counters counters) {
        this.clock = clock;
        lowered = counters.counter("ip6.pmtu.lowered");
        ignored = counters.counter("ip6.pmtu.ignored");
        expired = counters.counter("ip6.pmtu.expired");
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

    /** A Packet Too Big about a packet we sent to {@code dst}: its MTU, at least 1280, becomes the path's if smaller. */
    void tooBig(long dstHi, long dstLo, long reported, int linkMtu) {
        int now = mtu(dstHi, dstLo, linkMtu);
        int m = (int) Math.max(Ipv6Packet.MIN_MTU, Math.min(reported, Integer.MAX_VALUE));
        if (m >= now) {
            ignored.inc(); // §4: a Packet Too Big never raises the estimate
            return;
        }
        lowered.inc();
        long deadline = clock.nanos() + AGE_NANOS;
        for (int i = 0; i < size; i++) {
            if (hi[i] == dstHi && lo[i] == dstLo) {
                mtu[i] = m;
                until[i] = deadline;
                return;
            }
        }
        if (size == MAX_ENTRIES) {
            int oldest = 0;
            for (int i = 1; i < size; i++) {
                if (until[i] < until[oldest]) {
                    oldest = i;
                }
            }
            remove(oldest);
        }
        hi[size] = dstHi;
        lo[size] = dstLo;
        mtu[size] = m;
        until[size] = deadline;
        size++;
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

    void clear() {
        size = 0;
        Arrays.fill(until, 0);
    }
}
