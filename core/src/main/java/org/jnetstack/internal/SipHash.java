package org.jnetstack.internal;

import java.util.Objects;

/**
 * SipHash-2-4 (Aumasson and Bernstein, 2012): a keyed pseudo-random function for short inputs,
 * the one Linux uses for ISNs, ephemeral ports and IP ids. With a secret 128-bit key its outputs
 * reveal nothing of the key, and no output predicts another one for a different input — so a
 * value derived with it may go on the wire.
 *
 * <p>One instance holds one key and its working state: allocation-free, single-threaded (the
 * event loop owns it). Messages are little-endian 64-bit words as in the paper; the helpers
 * below hash fixed layouts without building a byte array.
 */
public final class SipHash {
    private final boolean fast;
    private long k0;
    private long k1;
    private long v0;
    private long v1;
    private long v2;
    private long v3;

    /** With key bytes 0-7 as {@code k0} and 8-15 as {@code k1}, little-endian, as in the paper. */
    public SipHash(long k0, long k1) {
        this(k0, k1, false);
    }

    private SipHash(long k0, long k1, boolean fast) {
        this.fast = fast;
        rekey(k0, k1);
    }

    /**
     * SipHash-1-3 under the same key layout: one compression and three finalization rounds,
     * about half the work of SipHash-2-4. For hash-table keys only, where it stops a peer from
     * choosing collisions (Linux's hsiphash and Rust's HashMap make the same trade); values that
     * go on the wire or must stay unpredictable (ISNs, cookies, ports) use SipHash-2-4.
     */
    public static SipHash forTables(long k0, long k1) {
        return new SipHash(k0, k1, true);
    }

    /** Replaces the key (a key rotation). */
    public void rekey(long k0, long k1) {
        this.k0 = k0;
        this.k1 = k1;
    }

    /** SipHash-2-4 of {@code msg[off, off+len)}. */
    public long hash(byte[] msg, int off, int len) {
        Objects.checkFromIndexSize(off, len, msg.length);
        begin();
        int i = 0;
        for (; i + 8 <= len; i += 8) {
            long w = 0;
            for (int b = 7; b >= 0; b--) {
                w = (w << 8) | (msg[off + i + b] & 0xFFL);
            }
            compress(w);
        }
        long last = (long) (len & 0xFF) << 56;
        for (int b = 0; i + b < len; b++) {
            last |= (msg[off + i + b] & 0xFFL) << (8 * b);
        }
        return finish(last);
    }

    /** SipHash-2-4 of the 8 bytes of {@code word} (little-endian), e.g. a counter. */
    public long hash(long word) {
        begin();
        compress(word);
        return finish(8L << 56);
    }

    /** SipHash-2-4 of the 16 bytes of {@code w0} then {@code w1} (each little-endian). */
    public long hash(long w0, long w1) {
        begin();
        compress(w0);
        compress(w1);
        return finish(16L << 56);
    }

    /** SipHash-2-4 of the 24 bytes of {@code w0}, {@code w1} then {@code w2} (each little-endian). */
    public long hash(long w0, long w1, long w2) {
        begin();
        compress(w0);
        compress(w1);
        compress(w2);
        return finish(24L << 56);
    }

    /** SipHash-2-4 of the 48 bytes of {@code w0} to {@code w5} (each little-endian): an IPv6 address pair and more. */
    public long hash(long w0, long w1, long w2, long w3, long w4, long w5) {
        begin();
        compress(w0);
        compress(w1);
        compress(w2);
        compress(w3);
        compress(w4);
        compress(w5);
        return finish(48L << 56);
    }

    /**
     * SipHash-2-4 of a 4-tuple as its 12 bytes in network order: address a, port a, address b,
     * port b (addresses as ints, ports 0..65535).
     */
    public long hashTuple(int addressA, int portA, int addressB, int portB) {
        // Bytes 0-7 (address a, port a, address b's high half) as one little-endian word ...
        long bigEndian = ((long) addressA << 32) | ((portA & 0xFFFFL) << 16) | ((addressB >>> 16) & 0xFFFFL);
        long word = Long.reverseBytes(bigEndian);
        // ... and bytes 8-11 (address b's low half, port b) with the length in the top byte.
        int lastBigEndian = (addressB << 16) | (portB & 0xFFFF);
        long last = (Integer.reverseBytes(lastBigEndian) & 0xFFFFFFFFL) | (12L << 56);
        begin();
        compress(word);
        return finish(last);
    }

    private void begin() {
        v0 = k0 ^ 0x736f6d6570736575L; // "somepseudorandomlygeneratedbytes"
        v1 = k1 ^ 0x646f72616e646f6dL;
        v2 = k0 ^ 0x6c7967656e657261L;
        v3 = k1 ^ 0x7465646279746573L;
    }

    private void compress(long m) {
        v3 ^= m;
        round();
        if (!fast) {
            round(); // c = 2 compression rounds (1 for SipHash-1-3)
        }
        v0 ^= m;
    }

    private long finish(long last) {
        compress(last);
        v2 ^= 0xFF;
        round();
        round();
        round();
        if (!fast) {
            round(); // d = 4 finalization rounds (3 for SipHash-1-3)
        }
        return v0 ^ v1 ^ v2 ^ v3;
    }

    private void round() {
        v0 += v1;
        v1 = Long.rotateLeft(v1, 13);
        v1 ^= v0;
        v0 = Long.rotateLeft(v0, 32);
        v2 += v3;
        v3 = Long.rotateLeft(v3, 16);
        v3 ^= v2;
        v0 += v3;
        v3 = Long.rotateLeft(v3, 21);
        v3 ^= v0;
        v2 += v1;
        v1 = Long.rotateLeft(v1, 17);
        v1 ^= v2;
        v2 = Long.rotateLeft(v2, 32);
    }
}
