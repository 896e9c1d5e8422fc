package org.jnetstack.link;

/**
 * The forwarding table of a {@link VirtualSwitch}: MAC address (48 bits in a long) to port, open
 * addressing with linear probing, so a lookup per frame allocates nothing. Bounded: when full,
 * new addresses are not learned and their frames are flooded, as a real switch does. Not
 * thread-safe (the switch holds its lock).
 */
final class MacTable {
    private static final long EMPTY = -1L;
    /** A removed entry: probing continues past it, inserting may reuse it. */
    private static final long TOMBSTONE = -2L;

    private final long[] keys;
    private final VirtualSwitch.Port[] ports;
    private final int maxEntries;
    private int size;

    MacTable(int maxEntries) {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("MAC table size must be at least 1: " + maxEntries);
        }
        this.maxEntries = maxEntries;
        // Load factor at most 1/2 keeps probe sequences short.
        int cap = Integer.highestOneBit(maxEntries * 2 - 1) << 1;
        keys = new long[cap];
        ports = new VirtualSwitch.Port[cap];
        java.util.Arrays.fill(keys, EMPTY);
    }

    int size() {
        return size;
    }

    private int slot(long mac) {
        long h = mac * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32)) & (keys.length - 1);
    }

    VirtualSwitch.Port get(long mac) {
        int mask = keys.length - 1;
        for (int i = slot(mac), probes = 0; probes < keys.length; i = (i + 1) & mask, probes++) {
            long k = keys[i];
            if (k == mac) {
                return ports[i];
            }
            if (k == EMPTY) {
                return null;
            }
        }
        return null;
    }

    /** Result of {@link #learn}. */
    enum Learned { KNOWN, NEW, MOVED, TABLE_FULL }

    /** Records that {@code mac} lives behind {@code port}. */
    Learned learn(long mac, VirtualSwitch.Port port) {
        int mask = keys.length - 1;
        int free = -1;
        for (int i = slot(mac), probes = 0; probes < keys.length; i = (i + 1) & mask, probes++) {
            long k = keys[i];
            if (k == mac) {
                if (ports[i] == port) {
                    return Learned.KNOWN;
                }
                ports[i] = port; // the station moved to another port
                return Learned.MOVED;
            }
            if (k == TOMBSTONE && free < 0) {
                free = i;
            } else if (k == EMPTY) {
                if (free < 0) {
                    free = i;
                }
                break;
            }
        }
        if (size >= maxEntries || free < 0) {
            return Learned.TABLE_FULL;
        }
        keys[free] = mac;
        ports[free] = port;
        size++;
        return Learned.NEW;
    }

    /** Forgets every address behind {@code port} (the port was closed). */
    void removePort(VirtualSwitch.Port port) {
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] >= 0 && ports[i] == port) {
                keys[i] = TOMBSTONE;
                ports[i] = null;
                size--;
            }
        }
    }
}
