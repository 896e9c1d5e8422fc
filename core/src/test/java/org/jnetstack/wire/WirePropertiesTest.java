package org.jnetstack.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Properties: hostile bytes never make a parser throw or point outside its input, and every
 * writer's output parses back to the values written.
 */
class WirePropertiesTest {
    private static final List<String> CAPTURES = List.of(Captures.ARP_REQUEST, Captures.ARP_REPLY,
            Captures.ICMP_ECHO_REQUEST, Captures.ICMP_PORT_UNREACHABLE, Captures.UDP_DNS_QUERY, Captures.TCP_SYN,
            Captures.TCP_SYN_ACK, Captures.TCP_ACK_SACK_1, Captures.TCP_ACK_SACK_2);

    private final EthernetFrame eth = new EthernetFrame();
    private final ArpPacket arp = new ArpPacket();
    private final Ipv4Packet ip = new Ipv4Packet();
    private final IcmpMessage icmp = new IcmpMessage();
    private final UdpDatagram udp = new UdpDatagram();
    private final TcpSegment tcp = new TcpSegment();
    private final TcpOptions opts = new TcpOptions();

    // ---- robustness ----

    @Property(tries = 2000)
    void randomBytesNeverThrowAndNeverPointOutside(@ForAll @Size(max = 120) byte[] bytes,
                                                   @ForAll @IntRange(max = 8) int off) {
        byte[] f = new byte[bytes.length + off];
        System.arraycopy(bytes, 0, f, off, bytes.length);
        receive(f, off, bytes.length);
        // Every view also sees the raw bytes directly, not only what a valid outer header leads to.
        if (arp.wrap(f, off, bytes.length).check() == null) {
            arp.operation();
            arp.senderMac();
            arp.senderIp();
            arp.targetMac();
            arp.targetIp();
        }
        transport(f, off, bytes.length, bytes.length >= 8 ? Bytes.i32(f, off) : 0, 0);
        ipLayer(f, off, bytes.length);
    }

    @Property(tries = 3000)
    void damagedCapturesNeverThrowAndNeverPointOutside(@ForAll("captures") byte[] f,
                                                       @ForAll @Size(max = 6) List<@IntRange(max = 200) Integer> positions,
                                                       @ForAll @Size(max = 6) List<Byte> values,
                                                       @ForAll("shortenings") int shorten,
                                                       @ForAll boolean repairChecksums) {
        for (int i = 0; i < Math.min(positions.size(), values.size()); i++) {
            f[positions.get(i) % f.length] = values.get(i);
        }
        int len = Math.max(0, f.length - shorten);
        if (repairChecksums) {
            repair(f, len);
        }
        receive(f, 0, len);
    }

    /** Recomputes IPv4 and transport checksums where the lengths allow, so parsing goes deeper. */
    private static void repair(byte[] f, int len) {
        int ipOff = EthernetFrame.HEADER_LENGTH;
        if (len < ipOff + 20) {
            return;
        }
        int hl = (f[ipOff] & 0x0F) * 4;
        if (hl < 20 || ipOff + hl > len) {
            return;
        }
        int total = Math.min(Bytes.u16(f, ipOff + 2), len - ipOff);
        Bytes.putU16(f, ipOff + 2, total);
        if (total < hl) {
            return;
        }
        Bytes.putU16(f, ipOff + 10, 0);
        Bytes.putU16(f, ipOff + 10, Checksum.compute(f, ipOff, hl));
        int t = ipOff + hl;
        int tlen = total - hl;
        int src = Bytes.i32(f, ipOff + 12);
        int dst = Bytes.i32(f, ipOff + 16);
        switch (f[ipOff + 9]) {
            case Ipv4Packet.PROTO_TCP -> {
                if (tlen >= 20) {
                    TcpSegment.fillChecksum(f, t, tlen, src, dst);
                }
            }
            case Ipv4Packet.PROTO_ICMP -> {
                if (tlen >= 8) {
                    IcmpMessage.fillChecksum(f, t, tlen);
                }
            }
            case Ipv4Packet.PROTO_UDP -> {
                if (tlen >= 8 && Bytes.u16(f, t + 4) <= tlen && Bytes.u16(f, t + 4) >= 8) {
                    UdpDatagram.fillChecksum(f, t, Bytes.u16(f, t + 4), src, dst);
                }
            }
            default -> { }
        }
    }

    /** The whole receive path of a frame, asserting every range a valid header yields lies inside its input. */
    private void receive(byte[] f, int off, int len) {
        if (eth.wrap(f, off, len).check() != null) {
            return;
        }
        eth.destination();
        eth.source();
        assertInside(eth.payloadOffset(), eth.payloadLength(), off, len);
        if (eth.etherType() == EthernetFrame.TYPE_ARP) {
            if (arp.wrap(f, eth.payloadOffset(), eth.payloadLength()).check() == null) {
                arp.senderMac();
                arp.targetIp();
            }
        } else {
            ipLayer(f, eth.payloadOffset(), eth.payloadLength());
        }
    }

    private void ipLayer(byte[] f, int off, int len) {
        if (ip.wrap(f, off, len).check() != null) {
            return;
        }
        assertThat(ip.version()).isEqualTo(4);
        assertThat(ip.fragmentOffset() + ip.payloadLength()).isLessThanOrEqualTo(65535);
        ip.tos();
        ip.identification();
        ip.isFragment();
        ip.ttl();
        ip.checksum();
        assertInside(ip.payloadOffset(), ip.payloadLength(), off, len);
        assertInside(ip.optionsOffset(), ip.optionsLength(), off, len);
        transport(f, ip.payloadOffset(), ip.payloadLength(), ip.source(), ip.destination());
    }

    private void transport(byte[] f, int off, int len, int src, int dst) {
        if (icmp.wrap(f, off, len).check() == null) {
            icmp.type();
            icmp.code();
            icmp.restOfHeader();
            assertInside(icmp.payloadOffset(), icmp.payloadLength(), off, len);
            // An ICMP error quotes an IP header: parse it like the stack would.
            if (icmp.payloadLength() >= 20 && ip.wrap(f, icmp.payloadOffset(), icmp.payloadLength()).check() == null) {
                assertInside(ip.payloadOffset(), ip.payloadLength(), icmp.payloadOffset(), icmp.payloadLength());
            }
        }
        if (udp.wrap(f, off, len).check(src, dst) == null) {
            assertThat(udp.length()).isBetween(8, len);
            assertInside(udp.payloadOffset(), udp.payloadLength(), off, len);
            udp.sourcePort();
            udp.destinationPort();
        }
        if (tcp.wrap(f, off, len).check(src, dst) == null) {
            assertInside(tcp.optionsOffset(), tcp.optionsLength(), off, len);
            assertInside(tcp.payloadOffset(), tcp.payloadLength(), off, len);
            assertThat(tcp.headerLength()).isBetween(20, 60);
            tcp.sequenceNumber();
            tcp.acknowledgmentNumber();
            tcp.flags();
            tcp.window();
            tcp.urgentPointer();
            tcp.sequenceLength();
            assertThat(opts.parse(tcp)).as("check() passed, so the options parse").isNull();
            assertThat(opts.sackBlockCount()).isBetween(0, TcpOptions.MAX_SACK_BLOCKS);
            for (int i = 0; i < opts.sackBlockCount(); i++) {
                opts.sackLeft(i);
                opts.sackRight(i);
            }
        }
    }

    private static void assertInside(int start, int length, int off, int len) {
        assertThat(length).isNotNegative();
        assertThat(start).isGreaterThanOrEqualTo(off);
        assertThat(start + length).isLessThanOrEqualTo(off + len);
    }

    /** Mostly whole frames, sometimes cut short by a few or many bytes. */
    @Provide
    Arbitrary<Integer> shortenings() {
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, Arbitraries.just(0)),
                net.jqwik.api.Tuple.of(3, Arbitraries.integers().between(1, 8)),
                net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(9, 90)));
    }

    @Provide
    Arbitrary<byte[]> captures() {
        return Arbitraries.of(CAPTURES).map(Captures::bytes);
    }

    // ---- round trips ----

    @Property
    void ethernetRoundTrip(@ForAll("macs") long dst, @ForAll("macs") long src, @ForAll("u16") int type) {
        byte[] b = new byte[20];
        assertThat(EthernetFrame.write(b, 3, dst, src, type)).isEqualTo(14);
        eth.wrap(b, 3, 17);
        assertThat(eth.destination()).isEqualTo(dst);
        assertThat(eth.source()).isEqualTo(src);
        assertThat(eth.etherType()).isEqualTo(type);
        assertThat(eth.check()).isEqualTo(type == 0x8100 || type == 0x88A8 ? Malformed.VLAN_TAGGED : null);
        assertThat(eth.payloadOffset()).isEqualTo(17);
        assertThat(eth.payloadLength()).isEqualTo(3);
    }

    @Property
    void arpRoundTrip(@ForAll @IntRange(min = 1, max = 2) int op, @ForAll("macs") long sha, @ForAll int spa,
                      @ForAll("macs") long tha, @ForAll int tpa) {
        byte[] b = new byte[30];
        assertThat(ArpPacket.write(b, 1, op, sha, spa, tha, tpa)).isEqualTo(28);
        assertThat(arp.wrap(b, 1, 28).check()).isNull();
        assertThat(arp.operation()).isEqualTo(op);
        assertThat(arp.senderMac()).isEqualTo(sha);
        assertThat(arp.senderIp()).isEqualTo(spa);
        assertThat(arp.targetMac()).isEqualTo(tha);
        assertThat(arp.targetIp()).isEqualTo(tpa);
    }

    @Property
    void ipv4RoundTrip(@ForAll("u8") int tos, @ForAll @IntRange(min = 20, max = 200) int total, @ForAll("u16") int id,
                       @ForAll boolean df, @ForAll boolean mf, @ForAll @IntRange(max = 0x1FFF) int offset8,
                       @ForAll("u8") int ttl, @ForAll("u8") int proto, @ForAll int src, @ForAll int dst) {
        byte[] b = new byte[total + 5];
        int flags = (df ? Ipv4Packet.FLAG_DF : 0) | (mf ? Ipv4Packet.FLAG_MF : 0) | offset8;
        assertThat(Ipv4Packet.writeHeader(b, 5, new Ipv4Header().tos(tos).totalLength(total)
                .identification(id).flagsAndOffset(flags)
                .ttl(ttl).protocol(proto).addresses(src, dst))).isEqualTo(20);
        ip.wrap(b, 5, total);
        boolean overflow = offset8 * 8 + total - 20 > 65535;
        assertThat(ip.check()).isEqualTo(overflow ? Malformed.BAD_FRAGMENT_OFFSET : null);
        assertThat(Checksum.compute(b, 5, 20)).isZero();
        assertThat(ip.tos()).isEqualTo(tos);
        assertThat(ip.totalLength()).isEqualTo(total);
        assertThat(ip.identification()).isEqualTo(id);
        assertThat(ip.flagsAndOffset()).isEqualTo(flags);
        assertThat(ip.dontFragment()).isEqualTo(df);
        assertThat(ip.moreFragments()).isEqualTo(mf);
        assertThat(ip.fragmentOffset()).isEqualTo(offset8 * 8);
        assertThat(ip.isFragment()).isEqualTo(mf || offset8 != 0);
        assertThat(ip.ttl()).isEqualTo(ttl);
        assertThat(ip.protocol()).isEqualTo(proto);
        assertThat(ip.source()).isEqualTo(src);
        assertThat(ip.destination()).isEqualTo(dst);
        assertThat(ip.payloadOffset()).isEqualTo(25);
        assertThat(ip.payloadLength()).isEqualTo(total - 20);
    }

    @Property
    void icmpRoundTrip(@ForAll("u8") int type, @ForAll("u8") int code, @ForAll int rest, @ForAll @Size(max = 64) byte[] data) {
        byte[] b = new byte[8 + data.length + 2];
        int n = IcmpMessage.writeHeader(b, 2, type, code, rest);
        System.arraycopy(data, 0, b, 2 + n, data.length);
        IcmpMessage.fillChecksum(b, 2, 8 + data.length);
        assertThat(icmp.wrap(b, 2, 8 + data.length).check()).isNull();
        assertThat(icmp.type()).isEqualTo(type);
        assertThat(icmp.code()).isEqualTo(code);
        assertThat(icmp.restOfHeader()).isEqualTo(rest);
        assertThat(icmp.identifier()).isEqualTo(rest >>> 16);
        assertThat(icmp.sequence()).isEqualTo(rest & 0xFFFF);
        assertThat(icmp.payloadLength()).isEqualTo(data.length);

        byte[] e = new byte[8 + data.length];
        assertThat(IcmpMessage.writeError(e, 0, type, code, rest, data, 0, data.length)).isEqualTo(8 + data.length);
        assertThat(icmp.wrap(e, 0, e.length).check()).isNull();
        assertThat(java.util.Arrays.copyOfRange(e, 8, e.length)).isEqualTo(data);
    }

    @Property
    void udpRoundTrip(@ForAll("u16") int sp, @ForAll("u16") int dp, @ForAll @Size(max = 64) byte[] data,
                      @ForAll int src, @ForAll int dst, @ForAll @IntRange(max = 3) int trailing) {
        byte[] b = new byte[8 + data.length + trailing];
        UdpDatagram.writeHeader(b, 0, sp, dp, data.length);
        System.arraycopy(data, 0, b, 8, data.length);
        UdpDatagram.fillChecksum(b, 0, 8 + data.length, src, dst);
        assertThat(udp.wrap(b, 0, b.length).check(src, dst)).isNull();
        assertThat(udp.checksum()).isNotZero();
        assertThat(udp.sourcePort()).isEqualTo(sp);
        assertThat(udp.destinationPort()).isEqualTo(dp);
        assertThat(udp.length()).isEqualTo(8 + data.length);
        assertThat(udp.payloadLength()).isEqualTo(data.length);
    }

    @Property
    void tcpRoundTrip(@ForAll("u16") int sp, @ForAll("u16") int dp, @ForAll int seq, @ForAll int ack,
                      @ForAll("u8") int flags, @ForAll("u16") int window, @ForAll("u16") int urgent,
                      @ForAll("options") TcpOptions options, @ForAll @Size(max = 64) byte[] data,
                      @ForAll int src, @ForAll int dst) {
        int hl = TcpSegment.headerLength(options);
        assertThat(hl % 4).isZero();
        assertThat(hl).isBetween(20, 60);
        byte[] b = new byte[hl + data.length];
        System.arraycopy(data, 0, b, hl, data.length);
        assertThat(TcpSegment.write(b, 0, new TcpHeader().ports(sp, dp)
                .segment(seq, ack, flags, window).urgentPointer(urgent).options(options), data.length, src, dst)).isEqualTo(hl);
        assertThat(tcp.wrap(b, 0, b.length).check(src, dst)).isNull();
        assertThat(tcp.sourcePort()).isEqualTo(sp);
        assertThat(tcp.destinationPort()).isEqualTo(dp);
        assertThat(tcp.sequenceNumber()).isEqualTo(seq);
        assertThat(tcp.acknowledgmentNumber()).isEqualTo(ack);
        assertThat(tcp.flags()).isEqualTo(flags);
        assertThat(tcp.window()).isEqualTo(window);
        assertThat(tcp.urgentPointer()).isEqualTo(urgent);
        assertThat(tcp.headerLength()).isEqualTo(hl);
        assertThat(tcp.payloadLength()).isEqualTo(data.length);

        assertThat(opts.parse(tcp)).isNull();
        assertThat(opts.hasMss()).isEqualTo(options.hasMss());
        assertThat(opts.mss()).isEqualTo(options.mss());
        assertThat(opts.hasWindowScale()).isEqualTo(options.hasWindowScale());
        assertThat(opts.windowScale()).isEqualTo(options.windowScale());
        assertThat(opts.sackPermitted()).isEqualTo(options.sackPermitted());
        assertThat(opts.hasTimestamps()).isEqualTo(options.hasTimestamps());
        assertThat(opts.tsVal()).isEqualTo(options.tsVal());
        assertThat(opts.tsEcr()).isEqualTo(options.tsEcr());
        // Blocks beyond the 40-byte option space are dropped from the end, the rest kept in order.
        assertThat(opts.sackBlockCount()).isLessThanOrEqualTo(options.sackBlockCount());
        int room = (40 - (hl - 20 - (opts.sackBlockCount() == 0 ? 0 : 4 + 8 * opts.sackBlockCount())) - 4) / 8;
        assertThat(opts.sackBlockCount()).isEqualTo(Math.max(0, Math.min(options.sackBlockCount(), room)));
        for (int i = 0; i < opts.sackBlockCount(); i++) {
            assertThat(opts.sackLeft(i)).isEqualTo(options.sackLeft(i));
            assertThat(opts.sackRight(i)).isEqualTo(options.sackRight(i));
        }
    }

    @Property
    void incrementalUpdateEqualsRecomputation(@ForAll @Size(min = 20, max = 20) byte[] header,
                                              @ForAll @IntRange(min = 1, max = 9) int word, @ForAll("u16") int newWord) {
        // A real IPv4 header never sums to zero (version 4 is in it), the one case where RFC 1624
        // eqn. 3 and a recomputation could disagree on 0x0000 vs 0xFFFF (RFC 1624 §3).
        header[0] = 0x45;
        Bytes.putU16(header, 10, 0);
        Bytes.putU16(header, 10, Checksum.compute(header, 0, 20));
        int at = 2 * (word == 5 ? 4 : word); // never the checksum field itself
        int oldWord = Bytes.u16(header, at);
        int updated = Checksum.update(Bytes.u16(header, 10), oldWord, newWord);
        Bytes.putU16(header, at, newWord);
        Bytes.putU16(header, 10, 0);
        assertThat(updated).isEqualTo(Checksum.compute(header, 0, 20));
    }

    @Provide
    Arbitrary<Long> macs() {
        return Arbitraries.longs().between(0, 0xFFFF_FFFF_FFFFL);
    }

    @Provide
    Arbitrary<Integer> u16() {
        return Arbitraries.integers().between(0, 0xFFFF);
    }

    @Provide
    Arbitrary<Integer> u8() {
        return Arbitraries.integers().between(0, 0xFF);
    }

    @Provide
    Arbitrary<TcpOptions> options() {
        Arbitrary<Integer> maybeU16 = Arbitraries.integers().between(-1, 0xFFFF);
        Arbitrary<Integer> maybeU8 = Arbitraries.integers().between(-1, 0xFF);
        Arbitrary<Boolean> bool = Arbitraries.of(true, false);
        Arbitrary<long[]> ts = Arbitraries.longs().array(long[].class).ofSize(2).injectNull(0.4);
        Arbitrary<int[]> blocks = Arbitraries.integers().array(int[].class).ofMaxSize(8);
        return Combinators.combine(maybeU16, maybeU8, bool, ts, blocks).as((mss, ws, sackOk, t, edges) -> {
            TcpOptions o = new TcpOptions();
            if (mss >= 0) {
                o.setMss(mss);
            }
            if (ws >= 0) {
                o.setWindowScale(ws);
            }
            o.setSackPermitted(sackOk);
            if (t != null) {
                o.setTimestamps((int) t[0], (int) t[1]);
            }
            for (int i = 0; i + 1 < edges.length; i += 2) {
                o.addSackBlock(edges[i], edges[i + 1]);
            }
            return o;
        });
    }
}
