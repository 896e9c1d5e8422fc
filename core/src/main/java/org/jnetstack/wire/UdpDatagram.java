package org.jnetstack.wire;

/** View of a UDP datagram (RFC 768); {@code len} is the IP payload length. */
public final class UdpDatagram {
    public static final int HEADER_LENGTH = 8;

    private byte[] buf;
    private int off;
    private int len;

    public UdpDatagram wrap(byte[] buf, int off, int len) {
        Bytes.checkSlice(buf, off, len);
        this.buf = buf;
        this.off = off;
        this.len = len;
        return this;
    }

    /**
     * Validates lengths and, unless the sender left it 0 ("no checksum", RFC 768), the checksum
     * over the pseudo-header and the {@link #length()} bytes of the datagram.
     */
    public Malformed check(int srcIp, int dstIp) {
        return check(srcIp, dstIp, true);
    }

    /** Like {@link #check(int, int)}; the checksum only when {@code verifyChecksum} (a device may vouch for it). */
    public Malformed check(int srcIp, int dstIp, boolean verifyChecksum) {
        if (len < HEADER_LENGTH) {
            return Malformed.TRUNCATED;
        }
        int udpLength = length();
        if (udpLength < HEADER_LENGTH || udpLength > len) {
            return Malformed.BAD_LENGTH;
        }
        if (verifyChecksum && checksum() != 0) {
            int sum = Checksum.pseudoHeader(srcIp, dstIp, Ipv4Packet.PROTO_UDP, udpLength);
            if (Checksum.finish(Checksum.partial(buf, off, udpLength, sum)) != 0) {
                return Malformed.BAD_CHECKSUM;
            }
        }
        return null;
    }

    public int sourcePort() {
        return Bytes.u16(buf, off);
    }

    public int destinationPort() {
        return Bytes.u16(buf, off + 2);
    }

    /** The length field: header plus data. */
    public int length() {
        return Bytes.u16(buf, off + 4);
    }

    public int checksum() {
        return Bytes.u16(buf, off + 6);
    }

    public int payloadOffset() {
        return off + HEADER_LENGTH;
    }

    /** Data bytes per the length field (trailing bytes beyond it are ignored). */
    public int payloadLength() {
        return length() - HEADER_LENGTH;
    }

    /** Writes ports and length (8 + payloadLength) with a zero checksum; returns 8. */
    public static int writeHeader(byte[] buf, int off, int srcPort, int dstPort, int payloadLength) {
        Bytes.putU16(buf, off, srcPort);
        Bytes.putU16(buf, off + 2, dstPort);
        Bytes.putU16(buf, off + 4, HEADER_LENGTH + payloadLength);
        buf[off + 6] = 0;
        buf[off + 7] = 0;
        return HEADER_LENGTH;
    }

    /**
     * Computes and stores the checksum over pseudo-header + datagram. A computed 0 is sent as
     * 0xFFFF, since 0 on the wire means "no checksum" (RFC 768).
     */
    public static void fillChecksum(byte[] buf, int off, int udpLength, int srcIp, int dstIp) {
        buf[off + 6] = 0;
        buf[off + 7] = 0;
        int sum = Checksum.pseudoHeader(srcIp, dstIp, Ipv4Packet.PROTO_UDP, udpLength);
        int c = Checksum.finish(Checksum.partial(buf, off, udpLength, sum));
        Bytes.putU16(buf, off + 6, c == 0 ? 0xFFFF : c);
    }
}
