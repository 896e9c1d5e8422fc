package org.jnetstack.ip6;

import org.jnetstack.wire.EthernetFrame;
import org.jnetstack.wire.Icmpv6Message;
import org.jnetstack.wire.Ipv6Address;
import org.jnetstack.wire.Ipv6Header;
import org.jnetstack.wire.Ipv6Packet;
import org.jnetstack.wire.NdpWriter;

/** Frames a test's peer sends: ICMPv6 messages in IPv6 in Ethernet, with correct checksums. */
final class Ipv6TestFrames {
    private Ipv6TestFrames() {
    }

    /** An Ethernet frame carrying the ICMPv6 message {@code msg} from {@code src} to {@code dst}. */
    static byte[] icmpv6(long srcMac, long dstMac, Ipv6Address src, Ipv6Address dst, int hopLimit, byte[] msg, int len) {
        byte[] f = new byte[EthernetFrame.HEADER_LENGTH + Ipv6Packet.HEADER_LENGTH + len];
        EthernetFrame.write(f, 0, dstMac, srcMac, EthernetFrame.TYPE_IPV6);
        Ipv6Packet.writeHeader(f, 14, new Ipv6Header().payloadLength(len).nextHeader(Ipv6Packet.NH_ICMPV6).hopLimit(hopLimit)
                .source(src.hi(), src.lo()).destination(dst.hi(), dst.lo()));
        System.arraycopy(msg, 0, f, 54, len);
        Icmpv6Message.writeChecksum(f, 54, len, src.hi(), src.lo(), dst.hi(), dst.lo());
        return f;
    }

    /** A router advertisement to all nodes from {@code router} (link-local). */
    static byte[] routerAdvertisement(long routerMac, Ipv6Address router, int hopLimit, NdpWriter.RouterAdvertisement ra) {
        byte[] m = new byte[512];
        int len = NdpWriter.writeRouterAdvertisement(m, 0, ra);
        return icmpv6(routerMac, Ipv6Address.multicastMac(1), router, Ipv6Address.ALL_NODES, hopLimit, m, len);
    }

    /** A neighbour solicitation for {@code target} from {@code src} (with its link-layer address) to the target's solicited-node group. */
    static byte[] solicitation(long srcMac, Ipv6Address src, Ipv6Address target) {
        byte[] m = new byte[64];
        int len = NdpWriter.writeNeighborSolicitation(m, 0, target.hi(), target.lo(), src.equals(Ipv6Address.UNSPECIFIED) ? -1 : srcMac);
        Ipv6Address group = new Ipv6Address(Ipv6Address.solicitedNodeHi(), Ipv6Address.solicitedNodeLo(target.lo()));
        return icmpv6(srcMac, Ipv6Address.multicastMac(group.lo()), src, group, 255, m, len);
    }

    /** An echo request with {@code dataLen} bytes of data. */
    static byte[] echoRequest(long srcMac, long dstMac, Ipv6Address src, Ipv6Address dst, int id, int seq, int dataLen) {
        byte[] m = new byte[8 + dataLen];
        Icmpv6Message.writeEcho(m, 0, Icmpv6Message.TYPE_ECHO_REQUEST, id, seq, new byte[dataLen], 0, dataLen);
        return icmpv6(srcMac, dstMac, src, dst, 64, m, m.length);
    }
}
