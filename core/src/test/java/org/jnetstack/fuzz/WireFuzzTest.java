package org.jnetstack.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Arrays;
import org.jnetstack.wire.ArpPacket;
import org.jnetstack.wire.Bytes;
import org.jnetstack.wire.Checksum;
import org.jnetstack.wire.Dhcpv6Malformed;
import org.jnetstack.wire.Dhcpv6Message;
import org.jnetstack.wire.EthernetFrame;
import org.jnetstack.wire.IcmpMessage;
import org.jnetstack.wire.Icmpv6Message;
import org.jnetstack.wire.Ipv4Header;
import org.jnetstack.wire.Ipv4Packet;
import org.jnetstack.wire.Ipv6Extensions;
import org.jnetstack.wire.Ipv6Packet;
import org.jnetstack.wire.Malformed;
import org.jnetstack.wire.Mldv2;
import org.jnetstack.wire.NdpMessage;
import org.jnetstack.wire.NdpOptions;
import org.jnetstack.wire.UdpDatagram;

/**
 * Each {@code wire} view on its own: {@code check()} must never throw, and when it accepts,
 * every accessor must work and describe a region inside the bytes given; where a writer
 * exists, writing the fields read must give back the same header.
 *
 * <p>Input layout: byte 0's low two bits choose how many junk bytes sit before the view (so
 * offsets are not always 0); the view covers the rest of the array, so reading past it throws.
 */
class WireFuzzTest {
    private static int viewOffset(byte[] data, int fixed) {
        return data.length == 0 ? 0 : Math.min(data.length, fixed + 1 + (data[0] & 3));
    }

    @FuzzTest(maxDuration = "2m")
    void ethernet(byte[] data) {
        int off = viewOffset(data, 0);
        int len = data.length - off;
        EthernetFrame eth = new EthernetFrame().wrap(data, off, len);
        Malformed m = eth.check();
        if (m != null) {
            assertThat(len < EthernetFrame.HEADER_LENGTH || m == Malformed.VLAN_TAGGED).isTrue();
            return;
        }
        assertThat(eth.payloadOffset() + eth.payloadLength()).isEqualTo(off + len);
        assertThat(eth.etherType()).isNotIn(EthernetFrame.TYPE_VLAN, EthernetFrame.TYPE_QINQ);
        byte[] out = new byte[EthernetFrame.HEADER_LENGTH];
        EthernetFrame.write(out, 0, eth.destination(), eth.source(), eth.etherType());
        assertThat(out).isEqualTo(Arrays.copyOfRange(data, off, off + EthernetFrame.HEADER_LENGTH));
    }

    @FuzzTest(maxDuration = "2m")
    void arp(byte[] data) {
        int off = viewOffset(data, 0);
        int len = data.length - off;
        ArpPacket arp = new ArpPacket().wrap(data, off, len);
        if (arp.check() != null) {
            return;
        }
        assertThat(len).isGreaterThanOrEqualTo(ArpPacket.LENGTH);
        assertThat(arp.operation()).isIn(ArpPacket.OP_REQUEST, ArpPacket.OP_REPLY);
        byte[] out = new byte[ArpPacket.LENGTH];
        ArpPacket.write(out, 0, arp.operation(), arp.senderMac(), arp.senderIp(), arp.targetMac(), arp.targetIp());
        assertThat(out).isEqualTo(Arrays.copyOfRange(data, off, off + ArpPacket.LENGTH));
    }

    @FuzzTest(maxDuration = "2m")
    void ipv4(byte[] data) {
        int off = viewOffset(data, 0);
        int len = data.length - off;
        Ipv4Packet ip = new Ipv4Packet().wrap(data, off, len);
        if (ip.check() != null) {
            return;
        }
        int hl = ip.headerLength();
        assertThat(ip.version()).isEqualTo(4);
        assertThat(hl).isBetween(Ipv4Packet.MIN_HEADER_LENGTH, len);
        assertThat(ip.totalLength()).isBetween(hl, len);
        assertThat(ip.payloadOffset()).isEqualTo(off + hl);
        assertThat(ip.payloadOffset() + ip.payloadLength()).isLessThanOrEqualTo(off + len);
        assertThat(ip.optionsOffset() + ip.optionsLength()).isEqualTo(ip.payloadOffset());
        assertThat(Checksum.compute(data, off, hl)).isZero();
        // RFC 791: a fragment's data must end within the 65535-byte datagram.
        assertThat(ip.fragmentOffset() + ip.payloadLength()).isLessThanOrEqualTo(Ipv4Packet.MAX_DATAGRAM);
        if (hl == Ipv4Packet.MIN_HEADER_LENGTH) {
            byte[] out = new byte[hl];
            Ipv4Packet.writeHeader(out, 0, new Ipv4Header().tos(ip.tos()).totalLength(ip.totalLength())
                    .identification(ip.identification()).flagsAndOffset(ip.flagsAndOffset())
                    .ttl(ip.ttl()).protocol(ip.protocol()).addresses(ip.source(), ip.destination()));
            byte[] in = Arrays.copyOfRange(data, off, off + hl);
            // The checksum field may differ: 0x0000 and 0xFFFF are both valid (RFC 1071's two zeros).
            assertThat(Checksum.compute(out, 0, hl)).isZero();
            out[10] = in[10];
            out[11] = in[11];
            assertThat(out).isEqualTo(in);
        }
    }

    @FuzzTest(maxDuration = "2m")
    void icmp(byte[] data) {
        int off = viewOffset(data, 0);
        int len = data.length - off;
        IcmpMessage icmp = new IcmpMessage().wrap(data, off, len);
        if (icmp.check() != null) {
            return;
        }
        assertThat(Checksum.compute(data, off, len)).isZero();
        assertThat(icmp.payloadOffset() + icmp.payloadLength()).isEqualTo(off + len);
        assertThat(icmp.type()).isBetween(0, 255);
        byte[] copy = Arrays.copyOfRange(data, off, off + len);
        IcmpMessage.fillChecksum(copy, 0, len);
        assertThat(Checksum.compute(copy, 0, len)).isZero();
    }

    @FuzzTest(maxDuration = "2m")
    void udp(byte[] data) {
        if (data.length < 9) {
            return;
        }
        int src = Bytes.i32(data, 1);
        int dst = Bytes.i32(data, 5);
        int off = viewOffset(data, 8);
        int len = data.length - off;
        UdpDatagram udp = new UdpDatagram().wrap(data, off, len);
        if (udp.check(src, dst) != null) {
            return;
        }
        assertThat(udp.length()).isBetween(UdpDatagram.HEADER_LENGTH, len);
        assertThat(udp.payloadOffset() + udp.payloadLength()).isLessThanOrEqualTo(off + len);
        // Rebuilding it with our writer must give a datagram the parser accepts, with the same fields.
        byte[] copy = Arrays.copyOfRange(data, off, off + udp.length());
        UdpDatagram.writeHeader(copy, 0, udp.sourcePort(), udp.destinationPort(), udp.payloadLength());
        UdpDatagram.fillChecksum(copy, 0, copy.length, src, dst);
        UdpDatagram again = new UdpDatagram().wrap(copy, 0, copy.length);
        assertThat(again.check(src, dst)).isNull();
        assertThat(again.checksum()).isNotZero();
        assertThat(again.sourcePort()).isEqualTo(udp.sourcePort());
        assertThat(again.destinationPort()).isEqualTo(udp.destinationPort());
    }

    /** RFC 1071: chained partial sums over an even split equal the sum over the whole; RFC 1624 updates equal recomputation. */
    @FuzzTest(maxDuration = "2m")
    void checksum(byte[] data) {
        if (data.length < 4) {
            return;
        }
        int split = (data[0] & 0xFF) % (data.length + 1) & ~1;
        int whole = Checksum.partial(data, 0, data.length, 0);
        int chained = Checksum.partial(data, split, data.length - split, Checksum.partial(data, 0, split, 0));
        assertThat(Checksum.finish(chained)).isEqualTo(Checksum.finish(whole));

        // Store the checksum in the first word: the whole must then verify.
        byte[] copy = data.clone();
        copy[0] = 0;
        copy[1] = 0;
        Bytes.putU16(copy, 0, Checksum.compute(copy, 0, copy.length));
        assertThat(Checksum.compute(copy, 0, copy.length)).isZero();

        // Change the second word and update incrementally: it must still verify.
        int oldWord = Bytes.u16(copy, 2);
        int newWord = oldWord ^ 0x5A5A;
        int updated = Checksum.update(Bytes.u16(copy, 0), oldWord, newWord);
        Bytes.putU16(copy, 2, newWord);
        Bytes.putU16(copy, 0, updated);
        // Exception (found by fuzzing): when every other word is now zero, eqn. 3 yields 0x0000 while
        // recomputation gives 0xFFFF, the two zeros of one's complement. No real header is all
        // zero (IPv4's version, the pseudo-header's protocol), so it does not matter in the stack.
        if (Checksum.partial(copy, 2, copy.length - 2, 0) != 0) {
            assertThat(Checksum.compute(copy, 0, copy.length)).isZero();
        }
    }
    /**
     * ICMPv6 (RFC 4443) with NDP options and MLD queries: bytes 1..33 are the source and
     * destination of the pseudo-header, the message follows. Accepted messages verify, have the
     * fixed part their type needs, and their NDP options walk inside the message, each option at
     * least 8 bytes, every reader staying inside it. With bit 2 of byte 0 set the checksum is
     * repaired first, so mutated messages get past it (the fuzzer clears the bit to test the check).
     */
    @FuzzTest(maxDuration = "2m")
    void icmpv6(byte[] data) {
        if (data.length < 33) {
            return;
        }
        long srcHi = Bytes.getI64(data, 1);
        long srcLo = Bytes.getI64(data, 9);
        long dstHi = Bytes.getI64(data, 17);
        long dstLo = Bytes.getI64(data, 25);
        int off = viewOffset(data, 32);
        int len = data.length - off;
        if ((data[0] & 4) != 0 && len >= Icmpv6Message.HEADER_LENGTH) {
            Icmpv6Message.writeChecksum(data, off, len, srcHi, srcLo, dstHi, dstLo);
        }
        Icmpv6Message m = new Icmpv6Message().wrap(data, off, len);
        if (m.check(srcHi, srcLo, dstHi, dstLo) != null) {
            return;
        }
        int type = m.type();
        assertThat(len).isGreaterThanOrEqualTo(Icmpv6Message.minimumLength(type));
        assertThat(m.bodyOffset() + m.bodyLength()).isEqualTo(off + len);
        assertThat(m.quotedOffset() + m.quotedLength()).isLessThanOrEqualTo(off + len);
        byte[] copy = Arrays.copyOfRange(data, off, off + len);
        Icmpv6Message.writeChecksum(copy, 0, len, srcHi, srcLo, dstHi, dstLo);
        assertThat(new Icmpv6Message().wrap(copy, 0, len).check(srcHi, srcLo, dstHi, dstLo)).isNull();
        int start = NdpMessage.optionsOffset(type, off);
        if (start >= 0) {
            NdpOptions o = new NdpOptions().reset(data, start, off + len - start);
            int steps = 0;
            for (int t = o.next(); t >= 0; t = o.next()) {
                steps++;
                assertThat(o.length()).isGreaterThanOrEqualTo(NdpOptions.UNIT);
                assertThat(o.offset() + o.length()).isLessThanOrEqualTo(off + len);
                o.linkLayerAddress();
                o.prefixLength();
                o.onLink();
                o.validLifetime();
                o.prefixLo();
                o.mtu();
                o.rdnssLifetime();
                for (int i = 0; i <= o.rdnssCount(); i++) {
                    o.rdnssLo(i);
                }
            }
            assertThat(steps).isLessThanOrEqualTo(len / NdpOptions.UNIT);
        }
        if (type == Icmpv6Message.TYPE_MLD_QUERY) {
            Mldv2.queryGroupLo(data, off);
            assertThat(Mldv2.queryMaxResponseDelayMillis(data, off)).isBetween(0L, 8_387_584L);
        }
    }

    /**
     * The IPv6 extension header walk (RFC 8200 §4): byte 1 is the fixed header's next header,
     * the chain follows. The walk never throws, stays inside the bytes, respects its limits and
     * gives the same answer twice.
     */
    @FuzzTest(maxDuration = "2m")
    void ipv6Extensions(byte[] data) {
        if (data.length < 2) {
            return;
        }
        int first = data[1] & 0xFF;
        int off = viewOffset(data, 1);
        int len = data.length - off;
        Ipv6Extensions ext = new Ipv6Extensions();
        Malformed m = ext.walk(data, off, len, first);
        assertThat(ext.headerCount()).isBetween(0, Ipv6Extensions.MAX_HEADERS);
        assertThat(ext.problemPointer()).isBetween(-1, Ipv6Packet.HEADER_LENGTH + len - 1);
        assertThat(ext.problemCode()).isBetween(-1, Icmpv6Message.CODE_INCOMPLETE_CHAIN);
        if (ext.problemCode() >= 0 || ext.silentDrop() || ext.chainIncomplete()) {
            assertThat(m).isNotNull();
        }
        if (ext.hasFragment()) {
            assertThat(ext.fragmentHeaderOffset() + Ipv6Extensions.FRAGMENT_HEADER_LENGTH).isLessThanOrEqualTo(off + len);
            assertThat(ext.fragmentOffset() & 7).isZero();
        }
        if (m == null) {
            assertThat(ext.upperOffset()).isBetween(off, off + len);
            // Past a non-first fragment's header lie data: its next header value is not walked, any value passes.
            boolean nonFirstFragment = ext.hasFragment() && ext.fragmentOffset() != 0;
            assertThat(nonFirstFragment ? -1 : ext.upperProtocol()).isNotIn(Ipv6Packet.NH_HOP_BY_HOP, Ipv6Packet.NH_ROUTING,
                    Ipv6Packet.NH_DESTINATION_OPTIONS, Ipv6Packet.NH_AH);
            assertThat(ext.upperNextHeaderPointer()).isBetween(Ipv6Packet.HEADER_LENGTH - 34, Ipv6Packet.HEADER_LENGTH + len);
        }
        int upper = ext.upperOffset();
        int problem = ext.problemPointer();
        assertThat(ext.walk(data, off, len, first)).isEqualTo(m);
        assertThat(ext.upperOffset()).isEqualTo(upper);
        assertThat(ext.problemPointer()).isEqualTo(problem);
    }

    /**
     * DHCPv6 (RFC 8415 §8, §21): {@code check()} never throws and walks at most
     * {@link Dhcpv6Message#MAX_OPTIONS} options; an accepted message's readers stay inside it and
     * give the same answers twice.
     */
    @FuzzTest(maxDuration = "2m")
    void dhcpv6(byte[] data) {
        int off = viewOffset(data, 0);
        int len = data.length - off;
        Dhcpv6Message m = new Dhcpv6Message().wrap(data, off, len);
        Dhcpv6Malformed reason = m.check();
        if (reason != null) {
            return;
        }
        assertThat(len).isGreaterThanOrEqualTo(Dhcpv6Message.HEADER_LENGTH);
        assertThat(m.transactionId()).isBetween(0, 0xFF_FFFF);
        int n = m.dnsServerCount();
        assertThat(16 * n).isLessThanOrEqualTo(len);
        for (int i = 0; i < n; i++) {
            m.dnsServerHi(i);
            m.dnsServerLo(i);
        }
        assertThat(m.domainSearchList(1000)).allSatisfy(name -> assertThat(name.length()).isLessThanOrEqualTo(253));
        assertThat(m.refreshTime()).isBetween(-1L, 0xFFFF_FFFFL);
        m.statusCode();
        m.serverIdHex();
        m.clientIdEquals(new byte[10]);
        assertThat(new Dhcpv6Message().wrap(data, off, len).check()).isNull();
    }
}
