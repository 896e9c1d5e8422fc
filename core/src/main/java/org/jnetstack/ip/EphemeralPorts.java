package org.jnetstack.ip;

import java.util.function.IntPredicate;
import java.util.random.RandomGenerator;
import org.jnetstack.internal.SipHash;
import org.jnetstack.internal.StackSecrets;

/**
 * Ephemeral port selection (RFC 6056), from keys of its own.
 *
 * <ul>
 *   <li>{@link #towards}: §3.3.4, algorithm 4 ("double-hash"), for a port chosen knowing the
 *       destination (a TCP connect): {@code port = first + (F(local, remote, remote port, key1)
 *       + table[G(local, remote, remote port, key2)]) mod count}, probing upwards. Connections to
 *       one destination walk their own sequence (so a 4-tuple is not soon reused, §3.3.4), and the
 *       ports used towards one destination say nothing about the ports towards another. As Linux
 *       does since the tracking attack of Klein and Pinkas (USENIX Security 2022), the table is
 *       large and each use adds a small random step to its entry, so an observer of several
 *       destinations cannot tell which of them share an entry.</li>
 *   <li>{@link #any}: §3.3.1, algorithm 1 (simple randomization), when there is no destination
 *       yet (a UDP bind — RFC 5452 wants a DNS query's port random — or a listener on port 0).</li>
 * </ul>
 *
 * Every random value comes from this class's own stream; nothing here is emitted but the port.
 * Allocation-free after the first {@link #towards}; single-threaded (the event loop owns it).
 */
final class EphemeralPorts {
    /** Entries of algorithm 4's table (RFC 6056 suggests 10; Linux uses 2^16 since 2022). */
    static final int TABLE_SIZE = 1 << 14;
    /** The largest extra step added to an entry per use (Linux adds up to 7 plus one). */
    static final int MAX_RANDOM_STEP = 8;

    private final int first;
    private final int count;
    private final RandomGenerator random;
    private final SipHash offsetKey;
    private final SipHash indexKey;
    /** Allocated on first use: a stack that only listens never pays for it. */
    private short[] table;

    public EphemeralPorts(int first, int last, StackSecrets secrets) {
        if (first < 1 || first > last || last > 65535) {
            throw new IllegalArgumentException("ephemeral port range must lie within 1-65535: " + first + "-" + last);
        }
        this.first = first;
        this.count = last - first + 1;
        this.random = secrets.newStream("port.random");
        this.offsetKey = secrets.newPrf("port.offset");
        this.indexKey = secrets.newPrf("port.index");
    }

    /** Algorithm 1: a random start, probing upwards for a port {@code taken} rejects; -1 if none. */
    public int any(IntPredicate taken) {
        int start = random.nextInt(count);
        for (int i = 0; i < count; i++) {
            int port = first + (start + i) % count;
            if (!taken.test(port)) {
                return port;
            }
        }
        return -1;
    }

    /**
     * Algorithm 4 for a connection of {@code protocol} from {@code localIp} to {@code remoteIp:remotePort}:
     * a port {@code taken} rejects (the 4-tuple is in use), or -1 if none is free.
     */
    public int towards(int protocol, int localIp, int remoteIp, int remotePort, IntPredicate taken) {
        if (table == null) {
            table = new short[TABLE_SIZE];
            for (int i = 0; i < TABLE_SIZE; i++) {
                table[i] = (short) random.nextInt(); // RFC 6056 §3.3.4: random initial values
            }
        }
        int offset = (int) ((offsetKey.hashTuple(localIp, protocol, remoteIp, remotePort) & 0xFFFFFFFFL) % count);
        int index = (int) (indexKey.hashTuple(localIp, protocol, remoteIp, remotePort) & (TABLE_SIZE - 1));
        for (int i = 0; i < count; i++) {
            int step = table[index] & 0xFFFF;
            table[index]++;
            int port = first + (int) (((long) offset + step) % count);
            if (!taken.test(port)) {
                table[index] += (short) random.nextInt(MAX_RANDOM_STEP);
                return port;
            }
        }
        return -1;
    }
}
