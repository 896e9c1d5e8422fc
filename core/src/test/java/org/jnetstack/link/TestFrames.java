package org.jnetstack.link;

import org.jnetstack.testing.TextbookChecksum;
import org.jnetstack.wire.Ipv4Address;
import org.jnetstack.wire.MacAddress;

/** Frames built by hand for link-layer tests, independent of the stack's own wire code. */
final class TestFrames {
    static final int ETHERTYPE_IPV4 = 0x0800;
    static final int ETHERTYPE_ARP = 0x0806;

    private TestFrames() {
    }

    /** A 60-byte Ethernet frame from {@code src} to {@code dst} whose payload bytes are {@code tag}. */
    static byte[] ethernet(long dst, long src, int etherType, int tag) {
        byte[] f = new byte[60];
        MacAddress.write(f, 0, dst);
        MacAddress.write(f, 6, src);
        f[12] = (byte) (etherType >>> 8);
        f[13] = (byte) etherType;
        for (int i = 14; i < f.length; i++) {
            f[i] = (byte) tag;
        }
        return f;
    }

    /** RFC 826 ARP request, broadcast, padded to the 60-byte Ethernet minimum. */
    static byte[] arpRequest(MacAddress senderMac, String senderIp, String targetIp) {
        byte[] f = new byte[60];
        MacAddress.write(f, 0, MacAddress.BROADCAST.bits());
        MacAddress.write(f, 6, senderMac.bits());
        put16(f, 12, ETHERTYPE_ARP);
        put16(f, 14, 1);          // hardware type Ethernet
        put16(f, 16, 0x0800);     // protocol IPv4
        f[18] = 6;
        f[19] = 4;
        put16(f, 20, 1);          // request
        MacAddress.write(f, 22, senderMac.bits());
        Ipv4Address.write(f, 28, Ipv4Address.parseBits(senderIp));
        Ipv4Address.write(f, 38, Ipv4Address.parseBits(targetIp));
        return f;
    }

    /** An IPv4 ICMP echo request (RFC 792) with a correct header and ICMP checksum. */
    static byte[] icmpEchoRequest(MacAddress src, MacAddress dst, String srcIp, String dstIp,
                                  int id, int seq, byte[] payload) {
        int icmpLen = 8 + payload.length;
        byte[] f = new byte[14 + 20 + icmpLen];
        MacAddress.write(f, 0, dst.bits());
        MacAddress.write(f, 6, src.bits());
        put16(f, 12, ETHERTYPE_IPV4);
        int ip = 14;
        f[ip] = 0x45;
        put16(f, ip + 2, 20 + icmpLen);
        put16(f, ip + 4, 0x1234);
        f[ip + 8] = 64;
        f[ip + 9] = 1;
        Ipv4Address.write(f, ip + 12, Ipv4Address.parseBits(srcIp));
        Ipv4Address.write(f, ip + 16, Ipv4Address.parseBits(dstIp));
        put16(f, ip + 10, checksum(f, ip, 20));
        int icmp = ip + 20;
        f[icmp] = 8;
        put16(f, icmp + 4, id);
        put16(f, icmp + 6, seq);
        System.arraycopy(payload, 0, f, icmp + 8, payload.length);
        put16(f, icmp + 2, checksum(f, icmp, icmpLen));
        return f;
    }

    /** An IPv4 packet of {@code protocol} carrying {@code transport} (header checksum correct). */
    static byte[] ipv4(MacAddress src, MacAddress dst, String srcIp, String dstIp, int protocol, byte[] transport) {
        byte[] f = new byte[14 + 20 + transport.length];
        MacAddress.write(f, 0, dst.bits());
        MacAddress.write(f, 6, src.bits());
        put16(f, 12, ETHERTYPE_IPV4);
        int ip = 14;
        f[ip] = 0x45;
        put16(f, ip + 2, 20 + transport.length);
        put16(f, ip + 4, 0x0101);
        f[ip + 8] = 64;
        f[ip + 9] = (byte) protocol;
        Ipv4Address.write(f, ip + 12, Ipv4Address.parseBits(srcIp));
        Ipv4Address.write(f, ip + 16, Ipv4Address.parseBits(dstIp));
        put16(f, ip + 10, checksum(f, ip, 20));
        System.arraycopy(transport, 0, f, 34, transport.length);
        return f;
    }

    /** A UDP header (checksum 0: none) followed by {@code payloadLength} zero bytes. */
    static byte[] udp(int srcPort, int dstPort, int payloadLength) {
        byte[] u = new byte[8 + payloadLength];
        put16(u, 0, srcPort);
        put16(u, 2, dstPort);
        put16(u, 4, u.length);
        return u;
    }

    /** A 20-byte TCP header (checksum not filled) followed by {@code payloadLength} zero bytes. */
    static byte[] tcp(int srcPort, int dstPort, long seq, long ack, int flags, int window, int payloadLength) {
        byte[] t = new byte[20 + payloadLength];
        put16(t, 0, srcPort);
        put16(t, 2, dstPort);
        Ipv4Address.write(t, 4, (int) seq);
        Ipv4Address.write(t, 8, (int) ack);
        t[12] = 5 << 4;
        t[13] = (byte) flags;
        put16(t, 14, window);
        return t;
    }

    /** RFC 1071 Internet checksum. */
    static int checksum(byte[] b, int off, int len) {
        return ~TextbookChecksum.partial(b, off, len, 0) & 0xFFFF;
    }

    static void put16(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 8);
        b[off + 1] = (byte) v;
    }

    static int get16(byte[] b, int off) {
        return ((b[off] & 0xFF) << 8) | (b[off + 1] & 0xFF);
    }

    static int etherType(byte[] f) {
        return get16(f, 12);
    }

    static long dstMac(byte[] f) {
        return MacAddress.read(f, 0);
    }

    static long srcMac(byte[] f) {
        return MacAddress.read(f, 6);
    }
}
