package org.jnetstack.wire;

/**
 * View of a TCP segment (RFC 9293 §3.1); {@code len} given to {@link #wrap} is the IP payload
 * length, since TCP has no length field of its own.
 */
public final class TcpSegment {
    public static final int MIN_HEADER_LENGTH = 20;
    public static final int MAX_HEADER_LENGTH = 60;

    // Where each field lies in the header (RFC 9293 §3.1, figure 1).
    private static final int SOURCE_PORT = 0;
    private static final int DESTINATION_PORT = 2;
    private static final int SEQUENCE_NUMBER = 4;
    private static final int ACKNOWLEDGMENT_NUMBER = 8;
    private static final int DATA_OFFSET = 12; // high 4 bits: header length in 32-bit words
    private static final int CONTROL_BITS = 13;
    private static final int WINDOW = 14;
    /** Offset of the checksum field in the header. */
    public static final int CHECKSUM_OFFSET = 16;
    private static final int URGENT_POINTER = 18;

    public static final int FIN = 0x01;
    public static final int SYN = 0x02;
    public static final int RST = 0x04;
    public static final int PSH = 0x08;
    public static final int ACK = 0x10;
    public static final int URG = 0x20;
    /** ECN-Echo (RFC 3168 §6.1). */
    public static final int ECE = 0x40;
    /** Congestion Window Reduced (RFC 3168 §6.1). */
    public static final int CWR = 0x80;

    private byte[] buf;
    private int off;
    private int len;

    public TcpSegment wrap(byte[] buf, int off, int len) {
        Bytes.checkSlice(buf, off, len);
        this.buf = buf;
        this.off = off;
        this.len = len;
        return this;
    }

    /**
     * Validates the data offset, the checksum over pseudo-header and segment, and the option
     * list's structure. The checksum comes first: a corrupted segment is reported as such even
     * if the corruption also garbles its options.
     */
    public Malformed check(int srcIp, int dstIp) {
        return check(srcIp, dstIp, true);
    }

    /** Like {@link #check(int, int)}; the checksum only when {@code verifyChecksum} (a device may vouch for it). */
    public Malformed check(int srcIp, int dstIp, boolean verifyChecksum) {
        if (len < MIN_HEADER_LENGTH) {
            return Malformed.TRUNCATED;
        }
        int hl = headerLength();
        if (hl < MIN_HEADER_LENGTH || hl > len) {
            return Malformed.BAD_HEADER_LENGTH;
        }
        if (verifyChecksum) {
            int sum = Checksum.pseudoHeader(srcIp, dstIp, Ipv4Packet.PROTO_TCP, len);
            if (Checksum.finish(Checksum.partial(buf, off, len, sum)) != 0) {
                return Malformed.BAD_CHECKSUM;
            }
        }
        return TcpOptions.validate(buf, off + MIN_HEADER_LENGTH, hl - MIN_HEADER_LENGTH);
    }

    /** The wrapped buffer, for parsers that take (buf, off, len) such as {@link TcpOptions#parse}. */
    public byte[] buffer() {
        return buf;
    }

    public int sourcePort() {
        return Bytes.u16(buf, off + SOURCE_PORT);
    }

    public int destinationPort() {
        return Bytes.u16(buf, off + DESTINATION_PORT);
    }

    /** Sequence number; compare with modular arithmetic ({@code a - b < 0}). */
    public int sequenceNumber() {
        return Bytes.i32(buf, off + SEQUENCE_NUMBER);
    }

    public int acknowledgmentNumber() {
        return Bytes.i32(buf, off + ACKNOWLEDGMENT_NUMBER);
    }

    /** The data offset field: header length in 32-bit words (5..15). */
    public int dataOffset() {
        return (buf[off + DATA_OFFSET] & 0xFF) >>> 4;
    }

    /** Header length in bytes, options included. */
    public int headerLength() {
        return dataOffset() * 4;
    }

    /** The eight control bits, CWR (0x80) down to FIN (0x01). */
    public int flags() {
        return buf[off + CONTROL_BITS] & 0xFF;
    }

    /** True when every bit of {@code mask} is set. */
    public boolean hasFlags(int mask) {
        return (flags() & mask) == mask;
    }

    public boolean isSyn() {
        return (flags() & SYN) != 0;
    }

    public boolean isAck() {
        return (flags() & ACK) != 0;
    }

    public boolean isFin() {
        return (flags() & FIN) != 0;
    }

    public boolean isRst() {
        return (flags() & RST) != 0;
    }

    /** The unscaled window field. */
    public int window() {
        return Bytes.u16(buf, off + WINDOW);
    }

    public int checksum() {
        return Bytes.u16(buf, off + CHECKSUM_OFFSET);
    }

    public int urgentPointer() {
        return Bytes.u16(buf, off + URGENT_POINTER);
    }

    public int optionsOffset() {
        return off + MIN_HEADER_LENGTH;
    }

    public int optionsLength() {
        return headerLength() - MIN_HEADER_LENGTH;
    }

    public int payloadOffset() {
        return off + headerLength();
    }

    public int payloadLength() {
        return len - headerLength();
    }

    /** Sequence space the segment occupies: payload plus one each for SYN and FIN (RFC 9293 §3.4). */
    public int sequenceLength() {
        int f = flags();
        return payloadLength() + ((f & SYN) != 0 ? 1 : 0) + ((f & FIN) != 0 ? 1 : 0);
    }

    /** Header length {@link #writeHeader} will produce for these options (null: none). */
    public static int headerLength(TcpOptions options) {
        return MIN_HEADER_LENGTH + (options == null ? 0 : options.encodedLength());
    }

    /**
     * Writes header {@code h} and its options (aligned to 4 bytes) with a zero checksum; call
     * {@link #fillChecksum} once the payload is in place after it.
     *
     * @return the header length
     */
    public static int writeHeader(byte[] buf, int off, TcpHeader h) {
        TcpOptions options = h.options();
        int optLen = options == null ? 0 : options.write(buf, off + MIN_HEADER_LENGTH);
        int hl = MIN_HEADER_LENGTH + optLen;
        Bytes.putU16(buf, off + SOURCE_PORT, h.sourcePort());
        Bytes.putU16(buf, off + DESTINATION_PORT, h.destinationPort());
        Bytes.putI32(buf, off + SEQUENCE_NUMBER, h.sequenceNumber());
        Bytes.putI32(buf, off + ACKNOWLEDGMENT_NUMBER, h.acknowledgmentNumber());
        buf[off + DATA_OFFSET] = (byte) ((hl / 4) << 4);
        buf[off + CONTROL_BITS] = (byte) h.flags();
        Bytes.putU16(buf, off + WINDOW, h.window());
        Bytes.putU16(buf, off + CHECKSUM_OFFSET, 0);
        Bytes.putU16(buf, off + URGENT_POINTER, h.urgentPointer());
        return hl;
    }

    /** Computes and stores the checksum over pseudo-header + the {@code tcpLength}-byte segment. */
    public static void fillChecksum(byte[] buf, int off, int tcpLength, int srcIp, int dstIp) {
        Bytes.putU16(buf, off + CHECKSUM_OFFSET, 0);
        int sum = Checksum.pseudoHeader(srcIp, dstIp, Ipv4Packet.PROTO_TCP, tcpLength);
        Bytes.putU16(buf, off + CHECKSUM_OFFSET, Checksum.finish(Checksum.partial(buf, off, tcpLength, sum)));
    }

    /**
     * Stores the pseudo-header sum (not complemented) in the checksum field: what a device with
     * checksum offload completes over the segment (Linux {@code CHECKSUM_PARTIAL}, virtio
     * {@code NEEDS_CSUM}).
     */
    public static void fillPartialChecksum(byte[] buf, int off, int tcpLength, int srcIp, int dstIp) {
        Bytes.putU16(buf, off + CHECKSUM_OFFSET, Checksum.pseudoHeader(srcIp, dstIp, Ipv4Packet.PROTO_TCP, tcpLength));
    }

    /**
     * Writes header {@code h} with its options and fills the checksum, the {@code payloadLength}
     * payload bytes already lying after the header; returns the header length.
     */
    public static int write(byte[] buf, int off, TcpHeader h, int payloadLength, int srcIp, int dstIp) {
        int hl = writeHeader(buf, off, h);
        fillChecksum(buf, off, hl + payloadLength, srcIp, dstIp);
        return hl;
    }
}
