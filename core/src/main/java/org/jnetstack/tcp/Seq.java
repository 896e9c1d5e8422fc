package org.jnetstack.tcp;

/**
 * Sequence-number arithmetic modulo 2^32 (RFC 9293 §3.4). TCP sequence numbers are Java
 * {@code int}s that wrap; "a is before b" means the signed 32-bit difference {@code a - b} is
 * negative, which is correct whenever the two numbers are less than 2^31 apart — always true
 * for numbers inside one connection's windows (RFC 7323 §2.3 bounds the window at 2^30).
 */
final class Seq {
    private Seq() {}

    /** a is strictly before b. */
    public static boolean lt(int a, int b) {
        return a - b < 0;
    }

    /** a is before or equal to b. */
    public static boolean le(int a, int b) {
        return a - b <= 0;
    }

    /** a is strictly after b. */
    public static boolean gt(int a, int b) {
        return a - b > 0;
    }

    /** a is after or equal to b. */
    public static boolean ge(int a, int b) {
        return a - b >= 0;
    }

    /** The later of a and b. */
    public static int max(int a, int b) {
        return a - b >= 0 ? a : b;
    }

    /** The earlier of a and b. */
    public static int min(int a, int b) {
        return a - b <= 0 ? a : b;
    }

    /**
     * {@code start <= seq < start + len}, with {@code len} read as an unsigned 32-bit count (so a
     * window of up to 2^32 - 1 bytes works) — the acceptability test of RFC 9293 §3.10.7.4.
     * An empty window ({@code len == 0}) contains nothing.
     */
    public static boolean inWindow(int seq, int start, int len) {
        return Integer.compareUnsigned(seq - start, len) < 0;
    }

    /**
     * The distance from {@code from} forward to {@code to}, as a non-negative long when
     * {@code to} is not before {@code from}; negative otherwise.
     */
    public static long distance(int from, int to) {
        return to - from;
    }
}
