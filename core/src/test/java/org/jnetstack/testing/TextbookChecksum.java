package org.jnetstack.testing;

/**
 * The Internet checksum's textbook loop (RFC 1071 §4.1: big-endian 16-bit words, an odd last
 * byte padded with a zero low byte, end-around carries): what every fast path must equal.
 */
public final class TextbookChecksum {
    private TextbookChecksum() {
    }

    /** Partial sum of {@code b[off, off+len)} added to {@code initial}, folded to 0..0xFFFF. */
    public static int partial(byte[] b, int off, int len, int initial) {
        long sum = initial & 0xFFFF_FFFFL;
        for (int i = 0; i + 1 < len; i += 2) {
            sum += ((b[off + i] & 0xFF) << 8) | (b[off + i + 1] & 0xFF);
        }
        if ((len & 1) != 0) {
            sum += (b[off + len - 1] & 0xFF) << 8;
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int) sum;
    }
}
