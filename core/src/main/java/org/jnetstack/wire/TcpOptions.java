package org.jnetstack.wire;

/**
 * The TCP options we understand, as a reusable holder: {@link #parse} fills it from a header
 * without allocating, {@link #write} encodes it. Options: MSS (RFC 9293 §3.7.1), window scale
 * and timestamps (RFC 7323 §2, §3), SACK-permitted and SACK blocks (RFC 2018).
 *
 * <p>Absent options read as "not present" ({@link #hasMss()} etc.); values are reported raw
 * (e.g. a window scale above 14 is returned as sent — clamping it is the connection's job,
 * RFC 7323 §2.3).
 */
public final class TcpOptions {
    public static final int KIND_END = 0;
    public static final int KIND_NOP = 1;
    public static final int KIND_MSS = 2;
    public static final int KIND_WINDOW_SCALE = 3;
    public static final int KIND_SACK_PERMITTED = 4;
    public static final int KIND_SACK = 5;
    public static final int KIND_TIMESTAMPS = 8;

    /** The option space: the data offset field allows a 60-byte header (RFC 9293 §3.1). */
    public static final int MAX_LENGTH = 40;
    /** A SACK option carries at most 4 blocks in 40 bytes (RFC 2018 §3). */
    public static final int MAX_SACK_BLOCKS = 4;

    private static final int LEN_MSS = 4;
    private static final int LEN_WINDOW_SCALE = 3;
    private static final int LEN_SACK_PERMITTED = 2;
    private static final int LEN_TIMESTAMPS = 10;

    private boolean hasMss;
    private int mss;
    private boolean hasWindowScale;
    private int windowScale;
    private boolean sackPermitted;
    private boolean hasTimestamps;
    private int tsVal;
    private int tsEcr;
    private int sackBlockCount;
    private final int[] sackEdges = new int[2 * MAX_SACK_BLOCKS];

    /** Forgets every option; returns {@code this}. */
    public TcpOptions clear() {
        hasMss = false;
        mss = 0;
        hasWindowScale = false;
        windowScale = 0;
        sackPermitted = false;
        hasTimestamps = false;
        tsVal = 0;
        tsEcr = 0;
        sackBlockCount = 0;
        return this;
    }

    // ---- parsing ----

    /**
     * Clears this holder and fills it from the option bytes {@code [off, off+len)}.
     * Unknown options are skipped by their length. A known option with an unexpected length
     * is ignored, as Linux does, rather than failing the segment.
     *
     * @return {@code null}, or {@link Malformed#BAD_OPTION} when an option length is below 2 or
     *     runs past the end (RFC 9293 §3.1: the length counts kind and length bytes; MUST-7: be
     *     prepared for an illegal option length such as zero)
     */
    public Malformed parse(byte[] buf, int off, int len) {
        clear();
        int end = off + len;
        int i = off;
        while (i < end) {
            int kind = buf[i] & 0xFF;
            if (kind == KIND_END) {
                break;
            }
            if (kind == KIND_NOP) {
                i++;
                continue;
            }
            if (i + 1 >= end) {
                return Malformed.BAD_OPTION;
            }
            int optLen = buf[i + 1] & 0xFF;
            if (optLen < 2 || i + optLen > end) {
                return Malformed.BAD_OPTION;
            }
            take(buf, i, kind, optLen);
            i += optLen;
        }
        return null;
    }

    /** Parses the options of a segment that passed {@link TcpSegment#check}. */
    public Malformed parse(TcpSegment segment) {
        return parse(segment.buffer(), segment.optionsOffset(), segment.optionsLength());
    }

    /** Checks the option list's structure only (lengths), without filling a holder. */
    public static Malformed validate(byte[] buf, int off, int len) {
        int end = off + len;
        int i = off;
        while (i < end) {
            int kind = buf[i] & 0xFF;
            if (kind == KIND_END) {
                return null;
            }
            if (kind == KIND_NOP) {
                i++;
                continue;
            }
            if (i + 1 >= end) {
                return Malformed.BAD_OPTION;
            }
            int optLen = buf[i + 1] & 0xFF;
            if (optLen < 2 || i + optLen > end) {
                return Malformed.BAD_OPTION;
            }
            i += optLen;
        }
        return null;
    }

    private void take(byte[] buf, int at, int kind, int optLen) {
        switch (kind) {
            case KIND_MSS -> {
                if (optLen == LEN_MSS) {
                    hasMss = true;
                    mss = Bytes.u16(buf, at + 2);
                }
            }
            case KIND_WINDOW_SCALE -> {
                if (optLen == LEN_WINDOW_SCALE) {
                    hasWindowScale = true;
                    windowScale = buf[at + 2] & 0xFF;
                }
            }
            case KIND_SACK_PERMITTED -> {
                if (optLen == LEN_SACK_PERMITTED) {
                    sackPermitted = true;
                }
            }
            case KIND_TIMESTAMPS -> {
                if (optLen == LEN_TIMESTAMPS) {
                    hasTimestamps = true;
                    tsVal = Bytes.i32(buf, at + 2);
                    tsEcr = Bytes.i32(buf, at + 6);
                }
            }
            case KIND_SACK -> {
                int dataLen = optLen - 2;
                if (dataLen > 0 && dataLen % 8 == 0) {
                    int n = Math.min(dataLen / 8, MAX_SACK_BLOCKS);
                    for (int b = 0; b < n; b++) {
                        sackEdges[2 * b] = Bytes.i32(buf, at + 2 + 8 * b);
                        sackEdges[2 * b + 1] = Bytes.i32(buf, at + 6 + 8 * b);
                    }
                    sackBlockCount = n;
                }
            }
            default -> {
                // Unknown option: skipped by its length (RFC 9293 §3.1, MUST-6: ignore without
                // error any option not implemented).
            }
        }
    }

    // ---- accessors and setters ----

    public boolean hasMss() {
        return hasMss;
    }

    public int mss() {
        return mss;
    }

    public TcpOptions setMss(int mss) {
        this.hasMss = true;
        this.mss = mss & 0xFFFF;
        return this;
    }

    public boolean hasWindowScale() {
        return hasWindowScale;
    }

    /** The shift count as sent (0..255; values above 14 are the receiver's to clamp). */
    public int windowScale() {
        return windowScale;
    }

    public TcpOptions setWindowScale(int shift) {
        this.hasWindowScale = true;
        this.windowScale = shift & 0xFF;
        return this;
    }

    public boolean sackPermitted() {
        return sackPermitted;
    }

    public TcpOptions setSackPermitted(boolean permitted) {
        this.sackPermitted = permitted;
        return this;
    }

    public boolean hasTimestamps() {
        return hasTimestamps;
    }

    public int tsVal() {
        return tsVal;
    }

    public int tsEcr() {
        return tsEcr;
    }

    public TcpOptions setTimestamps(int tsVal, int tsEcr) {
        this.hasTimestamps = true;
        this.tsVal = tsVal;
        this.tsEcr = tsEcr;
        return this;
    }

    public int sackBlockCount() {
        return sackBlockCount;
    }

    /** Left edge (first sequence number) of SACK block {@code i}. */
    public int sackLeft(int i) {
        checkBlock(i);
        return sackEdges[2 * i];
    }

    /** Right edge (sequence number after the block) of SACK block {@code i}. */
    public int sackRight(int i) {
        checkBlock(i);
        return sackEdges[2 * i + 1];
    }

    /**
     * Appends a SACK block; the first block added should be the most recently received
     * (RFC 2018 §4), since blocks that do not fit the option space are dropped from the end.
     *
     * @throws IllegalStateException when 4 blocks are already held
     */
    public TcpOptions addSackBlock(int left, int right) {
        if (sackBlockCount == MAX_SACK_BLOCKS) {
            throw new IllegalStateException("at most " + MAX_SACK_BLOCKS + " SACK blocks; clear the holder or send fewer");
        }
        sackEdges[2 * sackBlockCount] = left;
        sackEdges[2 * sackBlockCount + 1] = right;
        sackBlockCount++;
        return this;
    }

    public TcpOptions clearSackBlocks() {
        sackBlockCount = 0;
        return this;
    }

    private void checkBlock(int i) {
        if (i < 0 || i >= sackBlockCount) {
            throw new IndexOutOfBoundsException("SACK block " + i + " of " + sackBlockCount);
        }
    }

    // ---- encoding ----

    /**
     * Bytes {@link #write} produces: a multiple of 4, at most 40. The layout keeps every
     * 32-bit field aligned (RFC 7323 Appendix A): MSS; SACK-permitted + timestamps together
     * (or NOP NOP before either alone); NOP + window scale; NOP NOP + SACK blocks, as many as fit.
     */
    public int encodedLength() {
        int n = fixedLength();
        int blocks = sackBlocksThatFit(n);
        return blocks == 0 ? n : n + 4 + 8 * blocks;
    }

    private int fixedLength() {
        int n = 0;
        if (hasMss) {
            n += 4;
        }
        if (hasTimestamps) {
            n += 12;
        } else if (sackPermitted) {
            n += 4;
        }
        if (hasWindowScale) {
            n += 4;
        }
        return n;
    }

    private int sackBlocksThatFit(int used) {
        if (sackBlockCount == 0) {
            return 0;
        }
        int room = (MAX_LENGTH - used - 4) / 8;
        return Math.max(0, Math.min(sackBlockCount, room));
    }

    /** Encodes the options at {@code off}; returns {@link #encodedLength()}. */
    public int write(byte[] buf, int off) {
        int i = off;
        if (hasMss) {
            buf[i] = KIND_MSS;
            buf[i + 1] = LEN_MSS;
            Bytes.putU16(buf, i + 2, mss);
            i += 4;
        }
        if (hasTimestamps) {
            if (sackPermitted) {
                buf[i] = KIND_SACK_PERMITTED;
                buf[i + 1] = LEN_SACK_PERMITTED;
            } else {
                buf[i] = KIND_NOP;
                buf[i + 1] = KIND_NOP;
            }
            buf[i + 2] = KIND_TIMESTAMPS;
            buf[i + 3] = LEN_TIMESTAMPS;
            Bytes.putI32(buf, i + 4, tsVal);
            Bytes.putI32(buf, i + 8, tsEcr);
            i += 12;
        } else if (sackPermitted) {
            buf[i] = KIND_NOP;
            buf[i + 1] = KIND_NOP;
            buf[i + 2] = KIND_SACK_PERMITTED;
            buf[i + 3] = LEN_SACK_PERMITTED;
            i += 4;
        }
        if (hasWindowScale) {
            buf[i] = KIND_NOP;
            buf[i + 1] = KIND_WINDOW_SCALE;
            buf[i + 2] = LEN_WINDOW_SCALE;
            buf[i + 3] = (byte) windowScale;
            i += 4;
        }
        int blocks = sackBlocksThatFit(i - off);
        if (blocks > 0) {
            buf[i] = KIND_NOP;
            buf[i + 1] = KIND_NOP;
            buf[i + 2] = KIND_SACK;
            buf[i + 3] = (byte) (2 + 8 * blocks);
            i += 4;
            for (int b = 0; b < blocks; b++) {
                Bytes.putI32(buf, i, sackEdges[2 * b]);
                Bytes.putI32(buf, i + 4, sackEdges[2 * b + 1]);
                i += 8;
            }
        }
        return i - off;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("TcpOptions[");
        if (hasMss) {
            sb.append("mss=").append(mss).append(' ');
        }
        if (hasWindowScale) {
            sb.append("wscale=").append(windowScale).append(' ');
        }
        if (sackPermitted) {
            sb.append("sackOK ");
        }
        if (hasTimestamps) {
            sb.append("ts=").append(Integer.toUnsignedString(tsVal)).append('/').append(Integer.toUnsignedString(tsEcr)).append(' ');
        }
        for (int b = 0; b < sackBlockCount; b++) {
            sb.append("sack=").append(Integer.toUnsignedString(sackEdges[2 * b])).append('-')
                    .append(Integer.toUnsignedString(sackEdges[2 * b + 1])).append(' ');
        }
        if (sb.charAt(sb.length() - 1) == ' ') {
            sb.setLength(sb.length() - 1);
        }
        return sb.append(']').toString();
    }
}
