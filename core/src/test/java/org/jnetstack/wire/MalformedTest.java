package org.jnetstack.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Each malformed input is rejected with the right reason (and never with an exception). */
class MalformedTest {
    private static final int IP = EthernetFrame.HEADER_LENGTH;

    /** A case: start from a real capture, damage it, then run one check on it. */
    record Case(String name, String capture, Consumer<byte[]> damage, Function<byte[], Malformed> check, Malformed expected) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Function<byte[], Malformed> ethernet(int len) {
        return f -> new EthernetFrame().wrap(f, 0, Math.min(len, f.length)).check();
    }

    static Function<byte[], Malformed> arp(int len) {
        return f -> new ArpPacket().wrap(f, IP, len).check();
    }

    static Function<byte[], Malformed> ipv4(int len) {
        return f -> new Ipv4Packet().wrap(f, IP, len).check();
    }

    static Function<byte[], Malformed> ipv4() {
        return f -> new Ipv4Packet().wrap(f, IP, f.length - IP).check();
    }

    static Function<byte[], Malformed> icmp(int len) {
        return f -> new IcmpMessage().wrap(f, IP + 20, len).check();
    }

    static Function<byte[], Malformed> udp(int len) {
        return f -> new UdpDatagram().wrap(f, IP + 20, len).check(Bytes.i32(f, IP + 12), Bytes.i32(f, IP + 16));
    }

    static Function<byte[], Malformed> tcp(int len) {
        return f -> new TcpSegment().wrap(f, IP + 20, len).check(Bytes.i32(f, IP + 12), Bytes.i32(f, IP + 16));
    }

    static Function<byte[], Malformed> tcp() {
        return f -> tcp(f.length - IP - 20).apply(f);
    }

    /** Changes a byte of a TCP segment, then repairs its checksum so only that byte is wrong. */
    static Consumer<byte[]> tcpBytes(int tcpOff, int... v) {
        return f -> {
            int seg = IP + 20;
            for (int i = 0; i < v.length; i++) {
                f[seg + tcpOff + i] = (byte) v[i];
            }
            TcpSegment.fillChecksum(f, seg, f.length - seg, Bytes.i32(f, IP + 12), Bytes.i32(f, IP + 16));
        };
    }

    static Consumer<byte[]> set8(int at, int v) {
        return f -> f[at] = (byte) v;
    }

    static Consumer<byte[]> set16(int at, int v) {
        return f -> Bytes.putU16(f, at, v);
    }

    /** Sets a 16-bit IPv4 header field and repairs the header checksum so only that field is wrong. */
    static Consumer<byte[]> ipField16(int fieldOff, int v) {
        return f -> {
            Bytes.putU16(f, IP + fieldOff, v);
            Bytes.putU16(f, IP + 10, 0);
            Bytes.putU16(f, IP + 10, Checksum.compute(f, IP, 20));
        };
    }

    static final Consumer<byte[]> NONE = f -> { };

    static Stream<Arguments> cases() {
        String arpReq = Captures.ARP_REQUEST;
        String echo = Captures.ICMP_ECHO_REQUEST;
        String dns = Captures.UDP_DNS_QUERY;
        String syn = Captures.TCP_SYN;
        return Stream.of(
                new Case("ethernet 13 bytes", arpReq, NONE, ethernet(13), Malformed.TRUNCATED),
                new Case("ethernet 0 bytes", arpReq, NONE, ethernet(0), Malformed.TRUNCATED),
                new Case("ethernet 802.1Q tag", arpReq, set16(12, 0x8100), ethernet(42), Malformed.VLAN_TAGGED),
                new Case("ethernet 802.1ad tag", arpReq, set16(12, 0x88A8), ethernet(42), Malformed.VLAN_TAGGED),
                new Case("arp 27 bytes", arpReq, NONE, arp(27), Malformed.TRUNCATED),
                new Case("arp htype 6", arpReq, set16(IP, 6), arp(28), Malformed.UNSUPPORTED_FORMAT),
                new Case("arp ptype ipv6", arpReq, set16(IP + 2, 0x86DD), arp(28), Malformed.UNSUPPORTED_FORMAT),
                new Case("arp hlen 8", arpReq, set8(IP + 4, 8), arp(28), Malformed.UNSUPPORTED_FORMAT),
                new Case("arp plen 16", arpReq, set8(IP + 5, 16), arp(28), Malformed.UNSUPPORTED_FORMAT),
                new Case("arp op 0", arpReq, set16(IP + 6, 0), arp(28), Malformed.BAD_OPERATION),
                new Case("arp op 3 (rarp)", arpReq, set16(IP + 6, 3), arp(28), Malformed.BAD_OPERATION),
                new Case("ipv4 19 bytes", echo, NONE, ipv4(19), Malformed.TRUNCATED),
                new Case("ipv4 version 6", echo, set8(IP, 0x65), ipv4(), Malformed.BAD_VERSION),
                new Case("ipv4 IHL 4", echo, set8(IP, 0x44), ipv4(), Malformed.BAD_HEADER_LENGTH),
                new Case("ipv4 IHL 0", echo, set8(IP, 0x40), ipv4(), Malformed.BAD_HEADER_LENGTH),
                new Case("ipv4 IHL beyond buffer", echo, set8(IP, 0x4F), ipv4(44), Malformed.BAD_HEADER_LENGTH),
                new Case("ipv4 total length beyond frame", echo, ipField16(2, 45), ipv4(), Malformed.BAD_TOTAL_LENGTH),
                new Case("ipv4 total length below header", echo, ipField16(2, 19), ipv4(), Malformed.BAD_TOTAL_LENGTH),
                new Case("ipv4 frame cut short", echo, NONE, ipv4(43), Malformed.BAD_TOTAL_LENGTH),
                new Case("ipv4 bad checksum", echo, set8(IP + 8, 63), ipv4(), Malformed.BAD_CHECKSUM),
                new Case("ipv4 fragment offset overflow", echo, ipField16(6, 0x1FFF), ipv4(), Malformed.BAD_FRAGMENT_OFFSET),
                new Case("icmp 7 bytes", echo, NONE, icmp(7), Malformed.TRUNCATED),
                new Case("icmp bad checksum", echo, set8(IP + 20 + 8, 0x42), icmp(24), Malformed.BAD_CHECKSUM),
                new Case("icmp cut short changes checksum", echo, NONE, icmp(18), Malformed.BAD_CHECKSUM),
                new Case("udp 7 bytes", dns, NONE, udp(7), Malformed.TRUNCATED),
                new Case("udp length 7", dns, set16(IP + 24, 7), udp(37), Malformed.BAD_LENGTH),
                new Case("udp length beyond ip payload", dns, set16(IP + 24, 38), udp(37), Malformed.BAD_LENGTH),
                new Case("udp bad checksum", dns, set8(IP + 30, 0x77), udp(37), Malformed.BAD_CHECKSUM),
                new Case("tcp 19 bytes", syn, NONE, tcp(19), Malformed.TRUNCATED),
                new Case("tcp data offset 4", syn, tcpBytes(12, 0x40), tcp(), Malformed.BAD_HEADER_LENGTH),
                new Case("tcp data offset 0", syn, tcpBytes(12, 0x00), tcp(), Malformed.BAD_HEADER_LENGTH),
                new Case("tcp data offset beyond segment", syn, tcpBytes(12, 0xB0), tcp(), Malformed.BAD_HEADER_LENGTH),
                new Case("tcp options cut off by ip length", syn, NONE, tcp(39), Malformed.BAD_HEADER_LENGTH),
                new Case("tcp bad checksum", syn, set8(IP + 20 + 14, 0x12), tcp(), Malformed.BAD_CHECKSUM),
                new Case("tcp option length 0", syn, tcpBytes(21, 0), tcp(), Malformed.BAD_OPTION),
                new Case("tcp option length 1", syn, tcpBytes(21, 1), tcp(), Malformed.BAD_OPTION),
                new Case("tcp option overrunning header", syn, tcpBytes(38, 4), tcp(), Malformed.BAD_OPTION),
                new Case("tcp option length reaching one past the header", syn, tcpBytes(21, 21), tcp(), Malformed.BAD_OPTION),
                new Case("tcp option kind as last byte", syn, tcpBytes(37, 1, 1, 2), tcp(), Malformed.BAD_OPTION)
        ).map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void rejectsWithTheRightReason(Case c) {
        byte[] f = Captures.bytes(c.capture());
        c.damage().accept(f);
        assertThat(c.check().apply(f)).isEqualTo(c.expected());
    }
}

