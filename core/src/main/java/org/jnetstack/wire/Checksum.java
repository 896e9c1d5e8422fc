package org.jnetstack.wire;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Objects;

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
    private static final VarHandle INT_LE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private Checksum() {
    }

    /**
     * One's-complement sum of {@code len} bytes at {@code off}, added to {@code initial}
     * (a previous partial sum, or 0). An odd trailing byte is padded with a zero low byte
     * (RFC 1071 §4.1). The result is folded to 0..0xFFFF.
     */
    public static int partial(byte[] b, int off, int len, int initial) {
        if (len >= SIMD_THRESHOLD && SIMD != null) {
            return SIMD.partial(b, off, len, initial);
        }
        return scalarPartial(b, off, len, initial);
    }

    /**
     * Copies {@code len} bytes from {@code src} at {@code srcOff} to {@code dst} at {@code dstOff}
     * and returns what {@code partial(dst, dstOff, len, initial)} returns afterwards, in one pass:
     * each byte is summed while it is in a register on its way, instead of being read again from
     * memory (or cache) after the copy. The ranges must not overlap.
     */
    public static int copyAndPartial(byte[] src, int srcOff, byte[] dst, int dstOff, int len, int initial) {
        Objects.checkFromIndexSize(srcOff, len, src.length);
        Objects.checkFromIndexSize(dstOff, len, dst.length);
        if (len >= SIMD_THRESHOLD && SIMD != null) {
            return SIMD.copyAndPartial(src, srcOff, dst, dstOff, len, initial);
        }
        // Without SIMD the JDK's copy stub and the 4-accumulator loop over the just-written (cached)
        // bytes beat a fused scalar loop, which does 8-byte stores where the stub does 32-byte ones.
        System.arraycopy(src, srcOff, dst, dstOff, len);
        return scalarPartial(dst, dstOff, len, initial);
    }

    /**
     * Adds to the partial {@code sum} the partial sum of a piece of the same data that starts
     * {@code position} bytes after the data's first byte, the piece's sum having been computed as
     * if it started the data ({@link #partial} with initial 0). A piece at an odd position had its
     * bytes in the other halves of the 16-bit words, and the one's-complement sum of byte-swapped
     * words is the byte-swapped sum (RFC 1071 §2(B)): it is swapped back. This is how a sum over a
     * ring buffer's two pieces, or over data split anywhere, is put together.
     */
    public static int addPiece(int sum, int pieceSum, int position) {
        int piece = fold(pieceSum & 0xFFFF_FFFFL);
        if ((position & 1) != 0) {
            piece = swap(piece);
        }
        return fold((sum & 0xFFFF_FFFFL) + piece);
    }

    /**
     * What {@link #partial} computes, without SIMD: 8-byte loads in the machine's order (no byte
     * swap per word), into four independent accumulators.
     */
    static int scalarPartial(byte[] b, int off, int len, int initial) {
        // Sum 32-bit words into a long: since 2^16 == 1 (mod 0xFFFF), folding the two halves of a
        // 32-bit sum gives the same one's-complement result as summing 16-bit words (RFC 1071 §2(C)).
        // The words are read little-endian, which only swaps the two bytes of the result
        // (RFC 1071 §2(B), byte-order independence); it is swapped back before the big-endian tail.
        long sum = 0;
        int i = off;
        // 32 bytes a round into four independent accumulators (no carry chain between them);
        // each adds at most 2^33 a round, so even 64 KiB cannot overflow a long.
        int end32 = off + (len & ~31);
        long s2 = 0;
        long s3 = 0;
        long s4 = 0;
        while (i < end32) {
            long w1 = (long) LONG_LE.get(b, i);
            long w2 = (long) LONG_LE.get(b, i + 8);
            long w3 = (long) LONG_LE.get(b, i + 16);
            long w4 = (long) LONG_LE.get(b, i + 24);
            sum += (w1 >>> 32) + (w1 & 0xFFFF_FFFFL);
            s2 += (w2 >>> 32) + (w2 & 0xFFFF_FFFFL);
            s3 += (w3 >>> 32) + (w3 & 0xFFFF_FFFFL);
            s4 += (w4 >>> 32) + (w4 & 0xFFFF_FFFFL);
            i += 32;
        }
        sum += s2 + s3 + s4;
        int end4 = off + (len & ~3);
        while (i < end4) {
            sum += (int) INT_LE.get(b, i) & 0xFFFF_FFFFL;
            i += 4;
        }
        return tail(b, i, off + len, swap(fold(sum)) + (long) (initial & 0xFFFF_FFFFL));
    }

    /** Adds the big-endian words of {@code b[i, end)} (fewer than 4 bytes, or any) to {@code sum} and folds. */
    static int tail(byte[] b, int i, int end, long sum) {
        while (i + 2 <= end) {
            sum += ((b[i] & 0xFF) << 8) | (b[i + 1] & 0xFF);
            i += 2;
        }
        if (i < end) {
            sum += (b[i] & 0xFF) << 8;
        }
        return fold(sum);
    }

    /** Swaps the bytes of a folded 16-bit little-endian sum to big-endian order (and back). */
    static int swap(int folded) {
        return ((folded & 0xFF) << 8) | (folded >>> 8);
    }

    // ------------------------------------------------------------------ optional SIMD kernel

    /** The SIMD checksum, or null: it needs the JDK's jdk.incubator.vector module at run time. */
    interface Kernel {
        int partial(byte[] b, int off, int len, int initial);

        /** {@link Checksum#copyAndPartial}, the indexes already checked. */
        int copyAndPartial(byte[] src, int srcOff, byte[] dst, int dstOff, int len, int initial);
    }

    /** Below this many bytes the scalar loop is as fast (vector setup and the reduction cost). */
    private static final int SIMD_THRESHOLD = 256;
    private static final Kernel SIMD = loadSimd();

    /**
     * The Vector API (an incubator module since JDK 16) sums 32 bytes per instruction with AVX2,
     * 3-4× the scalar loop; it is used only when the JVM was started with
     * {@code --add-modules jdk.incubator.vector} (the bench scripts do), so the library itself
     * needs nothing at run time. {@code -Djnetstack.checksum.simd=false} turns it off.
     */
    private static Kernel loadSimd() {
        if (!Boolean.parseBoolean(System.getProperty("jnetstack.checksum.simd", "true"))
                || ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            return null;
        }
        try {
            return (Kernel) Class.forName("org.jnetstack.wire.VectorChecksum").getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            return null;
        }
    }

    /** True when {@link #partial} uses SIMD instructions (for benchmark reports). */
    public static boolean simd() {
        return SIMD != null;
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

    /**
     * Partial sum of the IPv6 pseudo-header (RFC 8200 §8.1): source, destination, the
     * upper-layer length and the next header value, for TCP, UDP and ICMPv6 over IPv6.
     */
    public static int pseudoHeader6(long srcHi, long srcLo, long dstHi, long dstLo, int nextHeader, int length) {
        long sum = words(srcHi) + words(srcLo) + words(dstHi) + words(dstLo)
                + (length >>> 16) + (length & 0xFFFF) + (nextHeader & 0xFF);
        return fold(sum);
    }

    private static long words(long v) {
        return (v >>> 48) + ((v >>> 32) & 0xFFFF) + ((v >>> 16) & 0xFFFF) + (v & 0xFFFF);
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

    static int fold(long sum) {
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int) sum;
    }
}
