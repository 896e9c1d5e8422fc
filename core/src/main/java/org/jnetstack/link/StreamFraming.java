package org.jnetstack.link;

/**
 * The framing of a {@link StreamDevice}'s byte stream (QEMU's {@code -netdev stream}): each
 * Ethernet frame behind its length as a 32-bit big-endian integer. The receive side cuts frames
 * out of what each read brought: a frame lying whole in the read buffer is handed up where it
 * lies; only a frame cut by the read's end is copied, into a buffer for one frame, and completed
 * from the next read. Nothing is allocated per frame.
 */
final class StreamFraming {
    /** The shortest frame: an Ethernet header. */
    static final int MIN_FRAME = 14;
    /** {@link #next()}: the bytes so far end inside a frame; read more. */
    static final int MORE = 0;
    /** {@link #next()}: a length that cannot be a frame here; the stream has lost its framing. */
    static final int BOGUS = -1;

    private final int maxFrame;
    /** What one read brought: bytes {@code [pos, end)} are still to be cut into frames. */
    final byte[] readBuffer;
    private int pos;
    private int end;
    /** A frame cut by a read's end, with its length prefix: {@code partialHave} bytes of it so far. */
    private final byte[] partial;
    private int partialHave;
    private int partialLength;

    // The frame the last next() returned, or the bogus length it met.
    private byte[] frameArray;
    private int frameOffset;
    private int badLength;

    StreamFraming(int readBufferBytes, int maxFrame) {
        this.maxFrame = maxFrame;
        this.readBuffer = new byte[readBufferBytes];
        this.partial = new byte[StreamOptions.LENGTH_PREFIX + maxFrame];
    }

    /** True while bytes of the last read are left to cut. */
    boolean hasBytes() {
        return pos < end;
    }

    /** A read put {@code n} bytes at the start of {@link #readBuffer}. */
    void filled(int n) {
        pos = 0;
        end = n;
    }

    /** Forgets everything received (a new connection starts a new stream). */
    void reset() {
        pos = 0;
        end = 0;
        partialHave = 0;
    }

    /**
     * The next frame: its length (it lies at {@link #frameArray()}, {@link #frameOffset()}), or
     * {@link #MORE} when the bytes so far end inside one, or {@link #BOGUS} for a length no frame
     * on this link can have ({@link #badLength()}).
     */
    int next() {
        if (partialHave == 0 && end - pos >= StreamOptions.LENGTH_PREFIX) {
            int len = readLength(readBuffer, pos);
            if (!valid(len)) {
                return BOGUS;
            }
            int start = pos + StreamOptions.LENGTH_PREFIX;
            if (end - start >= len) {
                pos = start + len;
                frameArray = readBuffer;
                frameOffset = start;
                return len;
            }
        }
        return assemble();
    }

    /** Moves bytes of a frame cut by the read's end into {@link #partial}; its length once whole. */
    private int assemble() {
        if (partialHave < StreamOptions.LENGTH_PREFIX) {
            int k = Math.min(StreamOptions.LENGTH_PREFIX - partialHave, end - pos);
            System.arraycopy(readBuffer, pos, partial, partialHave, k);
            partialHave += k;
            pos += k;
            if (partialHave < StreamOptions.LENGTH_PREFIX) {
                return MORE;
            }
            partialLength = readLength(partial, 0);
            if (!valid(partialLength)) {
                return BOGUS;
            }
        }
        int k = Math.min(StreamOptions.LENGTH_PREFIX + partialLength - partialHave, end - pos);
        System.arraycopy(readBuffer, pos, partial, partialHave, k);
        partialHave += k;
        pos += k;
        if (partialHave < StreamOptions.LENGTH_PREFIX + partialLength) {
            return MORE;
        }
        partialHave = 0;
        frameArray = partial;
        frameOffset = StreamOptions.LENGTH_PREFIX;
        return partialLength;
    }

    byte[] frameArray() {
        return frameArray;
    }

    int frameOffset() {
        return frameOffset;
    }

    /** The length {@link #next()} found bogus, unsigned. */
    int badLength() {
        return badLength;
    }

    private boolean valid(int len) {
        if (len >= MIN_FRAME && len <= maxFrame) {
            return true;
        }
        badLength = len;
        return false;
    }

    /** Writes the length prefix of a {@code len}-byte frame at {@code b[p]}. */
    static void writeLength(byte[] b, int p, int len) {
        b[p] = (byte) (len >>> 24);
        b[p + 1] = (byte) (len >>> 16);
        b[p + 2] = (byte) (len >>> 8);
        b[p + 3] = (byte) len;
    }

    private static int readLength(byte[] b, int i) {
        return (b[i] & 0xFF) << 24 | (b[i + 1] & 0xFF) << 16 | (b[i + 2] & 0xFF) << 8 | (b[i + 3] & 0xFF);
    }
}
