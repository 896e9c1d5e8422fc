package org.jnetstack.bench;

import org.jnetstack.wire.EthernetFrame;
import org.jnetstack.wire.IcmpMessage;
import org.jnetstack.wire.Ipv4Header;
import org.jnetstack.wire.Ipv4Packet;
import org.jnetstack.wire.UdpDatagram;

/** Builds the frames the benchmarks feed: what a Linux peer would send, with correct checksums. */
final class Frames {
    private static final int ETH = EthernetFrame.HEADER_LENGTH;
    private static final int IP = Ipv4Packet.MIN_HEADER_LENGTH;

    private Frames() {
    }

    /** An ICMP echo request with {@code dataLength} data bytes (ping's default is 56). */
    static byte[] echoRequest(long srcMac, int srcIp, long dstMac, int dstIp, int dataLength) {
        int icmpLen = IcmpMessage.HEADER_LENGTH + dataLength;
        byte[] f = new byte[ETH + IP + icmpLen];
        EthernetFrame.write(f, 0, dstMac, srcMac, EthernetFrame.TYPE_IPV4);
        Ipv4Packet.writeHeader(f, ETH, new Ipv4Header().tos(0).totalLength(IP + icmpLen)
                .identification(0x1234).flagsAndOffset(Ipv4Packet.FLAG_DF)
                .ttl(64).protocol(Ipv4Packet.PROTO_ICMP).addresses(srcIp, dstIp));
        IcmpMessage.writeHeader(f, ETH + IP, IcmpMessage.TYPE_ECHO_REQUEST, 0, 0x0BEE_0001);
        for (int i = 0; i < dataLength; i++) {
            f[ETH + IP + IcmpMessage.HEADER_LENGTH + i] = (byte) i;
        }
        IcmpMessage.fillChecksum(f, ETH + IP, icmpLen);
        return f;
    }

    /** A UDP datagram with {@code dataLength} data bytes and a checksum. */
    static byte[] udp(long srcMac, int srcIp, int srcPort, long dstMac, int dstIp, int dstPort, int dataLength) {
        int udpLen = UdpDatagram.HEADER_LENGTH + dataLength;
        byte[] f = new byte[ETH + IP + udpLen];
        EthernetFrame.write(f, 0, dstMac, srcMac, EthernetFrame.TYPE_IPV4);
        Ipv4Packet.writeHeader(f, ETH, new Ipv4Header().tos(0).totalLength(IP + udpLen)
                .identification(0x4321).flagsAndOffset(Ipv4Packet.FLAG_DF)
                .ttl(64).protocol(Ipv4Packet.PROTO_UDP).addresses(srcIp, dstIp));
        UdpDatagram.writeHeader(f, ETH + IP, srcPort, dstPort, dataLength);
        for (int i = 0; i < dataLength; i++) {
            f[ETH + IP + UdpDatagram.HEADER_LENGTH + i] = (byte) (i * 31);
        }
        UdpDatagram.fillChecksum(f, ETH + IP, udpLen, srcIp, dstIp);
        return f;
    }
}
