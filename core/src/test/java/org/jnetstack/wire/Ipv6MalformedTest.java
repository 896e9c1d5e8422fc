package org.jnetstack.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jnetstack.wire.Ipv6Frames.IP;
import static org.jnetstack.wire.Ipv6Frames.PAYLOAD;

import java.util.HexFormat;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Each malformed IPv6 input (ICMPv6, NDP options, extension headers) is rejected with the right reason, never an exception. */
class Ipv6MalformedTest {
    /** A case: start from a real capture (or a hand-made chain), damage it, then run one check on it. */
    record Case(String name, String capture, Consumer<byte[]> damage, Function<byte[], Malformed> check, Malformed expected) {
        @Override
        public String toString() {
            return name;
        }
    }

    static final Consumer<byte[]> NONE = f -> { };

    static Consumer<byte[]> set8(int at, int v) {
        return f -> f[at] = (byte) v;
    }

    /** The ICMPv6 message at the end of the frame, {@code cut} bytes shorter, checked with the frame's addresses. */
    static Function<byte[], Malformed> icmp6(int at, int cut) {
        return f -> {
            Ipv6Packet ip = new Ipv6Packet().wrap(f, IP, f.length - IP);
            return new Icmpv6Message().wrap(f, at, f.length - at - cut)
                    .check(ip.sourceHi(), ip.sourceLo(), ip.destinationHi(), ip.destinationLo());
        };
    }

    /** The extension header walk over the frame's payload, {@code cut} bytes shorter. */
    static Function<byte[], Malformed> chain(int cut) {
        return f -> new Ipv6Extensions().walk(f, PAYLOAD, f.length - PAYLOAD - cut, f[IP + 6] & 0xFF);
    }

    /** The NDP options of the message at {@link Ipv6Frames#PAYLOAD}: the first reason found, or null. */
    static Function<byte[], Malformed> ndpOptions() {
        return f -> {
            int start = NdpMessage.optionsOffset(f[PAYLOAD] & 0xFF, PAYLOAD);
            NdpOptions o = new NdpOptions().reset(f, start, f.length - start);
            for (int t = o.next(); t != NdpOptions.END; t = o.next()) {
                if (t == NdpOptions.MALFORMED) {
                    return o.malformed();
                }
                if (o.optionMalformed() != null) {
                    return o.optionMalformed();
                }
            }
            return null;
        };
    }

    /** A frame: the echo request's Ethernet and IPv6 headers (payload length fixed up), next header {@code nh}, then {@code hex}. */
    static String chainFrame(int nh, String hex) {
        String eth = Ipv6Captures.ECHO_REQUEST.substring(0, 2 * IP);
        String ip = Ipv6Captures.ECHO_REQUEST.substring(2 * IP, 2 * PAYLOAD);
        int payload = hex.length() / 2;
        ip = ip.substring(0, 8) + String.format("%04x%02x", payload, nh) + ip.substring(14);
        return eth + ip + hex;
    }

    static Stream<Arguments> cases() {
        String echo = Ipv6Captures.ECHO_REQUEST;
        String ns = Ipv6Captures.NEIGHBOR_SOLICITATION;
        String ra = Ipv6Captures.ROUTER_ADVERTISEMENT;
        String mld = Ipv6Captures.MLD_REPORT;
        String last = Ipv6Captures.FRAGMENT_LAST;
        int raOpts = PAYLOAD + 16;
        int rdnss = raOpts + 32 + 8 + 8;
        int dst = Ipv6Packet.NH_DESTINATION_OPTIONS;
        int frag = Ipv6Packet.NH_FRAGMENT;
        return Stream.of(
                new Case("icmpv6 3 bytes", echo, NONE, icmp6(PAYLOAD, 21), Malformed.TRUNCATED),
                new Case("icmpv6 echo 7 bytes", echo, NONE, icmp6(PAYLOAD, 17), Malformed.TRUNCATED),
                new Case("neighbor solicitation 23 bytes", ns, NONE, icmp6(PAYLOAD, 9), Malformed.TRUNCATED),
                new Case("router advertisement 15 bytes", ra, NONE, icmp6(PAYLOAD, 88 - 15), Malformed.TRUNCATED),
                new Case("icmpv6 bad checksum", echo, set8(PAYLOAD + 9, 0x42), icmp6(PAYLOAD, 0), Malformed.BAD_CHECKSUM),
                new Case("icmpv6 cut short changes checksum", echo, NONE, icmp6(PAYLOAD, 2), Malformed.BAD_CHECKSUM),
                new Case("icmpv6 checksum over another pseudo-header", echo, set8(IP + 39, 0x0c), icmp6(PAYLOAD, 0), Malformed.BAD_CHECKSUM),
                new Case("ndp option length 0", ra, set8(raOpts + 40 + 1, 0), ndpOptions(), Malformed.BAD_OPTION),
                new Case("ndp option past the message", ra, set8(rdnss + 1, 4), ndpOptions(), Malformed.BAD_OPTION),
                new Case("ndp option one byte left", ns, NONE, f -> ndpOptions().apply(java.util.Arrays.copyOf(f, f.length - 7)), Malformed.BAD_OPTION),
                new Case("rdnss of even length", ra, set8(rdnss + 1, 2), ndpOptions(), Malformed.BAD_OPTION_LENGTH),
                new Case("rdnss of length 1", ra, set8(rdnss + 1, 1), ndpOptions(), Malformed.BAD_OPTION_LENGTH),
                new Case("prefix information of length 3", ra, set8(raOpts + 1, 3), ndpOptions(), Malformed.BAD_OPTION_LENGTH),
                new Case("mtu option of length 2", ra, set8(raOpts + 33, 2), ndpOptions(), Malformed.BAD_OPTION_LENGTH),
                new Case("hop-by-hop header 1 byte", mld, NONE, chain(35), Malformed.TRUNCATED),
                new Case("hdr ext len past the packet", mld, set8(PAYLOAD + 1, 5), chain(0), Malformed.BAD_HEADER_LENGTH),
                new Case("hdr ext len past a payload cut short", mld, NONE, chain(30), Malformed.BAD_HEADER_LENGTH),
                new Case("option length past its header", mld, set8(PAYLOAD + 3, 5), chain(0), Malformed.BAD_OPTION),
                new Case("option type as the header's last byte", mld, set8(PAYLOAD + 6, 0).andThen(set8(PAYLOAD + 7, 0x1e)),
                        chain(0), Malformed.BAD_OPTION),
                new Case("router alert of unknown action 11 elsewhere", mld, set8(PAYLOAD + 2, 0xc5), chain(0), Malformed.UNRECOGNIZED_OPTION),
                new Case("too many extension headers", chainFrame(dst, "3c00010400000000".repeat(16) + "3a00010400000000" + "80000000"),
                        NONE, chain(0), Malformed.EXTENSION_LIMIT),
                new Case("too much padding", chainFrame(dst, "3a01" + "0106000000000000" + "1e00" + "01020000"),
                        NONE, chain(0), Malformed.EXTENSION_LIMIT),
                new Case("too many options", chainFrame(dst, "3a02" + "1e00".repeat(9) + "01020000"),
                        NONE, chain(0), Malformed.EXTENSION_LIMIT),
                new Case("fragment header truncated", last, NONE, f -> new Ipv6Extensions().walk(f, PAYLOAD, 7, frag), Malformed.TRUNCATED),
                new Case("fragment header truncated in a first fragment's chain", chainFrame(dst, "2c00010400000000" + "3a000001"),
                        NONE, chain(0), Malformed.TRUNCATED),
                new Case("first fragment without its whole chain", chainFrame(frag, "3c00000100000007" + "3a01010400000000"),
                        NONE, chain(0), Malformed.INCOMPLETE_CHAIN),
                new Case("fragment length not a multiple of 8", last, set8(PAYLOAD + 3, 0x51), chain(4), Malformed.BAD_LENGTH),
                new Case("fragment beyond 65535", last, set8(PAYLOAD + 2, 0xff).andThen(set8(PAYLOAD + 3, 0xf8)), chain(0),
                        Malformed.BAD_FRAGMENT_OFFSET),
                new Case("routing type 0 with segments left", chainFrame(Ipv6Packet.NH_ROUTING,
                        "3a02000100000000" + "20010db8000000000000000000000001"), NONE, chain(0), Malformed.BAD_ROUTING_HEADER),
                new Case("hop-by-hop after destination options", chainFrame(dst, "0000010400000000" + "3a00010400000000"),
                        NONE, chain(0), Malformed.BAD_EXTENSION_ORDER),
                new Case("unknown option, action 01", chainFrame(dst, "3a005e0200000100"), NONE, chain(0), Malformed.UNRECOGNIZED_OPTION),
                new Case("unknown option, action 10", chainFrame(dst, "3a009e0200000100"), NONE, chain(0), Malformed.UNRECOGNIZED_OPTION)
        ).map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void rejectsWithTheRightReason(Case c) {
        byte[] f = HexFormat.of().parseHex(c.capture());
        c.damage().accept(f);
        assertThat(c.check().apply(f)).isEqualTo(c.expected());
    }
}
