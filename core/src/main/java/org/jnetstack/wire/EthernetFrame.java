package org.jnetstack.wire;

/**
 * View of an Ethernet II frame (IEEE 802.3 with an EtherType): destination, source, type.
 * The FCS is not included (devices strip it). A flyweight: re-point it with {@link #wrap}.
 */
public final class EthernetFrame {
    public static final int HEADER_LENGTH = 14;
    public static final int TYPE_IPV4 = 0x0800;
    public static final int TYPE_ARP = 0x0806;
    public static final int TYPE_VLAN = 0x8100;
    public static final int TYPE_QINQ = 0x88A8;
    public static final int TYPE_IPV6 = 0x86DD;

    private byte[] buf;
    private int off;
    private int len;

    public EthernetFrame wrap(byte[] buf, int off, int len) {
        Bytes.checkSlice(buf, off, len);
        this.buf = buf;
        this.off = off;
        this.len = len;
        return this;
    }

    /** {@code null} if the header is usable; otherwise why not. */
    public Malformed check() {
        if (len < HEADER_LENGTH) {
            return Malformed.TRUNCATED;
        }
        int type = etherType();
        if (type == TYPE_VLAN || type == TYPE_QINQ) {
            return Malformed.VLAN_TAGGED;
        }
        return null;
    }

    public long destination() {
        return MacAddress.read(buf, off);
    }

    public long source() {
        return MacAddress.read(buf, off + 6);
    }

    public int etherType() {
        return Bytes.u16(buf, off + 12);
    }

    public int payloadOffset() {
        return off + HEADER_LENGTH;
    }

    /** Bytes after the header, including any padding up to the 60-byte minimum frame. */
    public int payloadLength() {
        return len - HEADER_LENGTH;
    }

    public static int write(byte[] buf, int off, long dst, long src, int etherType) {
        MacAddress.write(buf, off, dst);
        MacAddress.write(buf, off + 6, src);
        Bytes.putU16(buf, off + 12, etherType);
        return HEADER_LENGTH;
    }
}
