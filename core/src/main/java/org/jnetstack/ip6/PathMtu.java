package org.jnetstack.ip6;

import org.jnetstack.ip.PathMtuCache;
import org.jnetstack.loop.Clock;
import org.jnetstack.stats.Counters;
import org.jnetstack.wire.Ipv6Packet;

/**
 * Path MTU discovery for IPv6 (RFC 8201): a Packet Too Big about a packet we sent lowers the MTU
 * towards its quoted destination, never below 1280 (§4) and never raised by one, and the estimate
 * ages back to the link MTU after {@link #AGE_NANOS}. The estimates live in a bounded
 * {@link PathMtuCache} (counters {@code ip6.pmtu.*}).
 */
public final class PathMtu {
    /** RFC 8201 §4: how long a lowered estimate is kept. */
    public static final long AGE_NANOS = PathMtuCache.AGE_NANOS;
    /** Destinations with a path MTU below their link's. */
    public static final int MAX_ENTRIES = PathMtuCache.MAX_ENTRIES;

    private final PathMtuCache cache;

    PathMtu(Clock clock, Counters counters) {
        cache = new PathMtuCache(clock, counters, "ip6.pmtu", Ipv6Packet.MIN_MTU);
    }

    /** The MTU to use towards {@code dst} on a link of {@code linkMtu}. */
    public int mtu(long dstHi, long dstLo, int linkMtu) {
        return cache.mtu(dstHi, dstLo, linkMtu);
    }

    /**
     * A Packet Too Big about a packet we sent to {@code dst} (validated by the caller, RFC 5927
     * §4.1): its MTU, at least 1280, becomes the path's if smaller. Returns the MTU now in use.
     */
    public int tooBig(long dstHi, long dstLo, long reported, int linkMtu) {
        return cache.lower(dstHi, dstLo, reported, linkMtu);
    }

    /** Changes whenever an estimate is lowered: {@link PathMtuCache#changes()}. */
    public int changes() {
        return cache.changes();
    }

    /** A link's MTU changed: see {@link PathMtuCache#linkMtuChanged()}. */
    void linkMtuChanged() {
        cache.linkMtuChanged();
    }

    /** Destinations whose path MTU is known to be smaller than their link's. */
    public int size() {
        return cache.size();
    }

    void clear() {
        cache.clear();
    }
}
