package org.jnetstack.wire;

/**
 * View of an ICMPv6 message (RFC 4443) over a byte array; {@code len} is the whole message (the
 * upper-layer payload after the IPv6 header chain). Parsing allocates nothing; {@link #check}
 * says whether the fixed part of the message is present and the checksum verifies.
 */
public final class Icmpv6Message {
    /** Type, code and checksum (RFC 4443 §2.1). */
    public static final int HEADER_LENGTH = 4;
    /** Errors and echo carry a 32-bit field after the header (RFC 4443 §3, §4). */
    public static final int ERROR_HEADER_LENGTH = 8;
    public static final int ECHO_HEADER_LENGTH = 8;
    /**
     * The most of the invoking packet an error can quote when the offending packet's header is
     * a plain 40-byte IPv6 header: the error "as much of invoking packet as possible without the
     * ICMPv6 packet exceeding the minimum IPv6 MTU" (RFC 4443 §2.4(c), §3.1): 1280 - 40 - 8.
     */
    public static final int MAX_QUOTED = Ipv6Packet.MIN_MTU - Ipv6Packet.HEADER_LENGTH - ERROR_HEADER_LENGTH;

    /** Error types have the high bit clear, informational types set (RFC 4443 §2.1). */
    public static final int TYPE_DEST_UNREACHABLE = 1;
    public static final int TYPE_PACKET_TOO_BIG = 2;
    public static final int TYPE_TIME_EXCEEDED = 3;
    public static final int TYPE_PARAMETER_PROBLEM = 4;
    public static final int TYPE_ECHO_REQUEST = 128;
    public static final int TYPE_ECHO_REPLY = 129;
    /** Multicast Listener Query (RFC 2710 §3, RFC 3810 §5.1). */
    public static final int TYPE_MLD_QUERY = 130;
    public static final int TYPE_MLDV1_REPORT = 131;
    public static final int TYPE_MLDV1_DONE = 132;
    /** Neighbor Discovery (RFC 4861 §4). */
    public static final int TYPE_ROUTER_SOLICITATION = 133;
    public static final int TYPE_ROUTER_ADVERTISEMENT = 134;
    public static final int TYPE_NEIGHBOR_SOLICITATION = 135;
    public static final int TYPE_NEIGHBOR_ADVERTISEMENT = 136;
    public static final int TYPE_REDIRECT = 137;
    /** Version 2 Multicast Listener Report (RFC 3810 §5.2). */
    public static final int TYPE_MLDV2_REPORT = 143;

    /** Codes for {@link #TYPE_DEST_UNREACHABLE} (RFC 4443 §3.1). */
    public static final int CODE_NO_ROUTE = 0;
    public static final int CODE_ADMIN_PROHIBITED = 1;
    public static final int CODE_BEYOND_SCOPE = 2;
    public static final int CODE_ADDRESS_UNREACHABLE = 3;
    public static final int CODE_PORT_UNREACHABLE = 4;
    /** Codes for {@link #TYPE_TIME_EXCEEDED} (RFC 4443 §3.3). */
    public static final int CODE_HOP_LIMIT_EXCEEDED = 0;
    public static final int CODE_REASSEMBLY_TIME_EXCEEDED = 1;
    /** Codes for {@link #TYPE_PARAMETER_PROBLEM} (RFC 4443 §3.4; code 3 from RFC 7112 §5). */
    public static final int CODE_ERRONEOUS_HEADER = 0;
    public static final int CODE_UNRECOGNIZED_NEXT_HEADER = 1;
    public static final int CODE_UNRECOGNIZED_OPTION = 2;
    public static final int CODE_INCOMPLETE_CHAIN = 3;

    private static final int CHECKSUM = 2;
    private static final int WORD = 4;

    private byte[] buf;
    private int off;
    private int len;

    public Icmpv6Message wrap(byte[] buf, int off, int len) {
        Bytes.checkSlice(buf, off, len);
        this.buf = buf;
        this.off = off;
        this.len = len;
        return this;
    }

    /**
     * Null if the message holds at least the fixed part its type needs ({@link #minimumLength})
     * and its checksum, over the IPv6 pseudo-header (RFC 8200 §8.1, next header 58, length
     * {@code len}) and the message, verifies (RFC 4443 §2.3). After null every accessor of that
     * type reads inside the message.
     */
    public Malformed check(long srcHi, long srcLo, long dstHi, long dstLo) {
        if (len < HEADER_LENGTH || len < minimumLength(type())) {
            return Malformed.TRUNCATED;
        }
        int pseudo = Checksum.pseudoHeader6(srcHi, srcLo, dstHi, dstLo, Ipv6Packet.NH_ICMPV6, len);
        if (Checksum.finish(Checksum.partial(buf, off, len, pseudo)) != 0) {
            return Malformed.BAD_CHECKSUM;
        }
        return null;
    }

    /**
     * The fewest bytes a message of this type has: 8 for errors, known or not (every error has
     * the 32-bit field before the invoking packet, RFC 4443 §2.1, §3), and for echo (§4),
     * the fixed parts of MLD (RFC 2710 §3: 24; RFC 3810 §5.2: 8 for a v2 report) and of Neighbor
     * Discovery messages (RFC 4861 §6.1.1, §6.1.2, §7.1.1, §7.1.2, §8.1: 8, 16, 24, 24, 40), and
     * the 4-byte header for any other type.
     */
    public static int minimumLength(int type) {
        return switch (type) {
            case TYPE_DEST_UNREACHABLE, TYPE_PACKET_TOO_BIG, TYPE_TIME_EXCEEDED, TYPE_PARAMETER_PROBLEM,
                 TYPE_ECHO_REQUEST, TYPE_ECHO_REPLY -> ERROR_HEADER_LENGTH;
            case TYPE_MLD_QUERY, TYPE_MLDV1_REPORT, TYPE_MLDV1_DONE -> 24;
            case TYPE_MLDV2_REPORT, TYPE_ROUTER_SOLICITATION -> 8;
            case TYPE_ROUTER_ADVERTISEMENT -> 16;
            case TYPE_NEIGHBOR_SOLICITATION, TYPE_NEIGHBOR_ADVERTISEMENT -> 24;
            case TYPE_REDIRECT -> 40;
            default -> isError(type) ? ERROR_HEADER_LENGTH : HEADER_LENGTH;
        };
    }

    /** True for an error message (types 0..127, RFC 4443 §2.1): never answered with an error (§2.4(e.1)). */
    public static boolean isError(int type) {
        return type < 128;
    }

    public int offset() {
        return off;
    }

    public int length() {
        return len;
    }

    public int type() {
        return Bytes.u8(buf, off);
    }

    public int code() {
        return Bytes.u8(buf, off + 1);
    }

    public int checksum() {
        return Bytes.u16(buf, off + CHECKSUM);
    }

    /** Echo identifier (RFC 4443 §4.1). */
    public int identifier() {
        return Bytes.u16(buf, off + WORD);
    }

    /** Echo sequence number. */
    public int sequence() {
        return Bytes.u16(buf, off + WORD + 2);
    }

    /** Packet Too Big: the next-hop link's MTU (RFC 4443 §3.2). */
    public long mtu() {
        return Bytes.u32(buf, off + WORD);
    }

    /** Parameter Problem: the offset in the invoking packet where the problem was found (RFC 4443 §3.4). */
    public long pointer() {
        return Bytes.u32(buf, off + WORD);
    }

    /** After the 4-byte header: the message body (for NDP and MLD, where their fields start at byte 4). */
    public int bodyOffset() {
        return off + HEADER_LENGTH;
    }

    public int bodyLength() {
        return len - HEADER_LENGTH;
    }

    /** Errors: the invoking packet as quoted, starting with its IPv6 header (RFC 4443 §3). */
    public int quotedOffset() {
        return off + Math.min(len, ERROR_HEADER_LENGTH);
    }

    public int quotedLength() {
        return Math.max(0, len - ERROR_HEADER_LENGTH);
    }

    /** Echo: the data after identifier and sequence. */
    public int echoDataOffset() {
        return off + Math.min(len, ECHO_HEADER_LENGTH);
    }

    public int echoDataLength() {
        return Math.max(0, len - ECHO_HEADER_LENGTH);
    }

    /**
     * Writes an echo request or reply (RFC 4443 §4.1, §4.2) with a zero checksum; a reply copies
     * the request's identifier, sequence and data. The data may be the same bytes as the
     * destination (arraycopy handles overlap).
     *
     * @return the message length, 8 + dataLen
     */
    public static int writeEcho(byte[] buf, int off, int type, int identifier, int sequence,
                                byte[] data, int dataOff, int dataLen) {
        writeHeader(buf, off, type, 0, (identifier & 0xFFFF) << 16 | (sequence & 0xFFFF));
        System.arraycopy(data, dataOff, buf, off + ECHO_HEADER_LENGTH, dataLen);
        return ECHO_HEADER_LENGTH + dataLen;
    }

    /**
     * Writes an error message (RFC 4443 §3) with a zero checksum: the 32-bit field is the MTU
     * for Packet Too Big, the pointer for Parameter Problem, and 0 (unused) for the others. The
     * caller chooses {@code qLen}: as much of the invoking packet as fits without the error
     * exceeding the minimum IPv6 MTU (§2.4(c)); {@link #MAX_QUOTED} after a bare IPv6 header.
     *
     * @return the message length, 8 + qLen
     */
    public static int writeError(byte[] buf, int off, int type, int code, long mtuOrPointer,
                                 byte[] quoted, int qOff, int qLen) {
        writeHeader(buf, off, type, code, (int) mtuOrPointer);
        System.arraycopy(quoted, qOff, buf, off + ERROR_HEADER_LENGTH, qLen);
        return ERROR_HEADER_LENGTH + qLen;
    }

    /** Writes type, code, a zero checksum and the 32-bit word after it; returns 8. */
    public static int writeHeader(byte[] buf, int off, int type, int code, int word) {
        buf[off] = (byte) type;
        buf[off + 1] = (byte) code;
        buf[off + CHECKSUM] = 0;
        buf[off + CHECKSUM + 1] = 0;
        Bytes.putI32(buf, off + WORD, word);
        return ERROR_HEADER_LENGTH;
    }

    /**
     * Computes the checksum of the {@code len}-byte message at {@code off} over the IPv6
     * pseudo-header (RFC 8200 §8.1) and the message (RFC 4443 §2.3), and stores it.
     */
    public static void writeChecksum(byte[] buf, int off, int len, long srcHi, long srcLo, long dstHi, long dstLo) {
        buf[off + CHECKSUM] = 0;
        buf[off + CHECKSUM + 1] = 0;
        int pseudo = Checksum.pseudoHeader6(srcHi, srcLo, dstHi, dstLo, Ipv6Packet.NH_ICMPV6, len);
        Bytes.putU16(buf, off + CHECKSUM, Checksum.finish(Checksum.partial(buf, off, len, pseudo)));
    }
}
