package org.jnetstack.wire;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Byte-exact parse of real captures, and rebuilding the same bytes with the writers. */
class ParseBuildTest {
    private final EthernetFrame eth = new EthernetFrame();
    private final ArpPacket arp = new ArpPacket();
    private final Ipv4Packet ip = new Ipv4Packet();
    private final IcmpMessage icmp = new IcmpMessage();
    private final UdpDatagram udp = new UdpDatagram();

    @Test
    void arpRequest() {
        byte[] f = Captures.bytes(Captures.ARP_REQUEST);
        assertThat(eth.wrap(f, 0, f.length).check()).isNull();
        assertThat(eth.destination()).isEqualTo(0xFFFF_FFFF_FFFFL);
        assertThat(eth.source()).isEqualTo(Captures.KERNEL_MAC);
        assertThat(eth.etherType()).isEqualTo(EthernetFrame.TYPE_ARP);
        assertThat(arp.wrap(f, eth.payloadOffset(), eth.payloadLength()).check()).isNull();
        assertThat(arp.operation()).isEqualTo(ArpPacket.OP_REQUEST);
        assertThat(arp.senderMac()).isEqualTo(Captures.KERNEL_MAC);
        assertThat(arp.senderIp()).isEqualTo(Captures.KERNEL_IP);
        assertThat(arp.targetMac()).isZero();
        assertThat(arp.targetIp()).isEqualTo(Captures.PEER_IP);

        byte[] built = new byte[42];
        int n = EthernetFrame.write(built, 0, 0xFFFF_FFFF_FFFFL, Captures.KERNEL_MAC, EthernetFrame.TYPE_ARP);
        n += ArpPacket.write(built, n, ArpPacket.OP_REQUEST, Captures.KERNEL_MAC, Captures.KERNEL_IP, 0, Captures.PEER_IP);
        assertThat(n).isEqualTo(42);
        assertThat(built).isEqualTo(f);
    }

    @Test
    void arpReply() {
        byte[] f = Captures.bytes(Captures.ARP_REPLY);
        assertThat(eth.wrap(f, 0, f.length).check()).isNull();
        assertThat(arp.wrap(f, eth.payloadOffset(), eth.payloadLength()).check()).isNull();
        assertThat(arp.operation()).isEqualTo(ArpPacket.OP_REPLY);
        assertThat(arp.targetMac()).isEqualTo(Captures.PEER_MAC);

        byte[] built = new byte[42];
        int n = EthernetFrame.write(built, 0, Captures.PEER_MAC, Captures.KERNEL_MAC, EthernetFrame.TYPE_ARP);
        ArpPacket.write(built, n, ArpPacket.OP_REPLY, Captures.KERNEL_MAC, Captures.KERNEL_IP, Captures.PEER_MAC, Captures.PEER_IP);
        assertThat(built).isEqualTo(f);
    }

    @Test
    void icmpEchoRequest() {
        byte[] f = Captures.bytes(Captures.ICMP_ECHO_REQUEST);
        assertThat(eth.wrap(f, 0, f.length).check()).isNull();
        assertThat(ip.wrap(f, eth.payloadOffset(), eth.payloadLength()).check()).isNull();
        assertThat(ip.version()).isEqualTo(4);
        assertThat(ip.headerLength()).isEqualTo(20);
        assertThat(ip.totalLength()).isEqualTo(44);
        assertThat(ip.identification()).isEqualTo(0xe665);
        assertThat(ip.dontFragment()).isTrue();
        assertThat(ip.moreFragments()).isFalse();
        assertThat(ip.isFragment()).isFalse();
        assertThat(ip.ttl()).isEqualTo(64);
        assertThat(ip.protocol()).isEqualTo(Ipv4Packet.PROTO_ICMP);
        assertThat(ip.checksum()).isEqualTo(0x3fa3);
        assertThat(ip.source()).isEqualTo(Captures.KERNEL_IP);
        assertThat(ip.destination()).isEqualTo(Captures.PEER_IP);
        assertThat(ip.payloadOffset()).isEqualTo(34);
        assertThat(ip.payloadLength()).isEqualTo(24);
        assertThat(icmp.wrap(f, ip.payloadOffset(), ip.payloadLength()).check()).isNull();
        assertThat(icmp.type()).isEqualTo(IcmpMessage.TYPE_ECHO_REQUEST);
        assertThat(icmp.code()).isZero();
        assertThat(icmp.checksum()).isEqualTo(0xc94e);
        assertThat(icmp.identifier()).isEqualTo(0x1136);
        assertThat(icmp.sequence()).isEqualTo(1);
        assertThat(icmp.restOfHeader()).isEqualTo(0x11360001);
        assertThat(icmp.payloadOffset()).isEqualTo(42);
        assertThat(icmp.payloadLength()).isEqualTo(16);

        byte[] built = new byte[f.length];
        int n = EthernetFrame.write(built, 0, Captures.PEER_MAC, Captures.KERNEL_MAC, EthernetFrame.TYPE_IPV4);
        n += Ipv4Packet.writeHeader(built, n, new Ipv4Header().tos(0).totalLength(44)
                .identification(0xe665).flagsAndOffset(Ipv4Packet.FLAG_DF)
                .ttl(64).protocol(Ipv4Packet.PROTO_ICMP).addresses(Captures.KERNEL_IP, Captures.PEER_IP));
        int icmpOff = n;
        n += IcmpMessage.writeHeader(built, n, IcmpMessage.TYPE_ECHO_REQUEST, 0, 0x11360001);
        System.arraycopy(f, 42, built, n, 16);
        IcmpMessage.fillChecksum(built, icmpOff, 24);
        assertThat(built).isEqualTo(f);
    }

    @Test
    void icmpPortUnreachableQuotesTheDatagram() {
        byte[] f = Captures.bytes(Captures.ICMP_PORT_UNREACHABLE);
        assertThat(ip.wrap(f, 14, f.length - 14).check()).isNull();
        assertThat(ip.tos()).isEqualTo(0xc0);
        assertThat(ip.flagsAndOffset()).isZero();
        assertThat(icmp.wrap(f, ip.payloadOffset(), ip.payloadLength()).check()).isNull();
        assertThat(icmp.type()).isEqualTo(IcmpMessage.TYPE_DEST_UNREACHABLE);
        assertThat(icmp.code()).isEqualTo(IcmpMessage.CODE_PORT_UNREACHABLE);
        assertThat(icmp.payloadLength()).isEqualTo(32);
        // The quoted datagram is itself a valid IPv4 + UDP packet.
        Ipv4Packet quoted = new Ipv4Packet().wrap(f, icmp.payloadOffset(), icmp.payloadLength());
        assertThat(quoted.check()).isNull();
        assertThat(udp.wrap(f, quoted.payloadOffset(), quoted.payloadLength()).check(quoted.source(), quoted.destination())).isNull();
        assertThat(udp.destinationPort()).isEqualTo(9);

        byte[] built = new byte[f.length];
        System.arraycopy(f, 0, built, 0, 34);
        int n = IcmpMessage.writeError(built, 34, IcmpMessage.TYPE_DEST_UNREACHABLE, IcmpMessage.CODE_PORT_UNREACHABLE, 0,
                f, icmp.payloadOffset(), 32);
        assertThat(n).isEqualTo(40);
        assertThat(built).isEqualTo(f);
    }

    @Test
    void udpDnsQuery() {
        byte[] f = Captures.bytes(Captures.UDP_DNS_QUERY);
        assertThat(ip.wrap(f, 14, f.length - 14).check()).isNull();
        assertThat(ip.protocol()).isEqualTo(Ipv4Packet.PROTO_UDP);
        assertThat(udp.wrap(f, ip.payloadOffset(), ip.payloadLength()).check(ip.source(), ip.destination())).isNull();
        assertThat(udp.sourcePort()).isEqualTo(40000);
        assertThat(udp.destinationPort()).isEqualTo(53);
        assertThat(udp.length()).isEqualTo(37);
        assertThat(udp.checksum()).isEqualTo(0x6cc4);
        assertThat(udp.payloadOffset()).isEqualTo(42);
        assertThat(udp.payloadLength()).isEqualTo(29);
        // The pseudo-header matters: the same bytes do not verify between other addresses.
        assertThat(udp.check(ip.source(), ip.destination() + 1)).isEqualTo(Malformed.BAD_CHECKSUM);

        byte[] built = new byte[f.length];
        int n = EthernetFrame.write(built, 0, Captures.PEER_MAC, Captures.KERNEL_MAC, EthernetFrame.TYPE_IPV4);
        n += Ipv4Packet.writeHeader(built, n, new Ipv4Header().tos(0).totalLength(20 + 37)
                .identification(0x4f2f).flagsAndOffset(Ipv4Packet.FLAG_DF)
                .ttl(64).protocol(Ipv4Packet.PROTO_UDP).addresses(Captures.KERNEL_IP, Captures.PEER_IP));
        int udpOff = n;
        n += UdpDatagram.writeHeader(built, n, 40000, 53, 29);
        System.arraycopy(f, 42, built, n, 29);
        UdpDatagram.fillChecksum(built, udpOff, 37, Captures.KERNEL_IP, Captures.PEER_IP);
        assertThat(built).isEqualTo(f);
    }

    @Test
    void udpChecksumThatComputesToZeroIsSentAsAllOnes() {
        // Find a payload word that makes the checksum compute to 0, then check it goes out as 0xFFFF.
        byte[] b = new byte[10];
        UdpDatagram.writeHeader(b, 0, 1, 2, 2);
        int sum = Checksum.partial(b, 0, 10, Checksum.pseudoHeader(1, 2, 17, 10));
        Bytes.putU16(b, 8, ~sum & 0xFFFF); // now the total sum is 0xFFFF, so finish() == 0
        UdpDatagram.fillChecksum(b, 0, 10, 1, 2);
        assertThat(Bytes.u16(b, 6)).isEqualTo(0xFFFF);
        assertThat(udp.wrap(b, 0, 10).check(1, 2)).isNull();
    }

    @Test
    void udpZeroChecksumMeansNone() {
        byte[] b = new byte[12];
        UdpDatagram.writeHeader(b, 0, 1, 2, 4);
        b[8] = 1;
        assertThat(udp.wrap(b, 0, 12).check(7, 9)).isNull();
    }

    @Test
    void ethernetPaddingIsNotPartOfTheIpPayload() {
        byte[] f = java.util.Arrays.copyOf(Captures.bytes(Captures.ICMP_ECHO_REQUEST), 70);
        assertThat(eth.wrap(f, 0, f.length).check()).isNull();
        assertThat(ip.wrap(f, eth.payloadOffset(), eth.payloadLength()).check()).isNull();
        assertThat(ip.payloadLength()).isEqualTo(24);
    }

    @Test
    void fragmentFieldsAndOffsetWithinABiggerBuffer() {
        byte[] b = new byte[100];
        Ipv4Packet.writeHeader(b, 7, new Ipv4Header().tos(0).totalLength(60)
                .identification(1).flagsAndOffset(Ipv4Packet.FLAG_MF | (1480 / 8))
                .ttl(3).protocol(17).addresses(1, 2));
        assertThat(ip.wrap(b, 7, 60).check()).isNull();
        assertThat(ip.moreFragments()).isTrue();
        assertThat(ip.dontFragment()).isFalse();
        assertThat(ip.fragmentOffset()).isEqualTo(1480);
        assertThat(ip.isFragment()).isTrue();
        assertThat(ip.payloadOffset()).isEqualTo(27);
        Ipv4Packet.writeHeader(b, 7, new Ipv4Header().tos(0).totalLength(60)
                .identification(1).flagsAndOffset(1480 / 8)
                .ttl(3).protocol(17).addresses(1, 2));
        assertThat(ip.wrap(b, 7, 60).isFragment()).isTrue();
    }

    @Test
    void malformedIdsAreCounterNames() {
        assertThat(Malformed.BAD_CHECKSUM.id()).isEqualTo("bad_checksum");
        assertThat(Malformed.TRUNCATED.id()).isEqualTo("truncated");
    }
}
