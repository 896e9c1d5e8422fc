package org.jnetstack.tcp;

/** Checks the counts returned by {@link InPlaceWriter#fill} and {@link InPlaceReader#take}. */
final class InPlaceCounts {
    private InPlaceCounts() {
    }

    /**
     * Returns {@code n} if it lies in 0..pieceLength; otherwise throws, before the caller
     * commits anything — a count beyond the piece would send or discard bytes the application
     * never saw.
     */
    static int check(int n, int pieceLength, String method) {
        if (n < 0 || n > pieceLength) {
            throw new IllegalStateException(method + " returned " + n + " for a piece of " + pieceLength
                    + " bytes: must be 0.." + pieceLength + "; nothing was committed");
        }
        return n;
    }
}
