package org.jnetstack.wire;

/** View of an ICMP message (RFC 792); {@code len} is the whole message (the IP payload). */
public final class IcmpMessage {
    public static final int HEADER_LENGTH = 8;

    public static final int TYPE_ECHO_REPLY = 0;
    public static final int TYPE_DEST_UNREACHABLE = 3;
    public static final int TYPE_REDIRECT = 5;
    public static final int TYPE_ECHO_REQUEST = 8;
    public static final int TYPE_TIME_EXCEEDED = 11;

    /** Codes for {@link #TYPE_DEST_UNREACHABLE}. */
    public static final int CODE_NET_UNREACHABLE = 0;
    public static final int CODE_HOST_UNREACHABLE = 1;
    public static final int CODE_PROTOCOL_UNREACHABLE = 2;
    public static final int CODE_PORT_UNREACHABLE = 3;
    public static final int CODE_FRAGMENTATION_NEEDED = 4;
    /** Codes for {@link #TYPE_TIME_EXCEEDED}. */
    public static final int CODE_TTL_EXCEEDED = 0;
    public static final int CODE_REASSEMBLY_TIME_EXCEEDED = 1;

    private byte[] buf;
    private int off;
    private int len;

    public IcmpMessage wrap(byte[] buf, int off, int len) {
        Bytes.checkSlice(buf, off, len);
        this.buf = buf;
        this.off = off;
        this.len = len;
        return this;
    }

    public Malformed check() {
        if (len < HEADER_LENGTH) {
            return Malformed.TRUNCATED;
        }
        if (Checksum.compute(buf, off, len) != 0) {
            return Malformed.BAD_CHECKSUM;
        }
        return null;
    }

    public int type() {
        return Bytes.u8(buf, off);
    }

    public int code() {
        return Bytes.u8(buf, off + 1);
    }

    public int checksum() {
        return Bytes.u16(buf, off + 2);
    }

    /** Echo identifier (bytes 4..6); meaningful for echo request/reply. */
    public int identifier() {
        return Bytes.u16(buf, off + 4);
    }

    /** Echo sequence number (bytes 6..8). */
    public int sequence() {
        return Bytes.u16(buf, off + 6);
    }

    /** Bytes 4..8 as one int: id+seq for echo, next-hop MTU for fragmentation needed, gateway for redirect. */
    public int restOfHeader() {
        return Bytes.i32(buf, off + 4);
    }

    public int payloadOffset() {
        return off + HEADER_LENGTH;
    }

    public int payloadLength() {
        return len - HEADER_LENGTH;
    }

    /** Writes type, code, zero checksum and the rest-of-header word; returns 8. */
    public static int writeHeader(byte[] buf, int off, int type, int code, int restOfHeader) {
        buf[off] = (byte) type;
        buf[off + 1] = (byte) code;
        buf[off + 2] = 0;
        buf[off + 3] = 0;
        Bytes.putI32(buf, off + 4, restOfHeader);
        return HEADER_LENGTH;
    }

    /** Computes the checksum over the whole {@code len}-byte message and stores it. */
    public static void fillChecksum(byte[] buf, int off, int len) {
        buf[off + 2] = 0;
        buf[off + 3] = 0;
        Bytes.putU16(buf, off + 2, Checksum.compute(buf, off, len));
    }

    /**
     * Builds an error message quoting the offending datagram (RFC 792; RFC 1122 §3.2.2: the IP
     * header plus at least the first 8 payload bytes — the caller chooses how much to pass).
     *
     * @return the message length, 8 + origLen
     */
    public static int writeError(byte[] buf, int off, int type, int code, int restOfHeader,
                                 byte[] orig, int origOff, int origLen) {
        writeHeader(buf, off, type, code, restOfHeader);
        System.arraycopy(orig, origOff, buf, off + HEADER_LENGTH, origLen);
        int len = HEADER_LENGTH + origLen;
        fillChecksum(buf, off, len);
        return len;
    }
}
