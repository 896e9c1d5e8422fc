package org.jnetstack.usernet;

import org.jnetstack.wire.Bytes;
import org.jnetstack.wire.EthernetFrame;
import org.jnetstack.wire.Ipv4Packet;
import org.jnetstack.wire.Ipv6Packet;

/**
 * What only the gateway may say on its link, recognised in a frame from an outside machine: a
 * DHCP server's message (UDP from port 67, RFC 2131 §4.1), an IPv6 router advertisement or
 * redirect (RFC 4861 §4.2, §4.5; dropped at guest ports as RFC 6105's RA-Guard does), and a
 * neighbour advertisement for, or an IPv6 packet from, one of the gateway's IPv6 addresses. Any of
 * them from a guest would make the other guests take it for their router, DNS server or gateway.
 * The IPv6 header chain is followed through the extension headers of RFC 8200 §4 within the
 * frame (RFC 7113: an RA behind them is still an RA); a non-first fragment carries no upper-layer
 * header and cannot be judged (RFC 7112 wants the whole chain in the first fragment).
 */
final class GatewayOnlyFrames {
    static final int DHCP_SERVER_PORT = 67;
    static final int ROUTER_ADVERTISEMENT = 134;
    static final int NEIGHBOR_ADVERTISEMENT = 136;
    static final int REDIRECT = 137;
    /** Extension headers followed at most: more is no real packet. */
    private static final int MAX_EXTENSION_HEADERS = 8;

    /** The gateway's IPv6 addresses, in the two-long form. */
    interface Addresses {
        boolean isGateway6(long hi, long lo);
    }

    private GatewayOnlyFrames() {
    }

    /** Whether the Ethernet frame {@code buf[off, off+len)} says something only the gateway may say. */
    static boolean test(byte[] buf, int off, int len, Addresses gateway) {
        if (len < EthernetFrame.HEADER_LENGTH) {
            return false;
        }
        int type = Bytes.u16(buf, off + 12);
        int ip = off + EthernetFrame.HEADER_LENGTH;
        int end = off + len;
        if (type == EthernetFrame.TYPE_IPV4) {
            return isDhcpServer(buf, ip, end);
        }
        if (type == EthernetFrame.TYPE_IPV6 && ip + Ipv6Packet.HEADER_LENGTH <= end) {
            return isRouterMessage6(buf, ip, end, gateway);
        }
        return false;
    }

    private static boolean isDhcpServer(byte[] buf, int ip, int end) {
        if (ip + Ipv4Packet.MIN_HEADER_LENGTH > end || (buf[ip + 9] & 0xFF) != Ipv4Packet.PROTO_UDP
                || (Bytes.u16(buf, ip + 6) & Ipv4Packet.OFFSET_MASK) != 0) {
            return false;
        }
        int udp = ip + ((buf[ip] & 0x0F) << 2);
        return udp + 2 <= end && Bytes.u16(buf, udp) == DHCP_SERVER_PORT;
    }

    private static boolean isRouterMessage6(byte[] buf, int ip, int end, Addresses gateway) {
        if (gateway.isGateway6(i64(buf, ip + 8), i64(buf, ip + 16))) {
            return true; // from the gateway's own address
        }
        int next = buf[ip + 6] & 0xFF;
        int at = ip + Ipv6Packet.HEADER_LENGTH;
        for (int i = 0; i < MAX_EXTENSION_HEADERS; i++) {
            switch (next) {
                case Ipv6Packet.NH_ICMPV6 -> {
                    if (at + 1 > end) {
                        return false;
                    }
                    int icmpType = buf[at] & 0xFF;
                    if (icmpType == ROUTER_ADVERTISEMENT || icmpType == REDIRECT) {
                        return true;
                    }
                    // RFC 4861 §4.4: the target address follows type, code, checksum and flags.
                    return icmpType == NEIGHBOR_ADVERTISEMENT && at + 24 <= end
                            && gateway.isGateway6(i64(buf, at + 8), i64(buf, at + 16));
                }
                case Ipv6Packet.NH_HOP_BY_HOP, Ipv6Packet.NH_ROUTING, Ipv6Packet.NH_DESTINATION_OPTIONS -> {
                    if (at + 2 > end) {
                        return false;
                    }
                    next = buf[at] & 0xFF;
                    at += ((buf[at + 1] & 0xFF) + 1) * 8;
                }
                case Ipv6Packet.NH_FRAGMENT -> {
                    if (at + 8 > end || (Bytes.u16(buf, at + 2) & 0xFFF8) != 0) {
                        return false; // a later fragment: no upper-layer header to judge
                    }
                    next = buf[at] & 0xFF;
                    at += 8;
                }
                default -> {
                    return false;
                }
            }
        }
        return false;
    }


    private static long i64(byte[] b, int at) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (b[at + i] & 0xFF);
        }
        return v;
    }
}
