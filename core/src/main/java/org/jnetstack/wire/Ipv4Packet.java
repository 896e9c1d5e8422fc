package org.jnetstack.wire;

/**
 * View of an IPv4 packet (RFC 791 §3.1). {@code len} given to {@link #wrap} is the bytes
 * available, which may exceed the total length (Ethernet pads short frames to 60 bytes);
 * {@link #payloadLength()} uses the total length field.
 */
public final class Ipv4Packet {
    public static final int MIN_HEADER_LENGTH = 20;
    // Field offsets from the start of the header (RFC 791 §3.1).
    static final int VERSION_IHL = 0;
    static final int TOS = 1;
    static final int TOTAL_LENGTH = 2;
    static final int IDENTIFICATION = 4;
    static final int FLAGS_FRAGMENT = 6;
    static final int TTL = 8;
    static final int PROTOCOL = 9;
    static final int CHECKSUM = 10;
    static final int SOURCE = 12;
    static final int DESTINATION = 16;
    public static final int PROTO_ICMP = 1;
    public static final int PROTO_TCP = 6;
    public static final int PROTO_UDP = 17;
    public static final int FLAG_DF = 0x4000;
    public static final int FLAG_MF = 0x2000;
    public static final int OFFSET_MASK = 0x1FFF;
    /** Largest datagram the 16-bit total length can describe (RFC 791 §3.1). */
    public static final int MAX_DATAGRAM = 65535;

    private byte[] buf;
    private int off;
    private int len;

    public Ipv4Packet wrap(byte[] buf, int off, int len) {
        Bytes.checkSlice(buf, off, len);
        this.buf = buf;
        this.off = off;
        this.len = len;
        return this;
    }

    public Malformed check() {
        if (len < MIN_HEADER_LENGTH) {
            return Malformed.TRUNCATED;
        }
        if (version() != 4) {
            return Malformed.BAD_VERSION;
        }
        int hl = headerLength();
        if (hl < MIN_HEADER_LENGTH || hl > len) {
            return Malformed.BAD_HEADER_LENGTH;
        }
        int total = totalLength();
        if (total < hl || total > len) {
            return Malformed.BAD_TOTAL_LENGTH;
        }
        if (Checksum.compute(buf, off, hl) != 0) {
            return Malformed.BAD_CHECKSUM;
        }
        // A fragment whose data would end past byte 65535 of the datagram cannot be reassembled
        // (the classic "ping of death"); reject it here rather than in reassembly.
        if (fragmentOffset() + total - hl > MAX_DATAGRAM) {
            return Malformed.BAD_FRAGMENT_OFFSET;
        }
        return null;
    }

    public int version() {
        return (buf[off] & 0xFF) >>> 4;
    }

    /** Header length in bytes (IHL × 4). */
    public int headerLength() {
        return (buf[off] & 0x0F) * 4;
    }

    public int tos() {
        return Bytes.u8(buf, off + TOS);
    }

    public int totalLength() {
        return Bytes.u16(buf, off + TOTAL_LENGTH);
    }

    public int identification() {
        return Bytes.u16(buf, off + IDENTIFICATION);
    }

    /** The raw flags + fragment offset word. */
    public int flagsAndOffset() {
        return Bytes.u16(buf, off + FLAGS_FRAGMENT);
    }

    public boolean dontFragment() {
        return (flagsAndOffset() & FLAG_DF) != 0;
    }

    public boolean moreFragments() {
        return (flagsAndOffset() & FLAG_MF) != 0;
    }

    /** Fragment offset in bytes (the field counts 8-byte units). */
    public int fragmentOffset() {
        return (flagsAndOffset() & OFFSET_MASK) * 8;
    }

    public boolean isFragment() {
        return (flagsAndOffset() & (FLAG_MF | OFFSET_MASK)) != 0;
    }

    public int ttl() {
        return Bytes.u8(buf, off + TTL);
    }

    public int protocol() {
        return Bytes.u8(buf, off + PROTOCOL);
    }

    public int checksum() {
        return Bytes.u16(buf, off + CHECKSUM);
    }

    public int source() {
        return Bytes.i32(buf, off + SOURCE);
    }

    public int destination() {
        return Bytes.i32(buf, off + DESTINATION);
    }

    /** Absolute index of the first byte after the header (options included). */
    public int payloadOffset() {
        return off + headerLength();
    }

    /** Total length minus header length. */
    public int payloadLength() {
        return totalLength() - headerLength();
    }

    /** Offset of the first option byte (the header is options-free when this equals payloadOffset). */
    public int optionsOffset() {
        return off + MIN_HEADER_LENGTH;
    }

    public int optionsLength() {
        return headerLength() - MIN_HEADER_LENGTH;
    }

    /**
     * Writes an option-less 20-byte header, as {@code h} describes it, with its checksum.
     *
     * @return 20
     */
    public static int writeHeader(byte[] buf, int off, Ipv4Header h) {
        buf[off + VERSION_IHL] = 0x45;
        buf[off + TOS] = (byte) h.tos();
        Bytes.putU16(buf, off + TOTAL_LENGTH, h.totalLength());
        Bytes.putU16(buf, off + IDENTIFICATION, h.identification());
        Bytes.putU16(buf, off + FLAGS_FRAGMENT, h.flagsAndOffset());
        buf[off + TTL] = (byte) h.ttl();
        buf[off + PROTOCOL] = (byte) h.protocol();
        Bytes.putU16(buf, off + CHECKSUM, 0);
        Bytes.putI32(buf, off + SOURCE, h.source());
        Bytes.putI32(buf, off + DESTINATION, h.destination());
        Bytes.putU16(buf, off + CHECKSUM, Checksum.compute(buf, off, MIN_HEADER_LENGTH));
        return MIN_HEADER_LENGTH;
    }
}
