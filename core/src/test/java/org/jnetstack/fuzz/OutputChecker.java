package org.jnetstack.fuzz;

import java.util.HexFormat;
import org.jnetstack.wire.ArpPacket;
import org.jnetstack.wire.EthernetFrame;
import org.jnetstack.wire.IcmpMessage;
import org.jnetstack.wire.Icmpv6Message;
import org.jnetstack.wire.Ipv4Address;
import org.jnetstack.wire.Ipv4Packet;
import org.jnetstack.wire.Ipv6Address;
import org.jnetstack.wire.Ipv6Packet;
import org.jnetstack.wire.Malformed;
import org.jnetstack.wire.UdpDatagram;

/**
 * Checks every frame the stack under fuzzing sends: whatever garbage came in, what goes out
 * must be well-formed, from our own addresses, with correct checksums, and never an ICMP
 * error that RFC 1122 §3.2.2 forbids. The first violation is remembered (throwing here would
 * only be contained and counted by the event loop) and reported by the harness.
 */
final class OutputChecker {
    /** RFC 1812 §4.3.2.3: an ICMP error datagram stays within 576 octets. */
    private static final int MAX_ICMP_ERROR_DATAGRAM = 576;

    private final long mac;
    private final int ip;
    private final int subnetBroadcast;
    private final int mtu;
    private final EthernetFrame eth = new EthernetFrame();
    private final ArpPacket arp = new ArpPacket();
    private final Ipv4Packet ipv4 = new Ipv4Packet();
    private final Ipv4Packet quoted = new Ipv4Packet();
    private final IcmpMessage icmp = new IcmpMessage();
    private final Ipv6Packet ipv6 = new Ipv6Packet();
    private final Icmpv6Message icmp6 = new Icmpv6Message();
    long ipv6Frames;
    private final UdpDatagram udp = new UdpDatagram();
    private final org.jnetstack.wire.TcpSegment tcp = new org.jnetstack.wire.TcpSegment();
    long tcpSegments;
    long tcpResets;
    private String violation;
    long ipFrames;
    long arpFrames;
    long icmpErrors;

    OutputChecker(long mac, int ip, int prefixLength, int mtu) {
        this.mac = mac;
        this.ip = ip;
        this.subnetBroadcast = ip | ~Ipv4Address.mask(prefixLength);
        this.mtu = mtu;
    }

    /** The first violation seen, or null. */
    String violation() {
        return violation;
    }

    void check(byte[] buf, int off, int len) {
        if (violation != null) {
            return;
        }
        String why = why(buf, off, len);
        if (why != null) {
            violation = why + " in sent frame " + HexFormat.of().formatHex(buf, off, off + len);
        }
    }

    private String why(byte[] buf, int off, int len) {
        if (len < EthernetFrame.HEADER_LENGTH || len > EthernetFrame.HEADER_LENGTH + mtu) {
            return "frame length " + len + " outside 14.." + (14 + mtu);
        }
        eth.wrap(buf, off, len);
        if (eth.check() != null) {
            return "bad Ethernet header " + eth.check();
        }
        if (eth.source() != mac) {
            return "source MAC is not ours";
        }
        return switch (eth.etherType()) {
            case EthernetFrame.TYPE_ARP -> arp(buf, eth.payloadOffset(), eth.payloadLength());
            case EthernetFrame.TYPE_IPV4 -> ipv4(buf, eth.payloadOffset(), eth.payloadLength());
            case EthernetFrame.TYPE_IPV6 -> ipv6(buf, eth.payloadOffset(), eth.payloadLength());
            default -> "unexpected EtherType " + Integer.toHexString(eth.etherType());
        };
    }

    private String arp(byte[] buf, int off, int len) {
        arpFrames++;
        Malformed m = arp.wrap(buf, off, len).check();
        if (m != null) {
            return "malformed ARP " + m;
        }
        if (arp.senderMac() != mac || arp.senderIp() != ip) {
            return "ARP sender is not us";
        }
        return null;
    }

    private String ipv4(byte[] buf, int off, int len) {
        ipFrames++;
        Malformed m = ipv4.wrap(buf, off, len).check();
        if (m != null) {
            return "malformed IPv4 " + m;
        }
        if (ipv4.totalLength() != len) {
            return "IPv4 total length " + ipv4.totalLength() + " != " + len + " bytes sent";
        }
        if (ipv4.source() != ip) {
            return "IPv4 source " + Ipv4Address.format(ipv4.source()) + " is not ours";
        }
        if (ipv4.ttl() == 0) {
            return "TTL 0";
        }
        if (ipv4.isFragment()) {
            return null; // the transport header may be in another fragment
        }
        int t = ipv4.payloadOffset();
        int tLen = ipv4.payloadLength();
        if (ipv4.protocol() == Ipv4Packet.PROTO_UDP) {
            m = udp.wrap(buf, t, tLen).check(ipv4.source(), ipv4.destination());
            if (m != null || udp.checksum() == 0 || udp.length() != tLen) {
                return "bad UDP datagram " + m;
            }
            return null;
        }
        if (ipv4.protocol() == Ipv4Packet.PROTO_ICMP) {
            m = icmp.wrap(buf, t, tLen).check();
            if (m != null) {
                return "bad ICMP message " + m;
            }
            int type = icmp.type();
            if (type == IcmpMessage.TYPE_DEST_UNREACHABLE || type == IcmpMessage.TYPE_TIME_EXCEEDED) {
                return icmpError(buf);
            }
            return null;
        }
        if (ipv4.protocol() == Ipv4Packet.PROTO_TCP) {
            m = tcp.wrap(buf, t, tLen).check(ipv4.source(), ipv4.destination());
            if (m != null) {
                return "bad TCP segment " + m;
            }
            tcpSegments++;
            if (tcp.isRst()) {
                tcpResets++;
            }
            return null;
        }
        return "unexpected protocol " + ipv4.protocol();
    }

    /**
     * IPv6 (RFC 8200) with ICMPv6 (RFC 4443): a whole header, a source that is ours or :: (only
     * in duplicate address detection), a verified ICMPv6 checksum, hop limit 255 on Neighbor
     * Discovery (RFC 4861 §7.1), and an error never to a multicast address nor beyond 1280 bytes.
     */
    private String ipv6(byte[] buf, int off, int len) {
        ipv6Frames++;
        Malformed m = ipv6.wrap(buf, off, len).check();
        if (m != null) {
            return "malformed IPv6 " + m;
        }
        if (ipv6.packetLength() != len) {
            return "IPv6 payload length " + ipv6.payloadLength() + " does not match the " + len + " bytes sent";
        }
        long srcHi = ipv6.sourceHi();
        long srcLo = ipv6.sourceLo();
        if (Ipv6Address.isMulticast(srcHi) || Ipv6Address.isLoopback(srcHi, srcLo)) {
            return "IPv6 source " + Ipv6Address.format(srcHi, srcLo) + " is not a unicast address";
        }
        if (ipv6.hopLimit() == 0) {
            return "hop limit 0";
        }
        if (ipv6.nextHeader() != Ipv6Packet.NH_ICMPV6) {
            return null;
        }
        m = icmp6.wrap(buf, ipv6.payloadOffset(), ipv6.payloadLength())
                .check(srcHi, srcLo, ipv6.destinationHi(), ipv6.destinationLo());
        if (m != null) {
            return "bad ICMPv6 message " + m;
        }
        int type = icmp6.type();
        if (type >= Icmpv6Message.TYPE_ROUTER_SOLICITATION && type <= Icmpv6Message.TYPE_REDIRECT && ipv6.hopLimit() != 255) {
            return "Neighbor Discovery message with hop limit " + ipv6.hopLimit();
        }
        if (Ipv6Address.isUnspecified(srcHi, srcLo) && type != Icmpv6Message.TYPE_NEIGHBOR_SOLICITATION
                && type != Icmpv6Message.TYPE_ROUTER_SOLICITATION && type != Icmpv6Message.TYPE_MLDV2_REPORT) {
            return "ICMPv6 type " + type + " from ::";
        }
        if (Icmpv6Message.isError(type)) {
            icmpErrors++;
            if (Ipv6Address.isMulticast(ipv6.destinationHi()) || Ipv6Address.isUnspecified(ipv6.destinationHi(), ipv6.destinationLo())) {
                return "ICMPv6 error to " + Ipv6Address.format(ipv6.destinationHi(), ipv6.destinationLo());
            }
            if (len > Ipv6Packet.MIN_MTU) {
                return "ICMPv6 error longer than 1280 bytes";
            }
        }
        return null;
    }

    /**
     * RFC 1122 §3.2.2 (last bullet) with §3.2.1.3: zero, loopback (127/8), broadcast, multicast
     * and Class E (240/4) addresses do not define a single host.
     */
    private boolean isSingleHost(int addr) {
        int first = addr >>> 24;
        return addr != 0 && addr != -1 && addr != subnetBroadcast && first != 127 && first < 224;
    }

    /** RFC 1122 §3.2.2: the situations in which an ICMP error must not be sent. */
    private String icmpError(byte[] buf) {
        icmpErrors++;
        int dst = ipv4.destination();
        if (ipv4.totalLength() > MAX_ICMP_ERROR_DATAGRAM) {
            return "ICMP error longer than 576 bytes";
        }
        if (!isSingleHost(dst)) {
            return "ICMP error sent to " + Ipv4Address.format(dst) + ", which is not a single host";
        }
        int q = icmp.payloadOffset();
        int qLen = icmp.payloadLength();
        if (qLen < Ipv4Packet.MIN_HEADER_LENGTH) {
            return "ICMP error quotes less than an IPv4 header";
        }
        quoted.wrap(buf, q, qLen);
        int hl = quoted.headerLength();
        if (quoted.version() != 4 || hl < Ipv4Packet.MIN_HEADER_LENGTH || hl > qLen) {
            return "ICMP error quotes something that is not an IPv4 header";
        }
        // RFC 1122 §3.2.2: at least the header and the first 8 bytes of data, when the datagram had them.
        int quotedData = qLen - hl;
        int originalData = quoted.totalLength() - hl;
        if (quotedData < Math.min(8, originalData)) {
            return "ICMP error quotes only " + quotedData + " data bytes";
        }
        if (quoted.fragmentOffset() != 0) {
            return "ICMP error about a non-initial fragment";
        }
        if (Ipv4Address.isMulticast(quoted.destination()) || quoted.destination() == -1
                || quoted.destination() == subnetBroadcast) {
            return "ICMP error about a broadcast/multicast datagram";
        }
        if (quoted.protocol() == Ipv4Packet.PROTO_ICMP && quotedData >= 1) {
            int qt = buf[q + hl] & 0xFF;
            // RFC 792 error types: unreachable, source quench, redirect, time exceeded, parameter problem.
            if (qt == 3 || qt == 4 || qt == 5 || qt == 11 || qt == 12) {
                return "ICMP error about an ICMP error (type " + qt + ")";
            }
        }
        return null;
    }
}
