package org.jnetstack.usernet;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** Deterministic test data: byte {@code i} of a stream depends only on {@code i}. */
final class Pattern {
    private Pattern() {
    }

    static void fill(byte[] buf, int off, int len, long position) {
        for (int i = 0; i < len; i++) {
            long p = position + i;
            buf[off + i] = (byte) (p * 131 + (p >>> 9) * 7 + (p >>> 17));
        }
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /** SHA-256 of the first {@code total} bytes of the pattern. */
    static byte[] digest(long total) {
        MessageDigest md = sha256();
        byte[] b = new byte[64 * 1024];
        for (long done = 0; done < total; ) {
            int n = (int) Math.min(b.length, total - done);
            fill(b, 0, n, done);
            md.update(b, 0, n);
            done += n;
        }
        return md.digest();
    }
}
