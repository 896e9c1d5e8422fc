package org.jnetstack.wire;

/** Big-endian (network order) reads and writes on byte arrays. No bounds checks beyond the JVM's own. */
public final class Bytes {
    private Bytes() {
    }

    public static int u8(byte[] b, int off) {
        return b[off] & 0xFF;
    }

    public static int u16(byte[] b, int off) {
        return ((b[off] & 0xFF) << 8) | (b[off + 1] & 0xFF);
    }

    /** Four bytes as an int (for sequence numbers and addresses the sign bit is just bit 31). */
    public static int i32(byte[] b, int off) {
        return ((b[off] & 0xFF) << 24) | ((b[off + 1] & 0xFF) << 16) | ((b[off + 2] & 0xFF) << 8) | (b[off + 3] & 0xFF);
    }

    public static long u32(byte[] b, int off) {
        return i32(b, off) & 0xFFFF_FFFFL;
    }

    public static void putU8(byte[] b, int off, int v) {
        b[off] = (byte) v;
    }

    public static void putU16(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 8);
        b[off + 1] = (byte) v;
    }

    public static void putI32(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 24);
        b[off + 1] = (byte) (v >>> 16);
        b[off + 2] = (byte) (v >>> 8);
        b[off + 3] = (byte) v;
    }

    /** Eight bytes as a long. */
    public static long getI64(byte[] b, int off) {
        return (long) i32(b, off) << 32 | (i32(b, off + 4) & 0xFFFF_FFFFL);
    }

    public static void putI64(byte[] b, int off, long v) {
        putI32(b, off, (int) (v >>> 32));
        putI32(b, off + 4, (int) v);
    }

    /**
     * Checks that {@code [off, off+len)} lies inside {@code buf}; views call this from
     * {@code wrap} so a bad slice is a caller bug reported at once, not a later surprise.
     */
    static void checkSlice(byte[] buf, int off, int len) {
        java.util.Objects.checkFromIndexSize(off, len, buf.length);
    }
}
