package org.jnetstack.wire;

/**
 * A view of an IPv6 packet's fixed header (RFC 8200 §3) over a byte array. Parsing allocates
 * nothing; {@link #check()} says whether the header can be trusted. Extension headers start at
 * {@link #payloadOffset()} and are walked separately.
 */
public final class Ipv6Packet {
    public static final int HEADER_LENGTH = 40;
    /** The smallest link MTU IPv6 may use (RFC 8200 §5). */
    public static final int MIN_MTU = 1280;

    /** Next header values (IANA protocol numbers) the stack knows. */
    public static final int NH_HOP_BY_HOP = 0;
    public static final int NH_TCP = 6;
    public static final int NH_UDP = 17;
    public static final int NH_ROUTING = 43;
    public static final int NH_FRAGMENT = 44;
    public static final int NH_ESP = 50;
    public static final int NH_AH = 51;
    public static final int NH_ICMPV6 = 58;
    public static final int NH_NONE = 59;
    public static final int NH_DESTINATION_OPTIONS = 60;

    static final int VERSION_CLASS_FLOW = 0;
    static final int PAYLOAD_LENGTH = 4;
    static final int NEXT_HEADER = 6;
    static final int HOP_LIMIT = 7;
    static final int SOURCE = 8;
    static final int DESTINATION = 24;

    private byte[] buf;
    private int off;
    private int len;

    public Ipv6Packet wrap(byte[] buf, int off, int len) {
        Bytes.checkSlice(buf, off, len);
        this.buf = buf;
        this.off = off;
        this.len = len;
        return this;
    }

    /**
     * Null if the fixed header is whole, says version 6, and its payload length fits in the
     * bytes received (bytes beyond it, e.g. Ethernet padding, are ignored). Jumbograms (RFC 2675)
     * are not supported: a payload length of 0 means an empty payload.
     */
    public Malformed check() {
        if (len < HEADER_LENGTH) {
            return Malformed.TRUNCATED;
        }
        if (version() != 6) {
            return Malformed.BAD_VERSION;
        }
        if (HEADER_LENGTH + payloadLength() > len) {
            return Malformed.BAD_TOTAL_LENGTH;
        }
        return null;
    }

    public int version() {
        return (buf[off] & 0xFF) >>> 4;
    }

    public int trafficClass() {
        return (Bytes.u16(buf, off) >>> 4) & 0xFF;
    }

    public int flowLabel() {
        return Bytes.i32(buf, off) & 0xF_FFFF;
    }

    public int payloadLength() {
        return Bytes.u16(buf, off + PAYLOAD_LENGTH);
    }

    public int nextHeader() {
        return buf[off + NEXT_HEADER] & 0xFF;
    }

    public int hopLimit() {
        return buf[off + HOP_LIMIT] & 0xFF;
    }

    public long sourceHi() {
        return Bytes.getI64(buf, off + SOURCE);
    }

    public long sourceLo() {
        return Bytes.getI64(buf, off + SOURCE + 8);
    }

    public long destinationHi() {
        return Bytes.getI64(buf, off + DESTINATION);
    }

    public long destinationLo() {
        return Bytes.getI64(buf, off + DESTINATION + 8);
    }

    /** Where the first extension header or the upper-layer payload starts. */
    public int payloadOffset() {
        return off + HEADER_LENGTH;
    }

    /** The header plus payload, as the payload length field says (not the bytes received). */
    public int packetLength() {
        return HEADER_LENGTH + payloadLength();
    }

    /**
     * Writes the fixed 40-byte header as {@code h} describes it.
     *
     * @return 40
     */
    public static int writeHeader(byte[] buf, int off, Ipv6Header h) {
        Bytes.putI32(buf, off + VERSION_CLASS_FLOW, 6 << 28 | h.trafficClass() << 20 | h.flowLabel());
        Bytes.putU16(buf, off + PAYLOAD_LENGTH, h.payloadLength());
        buf[off + NEXT_HEADER] = (byte) h.nextHeader();
        buf[off + HOP_LIMIT] = (byte) h.hopLimit();
        Ipv6Address.write(buf, off + SOURCE, h.sourceHi(), h.sourceLo());
        Ipv6Address.write(buf, off + DESTINATION, h.destinationHi(), h.destinationLo());
        return HEADER_LENGTH;
    }
}
