package org.jnetstack.wire;

import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Internet checksum with the Vector API: the bytes are taken as 32-bit lanes in the
 * machine's order, each lane's two 16-bit halves are added into 32-bit lane accumulators (two
 * sets, so consecutive adds do not wait on each other), and the lanes are reduced at the end.
 * Reading little-endian words only swaps the bytes of the result (RFC 1071 §2(B)). Loaded by
 * {@link Checksum} only when {@code jdk.incubator.vector} is in the boot layer.
 */
final class VectorChecksum implements Checksum.Kernel {
    private static final VectorSpecies<Byte> BYTES = ByteVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> INTS = IntVector.SPECIES_PREFERRED;
    private static final boolean LITTLE = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;
    /**
     * Bytes summed into one pair of accumulators before they are reduced. Each accumulator takes
     * half of them, at most 0xFFFF per 2 bytes, and is reduced in 32-bit lane arithmetic
     * ({@code reduceLanesToLong} on ints wraps at 2^32), so a block must stay below
     * 4 × 2^32 / 0xFFFF bytes; 64 KiB keeps every lane and every reduction far from that.
     */
    private static final int BLOCK_BYTES = 65_536;

    @Override
    public int partial(byte[] b, int off, int len, int initial) {
        int step = BYTES.length();
        int i = off;
        long sum = 0;
        while (off + len - i >= 2 * step) {
            IntVector acc1 = IntVector.zero(INTS);
            IntVector acc2 = IntVector.zero(INTS);
            int end = i + Math.min((off + len - i) / (2 * step), BLOCK_BYTES / (2 * step)) * 2 * step;
            for (; i < end; i += 2 * step) {
                IntVector v = ByteVector.fromArray(BYTES, b, i).reinterpretAsInts();
                IntVector w = ByteVector.fromArray(BYTES, b, i + step).reinterpretAsInts();
                acc1 = acc1.add(v.and(0xFFFF)).add(v.lanewise(VectorOperators.LSHR, 16));
                acc2 = acc2.add(w.and(0xFFFF)).add(w.lanewise(VectorOperators.LSHR, 16));
            }
            // Reduced here, not in a helper: a vector passed to a method C2 does not inline (one
            // already compiled on its own, say) is boxed, an allocation on every call.
            sum += (acc1.reduceLanesToLong(VectorOperators.ADD) & 0xFFFF_FFFFL)
                    + (acc2.reduceLanesToLong(VectorOperators.ADD) & 0xFFFF_FFFFL);
        }
        return finish(b, i, off + len, sum, initial);
    }

    /** The same sum as {@link #partial}, each vector stored to {@code dst} right after it is loaded. */
    @Override
    public int copyAndPartial(byte[] src, int srcOff, byte[] dst, int dstOff, int len, int initial) {
        int step = BYTES.length();
        int i = 0;
        long sum = 0;
        while (len - i >= 2 * step) {
            IntVector acc1 = IntVector.zero(INTS);
            IntVector acc2 = IntVector.zero(INTS);
            int end = i + Math.min((len - i) / (2 * step), BLOCK_BYTES / (2 * step)) * 2 * step;
            for (; i < end; i += 2 * step) {
                ByteVector bv = ByteVector.fromArray(BYTES, src, srcOff + i);
                ByteVector bw = ByteVector.fromArray(BYTES, src, srcOff + i + step);
                bv.intoArray(dst, dstOff + i);
                bw.intoArray(dst, dstOff + i + step);
                IntVector v = bv.reinterpretAsInts();
                IntVector w = bw.reinterpretAsInts();
                acc1 = acc1.add(v.and(0xFFFF)).add(v.lanewise(VectorOperators.LSHR, 16));
                acc2 = acc2.add(w.and(0xFFFF)).add(w.lanewise(VectorOperators.LSHR, 16));
            }
            // Reduced here, not in a helper: a vector passed to a method C2 does not inline (one
            // already compiled on its own, say) is boxed, an allocation on every call.
            sum += (acc1.reduceLanesToLong(VectorOperators.ADD) & 0xFFFF_FFFFL)
                    + (acc2.reduceLanesToLong(VectorOperators.ADD) & 0xFFFF_FFFFL);
        }
        // The last few bytes (less than two vectors) are copied, then summed from the copy.
        System.arraycopy(src, srcOff + i, dst, dstOff + i, len - i);
        return finish(dst, dstOff + i, dstOff + len, sum, initial);
    }

    /** Folds the lanes' sum, puts it in big-endian order, adds {@code initial} and the tail {@code b[i, end)}. */
    private static int finish(byte[] b, int i, int end, long sum, int initial) {
        int bulk = Checksum.fold(sum);
        long start = (LITTLE ? Checksum.swap(bulk) : bulk) + (long) (initial & 0xFFFF_FFFFL);
        return Checksum.tail(b, i, end, start);
    }
}
