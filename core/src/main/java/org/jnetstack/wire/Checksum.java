package org.jnetstack.wire;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The Internet checksum (RFC 1071): the 16-bit one's-complement of the one's-complement sum
 * of the data taken as big-endian 16-bit words.
 *
 * <p>Partial sums are plain {@code int}s folded to at most 16 bits, so they can be chained
 * (pseudo-header, then header, then payload) and handed to {@link #finish}. Chaining is only
 * exact when every piece but the last has even length (RFC 1071 §2(B) byte-order independence
 * does not extend to odd splits).
 */
public final class Checksum {
    private static final VarHandle INT_BE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle LONG_BE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private Checksum() {
    }

    /**
     * One's-complement sum of {@code len} bytes at {@code off}, added to {@code initial}
     * (a previous partial sum, or 0). An odd trailing byte is padded with a zero low byte
     * (RFC 1071 §4.1). The result is folded to 0..0xFFFF.
     */
    public static int partial(byte[] b, int off, int len, int initial) {
        // Sum 32-bit words into a long: since 2^16 == 1 (mod 0xFFFF), folding the two halves of a
        // 32-bit sum gives the same one's-complement result as summing 16-bit words (RFC 1071 §2(C)).
        long sum = initial & 0xFFFF_FFFFL;
        int i = off;
        // 32 bytes a round into four independent accumulators (no carry chain between them);
        // each adds at most 2^33 a round, so even 64 KiB cannot overflow a long.
        int end32 = off + (len & ~31);
        long s2 = 0;
        long s3 = 0;
        long s4 = 0;
        while (i < end32) {
            long w1 = (long) LONG_BE.get(b, i);
            long w2 = (long) LONG_BE.get(b, i + 8);
            long w3 = (long) LONG_BE.get(b, i + 16);
            long w4 = (long) LONG_BE.get(b, i + 24);
            sum += (w1 >>> 32) + (w1 & 0xFFFF_FFFFL);
            s2 += (w2 >>> 32) + (w2 & 0xFFFF_FFFFL);
            s3 += (w3 >>> 32) + (w3 & 0xFFFF_FFFFL);
            s4 += (w4 >>> 32) + (w4 & 0xFFFF_FFFFL);
            i += 32;
        }
        sum += s2 + s3 + s4;
        int end4 = off + (len & ~3);
        while (i < end4) {
            sum += (int) INT_BE.get(b, i) & 0xFFFF_FFFFL;
            i += 4;
        }
        int end = off + len;
        if (i + 2 <= end) {
            sum += ((b[i] & 0xFF) << 8) | (b[i + 1] & 0xFF);
            i += 2;
        }
        if (i < end) {
            sum += (b[i] & 0xFF) << 8;
        }
        return fold(sum);
    }

    /**
     * Partial sum of the IPv4 pseudo-header used by TCP and UDP (RFC 768, RFC 9293 §3.1):
     * source, destination, zero + protocol, and the transport length.
     */
    public static int pseudoHeader(int srcIp, int dstIp, int protocol, int length) {
        long sum = (srcIp >>> 16) + (srcIp & 0xFFFF) + (dstIp >>> 16) + (dstIp & 0xFFFF)
                + (protocol & 0xFF) + (length & 0xFFFF);
        return fold(sum);
    }

    /** Folds a partial sum to 16 bits and complements it: the value to store in a header. */
    public static int finish(int partial) {
        return ~fold(partial & 0xFFFF_FFFFL) & 0xFFFF;
    }

    /**
     * Completes a checksum left partial for an offloading device: the 16-bit field at
     * {@code checksumOffset} of the {@code len}-byte transport segment at {@code off} holds the
     * pseudo-header sum; the sum over the whole segment, complemented, replaces it.
     */
    public static void finishPartial(byte[] b, int off, int len, int checksumOffset) {
        int c = finish(partial(b, off, len, 0));
        b[off + checksumOffset] = (byte) (c >>> 8);
        b[off + checksumOffset + 1] = (byte) c;
    }

    /** The checksum of the bytes; over a region that includes a correct checksum field this is 0. */
    public static int compute(byte[] b, int off, int len) {
        return finish(partial(b, off, len, 0));
    }

    /**
     * Incremental update when one 16-bit word changes from {@code oldWord} to {@code newWord}:
     * RFC 1624 eqn. 3, {@code HC' = ~(~HC + ~m + m')}, which unlike eqn. 2 never yields 0xFFFF (-0)
     * where a full recomputation gives 0.
     */
    public static int update(int oldChecksum, int oldWord, int newWord) {
        long sum = (~oldChecksum & 0xFFFF) + (~oldWord & 0xFFFF) + (newWord & 0xFFFF);
        return ~fold(sum) & 0xFFFF;
    }

    private static int fold(long sum) {
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int) sum;
    }
}
