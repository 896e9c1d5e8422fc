package org.jnetstack.wire;

/** View of an ARP packet (RFC 826), restricted to Ethernet hardware and IPv4 protocol addresses. */
public final class ArpPacket {
    public static final int LENGTH = 28;
    public static final int OP_REQUEST = 1;
    public static final int OP_REPLY = 2;

    private static final int HTYPE_ETHERNET = 1;
    private static final int PTYPE_IPV4 = 0x0800;

    private byte[] buf;
    private int off;
    private int len;

    public ArpPacket wrap(byte[] buf, int off, int len) {
        Bytes.checkSlice(buf, off, len);
        this.buf = buf;
        this.off = off;
        this.len = len;
        return this;
    }

    public Malformed check() {
        if (len < LENGTH) {
            return Malformed.TRUNCATED;
        }
        if (Bytes.u16(buf, off) != HTYPE_ETHERNET || Bytes.u16(buf, off + 2) != PTYPE_IPV4
                || Bytes.u8(buf, off + 4) != 6 || Bytes.u8(buf, off + 5) != 4) {
            return Malformed.UNSUPPORTED_FORMAT;
        }
        int op = operation();
        if (op != OP_REQUEST && op != OP_REPLY) {
            return Malformed.BAD_OPERATION;
        }
        return null;
    }

    public int operation() {
        return Bytes.u16(buf, off + 6);
    }

    public long senderMac() {
        return MacAddress.read(buf, off + 8);
    }

    public int senderIp() {
        return Bytes.i32(buf, off + 14);
    }

    public long targetMac() {
        return MacAddress.read(buf, off + 18);
    }

    public int targetIp() {
        return Bytes.i32(buf, off + 24);
    }

    public static int write(byte[] buf, int off, int op, long senderMac, int senderIp, long targetMac, int targetIp) {
        Bytes.putU16(buf, off, HTYPE_ETHERNET);
        Bytes.putU16(buf, off + 2, PTYPE_IPV4);
        buf[off + 4] = 6;
        buf[off + 5] = 4;
        Bytes.putU16(buf, off + 6, op);
        MacAddress.write(buf, off + 8, senderMac);
        Bytes.putI32(buf, off + 14, senderIp);
        MacAddress.write(buf, off + 18, targetMac);
        Bytes.putI32(buf, off + 24, targetIp);
        return LENGTH;
    }
}
