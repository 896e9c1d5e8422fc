package org.jnetstack.ip;

import java.util.random.RandomGenerator;
import org.jnetstack.internal.SipHash;
import org.jnetstack.internal.StackSecrets;
import org.jnetstack.loop.Clock;

/**
 * IPv4 Identification values (RFC 791 §3.2), chosen as RFC 7739 §5 recommends against idle
 * scans and fragment injection: a table of counters indexed by a keyed hash of (source,
 * destination, protocol), each counter started at a random value, and the value sent offset by
 * a second keyed hash of the same: {@code id = F(src, dst, proto, key1) + counter[G(src, dst,
 * proto, key2)]}. Datagrams to one destination get consecutive ids (no early reuse, as RFC 6864
 * §4.2 wants for fragmentable datagrams), while those to another destination come from another,
 * unrelated sequence: watching the ids it receives tells a host nothing of what we send to
 * others. Like Linux, a counter that sat unused moves on by a random amount below the
 * milliseconds it was idle, so even a host whose destination shares a counter cannot count our
 * datagrams.
 *
 * <p>The keys and the random stream are this class's own. Allocation-free; the last
 * destination's hashes are kept, so a bulk transfer hashes once. Single-threaded.
 */
final class Ipv4Ids {
    /**
     * Counters in the table (64 KiB with their idle stamps). Linux started with 2048 and grew its
     * table after Amit Klein showed (2021) that patient observers of a small one learn which
     * destinations share a counter, a fingerprint of the host's key.
     */
    static final int BUCKETS = 1 << 13;
    private static final long TICK_NANOS = 1_000_000;

    private final Clock clock;
    private final RandomGenerator random;
    private final SipHash offsetKey;
    private final SipHash indexKey;
    private final int[] counters = new int[BUCKETS];
    /** Milliseconds of the last use of each counter, modulo 2^32 (only differences are used). */
    private final int[] lastUsed = new int[BUCKETS];

    private boolean cached;
    private int cachedSrc;
    private int cachedDst;
    private int cachedProtocol;
    private int cachedIndex;
    private int cachedOffset;

    Ipv4Ids(Clock clock, StackSecrets secrets) {
        this.clock = clock;
        this.random = secrets.newStream("ipv4.id.random");
        this.offsetKey = secrets.newPrf("ipv4.id.offset");
        this.indexKey = secrets.newPrf("ipv4.id.index");
        int now = (int) (clock.nanos() / TICK_NANOS);
        for (int i = 0; i < BUCKETS; i++) {
            counters[i] = random.nextInt();
            lastUsed[i] = now;
        }
    }

    /**
     * The id of the next datagram from {@code src} to {@code dst}; {@code count} ids are taken (a
     * super-segment the device cuts into {@code count} datagrams numbers them consecutively).
     */
    int next(int src, int dst, int protocol, int count) {
        if (!cached || src != cachedSrc || dst != cachedDst || protocol != cachedProtocol) {
            cachedSrc = src;
            cachedDst = dst;
            cachedProtocol = protocol;
            cachedIndex = (int) (indexKey.hashTuple(src, protocol, dst, 0) & (BUCKETS - 1));
            cachedOffset = (int) offsetKey.hashTuple(src, protocol, dst, 0);
            cached = true;
        }
        int i = cachedIndex;
        int now = (int) (clock.nanos() / TICK_NANOS);
        int idle = now - lastUsed[i];
        if (idle != 0) {
            lastUsed[i] = now;
            counters[i] += random.nextInt(idle > 0 && idle < (1 << 16) ? idle : 1 << 16);
        }
        int id = cachedOffset + counters[i];
        counters[i] += count;
        return id & 0xFFFF;
    }
}
