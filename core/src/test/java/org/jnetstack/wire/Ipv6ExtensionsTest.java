package org.jnetstack.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.jnetstack.wire.Ipv6Frames.PAYLOAD;

import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The extension header walk (RFC 8200 §4) on Linux captures and on hand-made chains. */
class Ipv6ExtensionsTest {
    private static final int HBH = Ipv6Packet.NH_HOP_BY_HOP;
    private static final int DST = Ipv6Packet.NH_DESTINATION_OPTIONS;
    private static final int RT = Ipv6Packet.NH_ROUTING;
    private static final int FRAG = Ipv6Packet.NH_FRAGMENT;
    private static final int ICMP = Ipv6Packet.NH_ICMPV6;
    private final Ipv6Extensions ext = new Ipv6Extensions();

    /** A packet: 40 zero bytes of fixed header, then {@code hex}; walked from byte 40, so offsets equal pointers. */
    private Malformed walk(int first, String hex) {
        byte[] chain = HexFormat.of().parseHex(hex);
        byte[] p = new byte[40 + chain.length];
        System.arraycopy(chain, 0, p, 40, chain.length);
        return ext.walk(p, 40, chain.length, first);
    }

    @Test
    void mldReportCarriesHopByHopRouterAlertThenIcmpv6() {
        byte[] f = Ipv6Captures.bytes(Ipv6Captures.MLD_REPORT);
        Ipv6Packet ip = Ipv6Frames.ip(f);
        assertThat(ext.walk(f, PAYLOAD, ip.payloadLength(), ip.nextHeader())).isNull();
        assertThat(ext.routerAlert()).isTrue();
        assertThat(ext.routerAlertValue()).isEqualTo(Ipv6Extensions.ROUTER_ALERT_MLD);
        assertThat(ext.upperProtocol()).isEqualTo(ICMP);
        assertThat(ext.upperOffset()).isEqualTo(PAYLOAD + 8);
        assertThat(ext.upperNextHeaderPointer()).isEqualTo(40);
        assertThat(ext.headerCount()).isEqualTo(1);
        assertThat(ext.hasFragment()).isFalse();
        assertThat(ext.problemCode()).isEqualTo(-1);
        assertThat(ext.problemPointer()).isEqualTo(-1);

        byte[] built = new byte[8];
        assertThat(Ipv6Extensions.writeHopByHopRouterAlert(built, 0, ICMP)).isEqualTo(8);
        assertThat(built).isEqualTo(Arrays.copyOfRange(f, PAYLOAD, PAYLOAD + 8));
    }

    @Test
    void noExtensionHeaders() {
        byte[] f = Ipv6Captures.bytes(Ipv6Captures.ECHO_REQUEST);
        Ipv6Packet ip = Ipv6Frames.ip(f);
        assertThat(ext.walk(f, PAYLOAD, ip.payloadLength(), ip.nextHeader())).isNull();
        assertThat(ext.upperProtocol()).isEqualTo(ICMP);
        assertThat(ext.upperOffset()).isEqualTo(PAYLOAD);
        assertThat(ext.upperNextHeaderPointer()).isEqualTo(6);
        assertThat(ext.headerCount()).isZero();
        assertThat(ext.routerAlert()).isFalse();
        assertThat(ext.routerAlertValue()).isEqualTo(-1);
        assertThat(ext.unfragmentableEnd()).isEqualTo(-1);
        assertThat(ext.fragmentDataOffset()).isEqualTo(-1);
    }

    @Test
    void linuxFirstAndLastFragments() {
        byte[] first = Ipv6Captures.bytes(Ipv6Captures.FRAGMENT_FIRST);
        Ipv6Packet ip = Ipv6Frames.ip(first);
        assertThat(first.length).isEqualTo(1510);
        assertThat(ext.walk(first, PAYLOAD, ip.payloadLength(), ip.nextHeader())).isNull();
        assertThat(ext.hasFragment()).isTrue();
        assertThat(ext.atomicFragment()).isFalse();
        assertThat(ext.fragmentHeaderOffset()).isEqualTo(PAYLOAD);
        assertThat(ext.unfragmentableEnd()).isEqualTo(PAYLOAD);
        assertThat(ext.fragmentDataOffset()).isEqualTo(PAYLOAD + 8);
        assertThat(ext.fragmentOffset()).isZero();
        assertThat(ext.moreFragments()).isTrue();
        assertThat(ext.fragmentId()).isEqualTo(0xffcd5a71L);
        // The first fragment holds the whole chain: the walk reaches the ICMPv6 echo header.
        assertThat(ext.upperProtocol()).isEqualTo(ICMP);
        assertThat(ext.upperOffset()).isEqualTo(PAYLOAD + 8);
        assertThat(ext.chainIncomplete()).isFalse();
        assertThat(Bytes.u8(first, ext.upperOffset())).isEqualTo(Icmpv6Message.TYPE_ECHO_REQUEST);
        byte[] built = new byte[8];
        Ipv6Extensions.writeFragmentHeader(built, 0, ICMP, 0, true, 0xffcd5a71);
        assertThat(built).isEqualTo(Arrays.copyOfRange(first, PAYLOAD, PAYLOAD + 8));

        byte[] last = Ipv6Captures.bytes(Ipv6Captures.FRAGMENT_LAST);
        ip = Ipv6Frames.ip(last);
        assertThat(ext.walk(last, PAYLOAD, ip.payloadLength(), ip.nextHeader())).isNull();
        assertThat(ext.fragmentOffset()).isEqualTo(2896);
        assertThat(ext.moreFragments()).isFalse();
        assertThat(ext.atomicFragment()).isFalse();
        assertThat(ext.fragmentId()).isEqualTo(0xffcd5a71L);
        // Past a non-first fragment's header lie data: not walked.
        assertThat(ext.upperProtocol()).isEqualTo(ICMP);
        assertThat(ext.upperOffset()).isEqualTo(PAYLOAD + 8);
        Ipv6Extensions.writeFragmentHeader(built, 0, ICMP, 2896, false, 0xffcd5a71);
        assertThat(built).isEqualTo(Arrays.copyOfRange(last, PAYLOAD, PAYLOAD + 8));
        assertThatThrownBy(() -> Ipv6Extensions.writeFragmentHeader(new byte[8], 0, ICMP, 12, false, 1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void atomicFragmentIsReportedAndItsChainWalked() {
        // RFC 6946: offset 0, M=0, then a Destination Options header (PadN) and ICMPv6.
        assertThat(walk(FRAG, "3c00000000001234" + "3a00010400000000" + "80000000")).isNull();
        assertThat(ext.hasFragment()).isTrue();
        assertThat(ext.atomicFragment()).isTrue();
        assertThat(ext.fragmentOffset()).isZero();
        assertThat(ext.moreFragments()).isFalse();
        assertThat(ext.fragmentId()).isEqualTo(0x1234);
        assertThat(ext.upperProtocol()).isEqualTo(ICMP);
        assertThat(ext.upperOffset()).isEqualTo(56);
        assertThat(ext.upperNextHeaderPointer()).isEqualTo(48);
        assertThat(ext.headerCount()).isEqualTo(2);
    }

    @Test
    void routingHeaderWithSegmentsLeftIsRefusedPointingAtItsType() {
        // RFC 5095: type 0 with 1 segment left, one address: code 0, pointer at the routing type (40 + 2).
        assertThat(walk(RT, "3a02000100000000" + "20010db8000000000000000000000001" + "80000000"))
                .isEqualTo(Malformed.BAD_ROUTING_HEADER);
        assertThat(ext.problemCode()).isEqualTo(Icmpv6Message.CODE_ERRONEOUS_HEADER);
        assertThat(ext.problemPointer()).isEqualTo(42);
        assertThat(ext.silentDrop()).isFalse();
        // Any other type with segments left: the same (RFC 8200 §4.4).
        assertThat(walk(RT, "3a00040100000000" + "80000000")).isEqualTo(Malformed.BAD_ROUTING_HEADER);
        assertThat(ext.problemPointer()).isEqualTo(42);
        // Segments left 0: ignored, whatever the type (RFC 8200 §4.4), type 0 too.
        assertThat(walk(RT, "3a02000000000000" + "20010db8000000000000000000000001" + "80000000")).isNull();
        assertThat(ext.upperProtocol()).isEqualTo(ICMP);
        assertThat(ext.upperOffset()).isEqualTo(64);
        assertThat(walk(RT, "3a00fd0000000000" + "80000000")).isNull();
        assertThat(ext.problemCode()).isEqualTo(-1);
    }

    @Test
    void unknownOptionsFollowTheirActionBits() {
        // 00: skipped.
        assertThat(walk(DST, "3a001e0200000100" + "80000000")).isNull();
        assertThat(ext.upperProtocol()).isEqualTo(ICMP);
        // 01: discarded silently.
        assertThat(walk(DST, "3a005e0200000100" + "80000000")).isEqualTo(Malformed.UNRECOGNIZED_OPTION);
        assertThat(ext.silentDrop()).isTrue();
        assertThat(ext.problemCode()).isEqualTo(-1);
        // 10: Parameter Problem code 2 at the option type, even to multicast.
        assertThat(walk(DST, "3a0001009e020000" + "80000000")).isEqualTo(Malformed.UNRECOGNIZED_OPTION);
        assertThat(ext.silentDrop()).isFalse();
        assertThat(ext.problemCode()).isEqualTo(Icmpv6Message.CODE_UNRECOGNIZED_OPTION);
        assertThat(ext.problemPointer()).isEqualTo(44);
        assertThat(ext.sendProblemToMulticast()).isTrue();
        // 11: the same, but not to multicast.
        assertThat(walk(HBH, "3a00de0200000100" + "80000000")).isEqualTo(Malformed.UNRECOGNIZED_OPTION);
        assertThat(ext.problemPointer()).isEqualTo(42);
        assertThat(ext.sendProblemToMulticast()).isFalse();
        // A Router Alert outside Hop-by-Hop is an unknown option of action 00: skipped, not reported.
        assertThat(walk(DST, "3a00050200000100" + "80000000")).isNull();
        assertThat(ext.routerAlert()).isFalse();
    }

    @Test
    void hopByHopAnywhereButFirstIsAnUnrecognizedNextHeader() {
        // Destination Options, then Hop-by-Hop: code 1 pointing at the Destination Options' next header (40).
        assertThat(walk(DST, "0000010400000000" + "3a00010400000000" + "80000000")).isEqualTo(Malformed.BAD_EXTENSION_ORDER);
        assertThat(ext.problemCode()).isEqualTo(Icmpv6Message.CODE_UNRECOGNIZED_NEXT_HEADER);
        assertThat(ext.problemPointer()).isEqualTo(40);
    }

    @Test
    void limitsOnHeadersOptionsAndPadding() {
        String dst = "3c00010400000000";
        assertThat(walk(DST, dst.repeat(Ipv6Extensions.MAX_HEADERS - 1) + "3a00010400000000" + "80000000")).isNull();
        assertThat(ext.headerCount()).isEqualTo(Ipv6Extensions.MAX_HEADERS);
        assertThat(walk(DST, dst.repeat(Ipv6Extensions.MAX_HEADERS) + "3a00010400000000" + "80000000"))
                .isEqualTo(Malformed.EXTENSION_LIMIT);
        // Eight skippable options are fine, nine are too many (3 units: 2 + 8 or 9 * 2 + PadN of 6 or 4 bytes).
        assertThat(walk(DST, "3a02" + "1e00".repeat(8) + "010400000000" + "80000000")).isNull();
        assertThat(walk(DST, "3a02" + "1e00".repeat(9) + "01020000" + "80000000")).isEqualTo(Malformed.EXTENSION_LIMIT);
        // Seven bytes of padding in a row are fine, eight are not: Pad1 x 6, and PadN of 8 bytes.
        assertThat(walk(DST, "3a00000000000000" + "80000000")).isNull();
        assertThat(walk(DST, "3a01" + "0106000000000000" + "1e00" + "01020000" + "80000000")).isEqualTo(Malformed.EXTENSION_LIMIT);
        assertThat(walk(DST, "3a01" + "00" + "01050000000000" + "1e00" + "01020000" + "80000000"))
                .isEqualTo(Malformed.EXTENSION_LIMIT);
        assertThat(walk(DST, "3a01" + "01050000000000" + "1e00" + "0103000000" + "80000000")).isNull();
    }

    @Test
    void firstFragmentMustHoldTheWholeChain() {
        // RFC 7112: offset 0, M=1, then a Destination Options header claiming 16 bytes of which 8 are here.
        assertThat(walk(FRAG, "3c00000100000007" + "3a01010400000000")).isEqualTo(Malformed.INCOMPLETE_CHAIN);
        assertThat(ext.chainIncomplete()).isTrue();
        assertThat(ext.problemCode()).isEqualTo(Icmpv6Message.CODE_INCOMPLETE_CHAIN);
        assertThat(ext.problemPointer()).isZero();
        assertThat(ext.hasFragment()).isTrue();
        // ... or a TCP header cut short (8 of its 20 bytes).
        assertThat(walk(FRAG, "0600000100000007" + "0050005000000000")).isEqualTo(Malformed.INCOMPLETE_CHAIN);
        assertThat(ext.chainIncomplete()).isTrue();
        // The same bytes as the last fragment (M=0): only malformed, no RFC 7112 verdict.
        assertThat(walk(FRAG, "3c00000000000007" + "3a01010400000000")).isEqualTo(Malformed.BAD_HEADER_LENGTH);
        assertThat(ext.chainIncomplete()).isFalse();
        assertThat(ext.problemCode()).isEqualTo(-1);
    }

    @Test
    void fragmentLengthAndOffsetRules() {
        // RFC 8200 §4.5: M=1 and 4 bytes of data (not a multiple of 8): code 0 at the payload length (4).
        assertThat(walk(FRAG, "3a00000100000001" + "80000000")).isEqualTo(Malformed.BAD_LENGTH);
        assertThat(ext.problemCode()).isZero();
        assertThat(ext.problemPointer()).isEqualTo(4);
        // Offset 65528 plus 16 bytes: beyond 65535, code 0 at the fragment offset field (40 + 2).
        assertThat(walk(FRAG, "3a00fff800000001" + "00".repeat(16))).isEqualTo(Malformed.BAD_FRAGMENT_OFFSET);
        assertThat(ext.problemPointer()).isEqualTo(42);
        assertThat(walk(FRAG, "3a00fff000000001" + "00".repeat(8))).isNull();
    }

    @Test
    void noNextHeaderEndsTheChain() {
        assertThat(walk(DST, "3b00010400000000" + "deadbeef")).isNull();
        assertThat(ext.upperProtocol()).isEqualTo(Ipv6Packet.NH_NONE);
        assertThat(ext.upperOffset()).isEqualTo(48);
    }

    @Test
    void authenticationHeaderLengthIsInFourByteUnits() {
        // RFC 4302 §2.2: payload len 4 -> (4 + 2) * 4 = 24 bytes.
        assertThat(walk(Ipv6Packet.NH_AH, "3a040000" + "00".repeat(20) + "80000000")).isNull();
        assertThat(ext.upperOffset()).isEqualTo(64);
        assertThat(walk(Ipv6Packet.NH_AH, "3a040000" + "00".repeat(16))).isEqualTo(Malformed.BAD_HEADER_LENGTH);
    }
}
