package org.jnetstack.tcp;

import java.util.Arrays;
import java.util.function.Predicate;
import org.jnetstack.testing.TestPort;
import org.jnetstack.wire.Bytes;
import org.jnetstack.wire.EthernetFrame;
import org.jnetstack.wire.IcmpMessage;
import org.jnetstack.wire.Icmpv6Message;
import org.jnetstack.wire.Ipv4Address;
import org.jnetstack.wire.Ipv4Header;
import org.jnetstack.wire.Ipv4Packet;
import org.jnetstack.wire.Ipv6Address;
import org.jnetstack.wire.Ipv6Header;
import org.jnetstack.wire.Ipv6Packet;

/**
 * A router with a narrower link on its far side, as a stack's port sees it: frames the stack
 * sends whose IP packet is larger than the far side's MTU are dropped, and the stack is told so
 * as a router would — an ICMP "fragmentation needed" with the next-hop MTU (RFC 1191 §4; a
 * datagram without DF is dropped silently here) or an ICMPv6 Packet Too Big (RFC 4443 §3.2), from
 * the router's address, quoting the packet. Everything else passes.
 */
final class NarrowPath implements Predicate<byte[]> {
    static final int ROUTER4 = Ipv4Address.parseBits("10.0.0.254");
    static final Ipv6Address ROUTER6 = Ipv6Address.parse("fe80::fe");
    static final long ROUTER_MAC = 0x02_00_00_00_00_feL;

    private final TestPort port;
    /** The far side's MTU for IPv4 and for IPv6 packets; above it nothing passes. */
    int mtu4;
    int mtu6;
    /** Errors sent back, and packets dropped without one. */
    int fragNeededSent;
    int tooBigSent;
    int droppedSilently;
    /** The last frame the stack sent that carried TCP payload (as it was sent, passed or not). */
    byte[] lastTcpData;

    NarrowPath(TestPort port, int mtu4, int mtu6) {
        this.port = port;
        this.mtu4 = mtu4;
        this.mtu6 = mtu6;
        port.txFilter = this;
    }

    @Override
    public boolean test(byte[] f) {
        int type = Bytes.u16(f, 12);
        if (carriesTcpData(f)) {
            lastTcpData = f;
        }
        if (type == EthernetFrame.TYPE_IPV4 && Bytes.u16(f, 16) > mtu4) {
            if ((Bytes.u16(f, 20) & Ipv4Packet.FLAG_DF) == 0) {
                droppedSilently++;
            } else {
                fragNeededSent++;
                port.injectReceived(fragmentationNeeded(f, mtu4));
            }
            return false;
        }
        if (type == EthernetFrame.TYPE_IPV6 && Ipv6Packet.HEADER_LENGTH + Bytes.u16(f, 18) > mtu6) {
            tooBigSent++;
            port.injectReceived(packetTooBig(f, mtu6));
            return false;
        }
        return true;
    }

    /** An ICMP "fragmentation needed" about the IPv4 packet in {@code frame}, reporting {@code mtu}, to its sender. */
    static byte[] fragmentationNeeded(byte[] frame, int mtu) {
        return fragmentationNeeded(frame, mtu, Bytes.i32(frame, 14 + 12));
    }

    /** Like {@link #fragmentationNeeded(byte[], int)}, sent to {@code to} whatever the quote says. */
    static byte[] fragmentationNeeded(byte[] frame, int mtu, int to) {
        return icmp(frame, IcmpMessage.TYPE_DEST_UNREACHABLE, IcmpMessage.CODE_FRAGMENTATION_NEEDED, mtu & 0xFFFF, ROUTER4, to);
    }

    /** An ICMP error about the IPv4 packet in {@code frame} from {@code from} to {@code to}, quoting 548 bytes at most (RFC 1812 §4.3.2.3). */
    static byte[] icmp(byte[] frame, int type, int code, int restOfHeader, int from, int to) {
        int quote = Math.min(Bytes.u16(frame, 16), 576 - 28);
        byte[] f = new byte[14 + 20 + 8 + quote];
        EthernetFrame.write(f, 0, sourceMac(frame), ROUTER_MAC, EthernetFrame.TYPE_IPV4);
        Ipv4Packet.writeHeader(f, 14, new Ipv4Header().totalLength(f.length - 14).ttl(64).protocol(Ipv4Packet.PROTO_ICMP)
                .addresses(from, to));
        IcmpMessage.writeError(f, 34, type, code, restOfHeader, frame, 14, quote);
        return f;
    }

    /** An ICMPv6 Packet Too Big about the IPv6 packet in {@code frame}, reporting {@code mtu}, to its sender. */
    static byte[] packetTooBig(byte[] frame, long mtu) {
        return icmpv6(frame, Icmpv6Message.TYPE_PACKET_TOO_BIG, 0, mtu);
    }

    /** An ICMPv6 error from the router about the packet in {@code frame}, quoting as much as fits in 1280 bytes (RFC 4443 §2.4(c)). */
    static byte[] icmpv6(byte[] frame, int type, int code, long word) {
        int quote = Math.min(frame.length - 14, Ipv6Packet.MIN_MTU - 48);
        byte[] m = new byte[8 + quote];
        int len = Icmpv6Message.writeError(m, 0, type, code, word, frame, 14, quote);
        Ipv6Address to = new Ipv6Address(Ipv6Address.readHi(frame, 22), Ipv6Address.readLo(frame, 22));
        byte[] f = new byte[14 + 40 + len];
        EthernetFrame.write(f, 0, sourceMac(frame), ROUTER_MAC, EthernetFrame.TYPE_IPV6);
        Ipv6Packet.writeHeader(f, 14, new Ipv6Header().payloadLength(len).nextHeader(Ipv6Packet.NH_ICMPV6).hopLimit(64)
                .source(ROUTER6.hi(), ROUTER6.lo()).destination(to.hi(), to.lo()));
        System.arraycopy(m, 0, f, 54, len);
        Icmpv6Message.writeChecksum(f, 54, len, ROUTER6.hi(), ROUTER6.lo(), to.hi(), to.lo());
        return f;
    }

    private static boolean carriesTcpData(byte[] f) {
        int type = Bytes.u16(f, 12);
        if (type == EthernetFrame.TYPE_IPV4 && f[14 + 9] == Ipv4Packet.PROTO_TCP) {
            return Bytes.u16(f, 16) > 20 + ((f[34 + 12] & 0xF0) >>> 2);
        }
        return type == EthernetFrame.TYPE_IPV6 && f[14 + 6] == Ipv4Packet.PROTO_TCP && Bytes.u16(f, 18) > ((f[54 + 12] & 0xF0) >>> 2);
    }

    private static long sourceMac(byte[] frame) {
        return (long) Bytes.u16(frame, 6) << 32 | Bytes.u32(frame, 8);
    }

    /** A copy of {@code frame} with {@code n} added to the TCP sequence number its IPv4 or IPv6 packet carries. */
    static byte[] withSequenceShifted(byte[] frame, int n) {
        byte[] f = Arrays.copyOf(frame, frame.length);
        int tcp = Bytes.u16(f, 12) == EthernetFrame.TYPE_IPV4 ? 14 + 20 : 14 + 40;
        Bytes.putI32(f, tcp + 4, Bytes.i32(f, tcp + 4) + n);
        return f;
    }
}
