package org.jnetstack.ip;

/**
 * The MTU a "fragmentation needed" reports (RFC 1191 §4), or when the router left the next-hop
 * MTU out (an RFC 792 router writes 0 there) the largest plateau of RFC 1191 §7's table below the
 * quoted datagram's length (§5).
 */
final class PathMtuPlateaus {
    /** RFC 1191 §7, table 7-1: the common MTUs, largest first. */
    private static final int[] PLATEAUS = {65535, 32000, 17914, 8166, 4352, 2002, 1492, 1006, 508, 296, 68};

    private PathMtuPlateaus() {
    }

    /**
     * The MTU to take from a "fragmentation needed" with next-hop MTU {@code nextHopMtu} about a
     * datagram of {@code quotedLength} bytes. A next-hop MTU no smaller than the quoted datagram
     * cannot be why it was dropped, so it is treated as missing.
     */
    static int reportedMtu(int nextHopMtu, int quotedLength) {
        if (nextHopMtu >= 68 && nextHopMtu < quotedLength) {
            return nextHopMtu;
        }
        for (int p : PLATEAUS) {
            if (p < quotedLength) {
                return p;
            }
        }
        return 68;
    }
}
