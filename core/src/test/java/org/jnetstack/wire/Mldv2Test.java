package org.jnetstack.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jnetstack.wire.Ipv6Frames.PAYLOAD;

import org.junit.jupiter.api.Test;

/** MLDv2 (RFC 3810) against Linux captures: reports rebuilt byte for byte, a bridge querier's query read. */
class Mldv2Test {
    private final Icmpv6Message m = new Icmpv6Message();
    private final Ipv6Extensions ext = new Ipv6Extensions();

    /** Walks the capture's chain and checks the ICMPv6 message after it. */
    private int icmpAfterChain(byte[] f) {
        Ipv6Packet ip = Ipv6Frames.ip(f);
        assertThat(ip.hopLimit()).isEqualTo(Mldv2.HOP_LIMIT);
        assertThat(ext.walk(f, PAYLOAD, ip.payloadLength(), ip.nextHeader())).isNull();
        assertThat(ext.routerAlertValue()).isEqualTo(Ipv6Extensions.ROUTER_ALERT_MLD);
        assertThat(ext.upperProtocol()).isEqualTo(Ipv6Packet.NH_ICMPV6);
        assertThat(Ipv6Frames.icmpCheck(m, f, ext.upperOffset())).isNull();
        return ext.upperOffset();
    }

    @Test
    void reportOnInterfaceUpRebuildsByteForByte() {
        byte[] f = Ipv6Captures.bytes(Ipv6Captures.MLD_REPORT);
        Ipv6Packet ip = Ipv6Frames.ip(f);
        assertThat(ip.destinationHi()).isEqualTo(Ipv6Address.ALL_MLDV2_ROUTERS.hi());
        assertThat(ip.destinationLo()).isEqualTo(Ipv6Address.ALL_MLDV2_ROUTERS.lo());
        int icmp = icmpAfterChain(f);
        assertThat(m.type()).isEqualTo(Icmpv6Message.TYPE_MLDV2_REPORT);
        assertThat(Bytes.u16(f, icmp + 6)).as("records").isEqualTo(1);
        assertThat(Bytes.u8(f, icmp + 8)).isEqualTo(Mldv2.RECORD_CHANGE_TO_EXCLUDE);

        byte[] built = Ipv6Frames.headersOf(f);
        int n = Ipv6Extensions.writeHopByHopRouterAlert(built, PAYLOAD, Ipv6Packet.NH_ICMPV6);
        long[] groups = {Ipv6Address.solicitedNodeHi(), Ipv6Address.solicitedNodeLo(Ipv6Captures.A_LO)};
        assertThat(Mldv2.writeReport(built, PAYLOAD + n, Mldv2.RECORD_CHANGE_TO_EXCLUDE, groups, 1)).isEqualTo(28);
        Ipv6Frames.icmpChecksum(built, PAYLOAD + n);
        assertThat(built).isEqualTo(f);
    }

    @Test
    void reportWithThreeRecords() {
        byte[] f = Ipv6Captures.bytes(Ipv6Captures.MLD_REPORT_3);
        int icmp = icmpAfterChain(f);
        assertThat(Bytes.u16(f, icmp + 6)).as("records").isEqualTo(3);
        long sn = Ipv6Address.solicitedNodeHi();
        long[] groups = {Ipv6Address.ALL_ROUTERS.hi(), Ipv6Address.ALL_ROUTERS.lo(),
            sn, Ipv6Address.solicitedNodeLo(1), sn, Ipv6Address.solicitedNodeLo(Ipv6Captures.B_LO), 0, 0};
        byte[] built = Ipv6Frames.headersOf(f);
        java.util.Arrays.fill(built, PAYLOAD, built.length, (byte) 0x55);
        int n = Ipv6Extensions.writeHopByHopRouterAlert(built, PAYLOAD, Ipv6Packet.NH_ICMPV6);
        // Only groupCount records are written, whatever the array holds beyond.
        assertThat(Mldv2.writeReport(built, PAYLOAD + n, Mldv2.RECORD_CHANGE_TO_EXCLUDE, groups, 3)).isEqualTo(68);
        Ipv6Frames.icmpChecksum(built, PAYLOAD + n);
        assertThat(built).isEqualTo(f);
    }

    @Test
    void bridgeQueriersGeneralQuery() {
        byte[] f = Ipv6Captures.bytes(Ipv6Captures.MLD_QUERY);
        int icmp = icmpAfterChain(f);
        assertThat(m.type()).isEqualTo(Icmpv6Message.TYPE_MLD_QUERY);
        assertThat(m.length()).as("an MLDv2 query (RFC 3810 §8.1)").isGreaterThanOrEqualTo(Mldv2.QUERY_LENGTH);
        assertThat(Mldv2.queryMaxResponseDelayMillis(f, icmp)).isEqualTo(10000);
        assertThat(Mldv2.queryGroupHi(f, icmp)).isZero();
        assertThat(Mldv2.queryGroupLo(f, icmp)).isZero();
    }

    @Test
    void floatingPointCodesDecodeAsRfc3810Says() {
        byte[] q = new byte[28];
        // §5.1.3: 0xFFFF is the largest delay, (0xFFF | 0x1000) << 10 = 8387584 ms.
        Bytes.putU16(q, 4, 0xFFFF);
        assertThat(Mldv2.queryMaxResponseDelayMillis(q, 0)).isEqualTo(8_387_584);
        // 0x8000: mant 0, exp 0 -> 0x1000 << 3 = 32768 ms, continuing the linear range.
        Bytes.putU16(q, 4, 0x8000);
        assertThat(Mldv2.queryMaxResponseDelayMillis(q, 0)).isEqualTo(32_768);
        Bytes.putU16(q, 4, 0x7FFF);
        assertThat(Mldv2.queryMaxResponseDelayMillis(q, 0)).isEqualTo(32_767);
    }

    @Test
    void dadSolicitationHasNoSourceAddressOptionAndANonceWeStepOver() {
        byte[] f = Ipv6Captures.bytes(Ipv6Captures.DAD_NEIGHBOR_SOLICITATION);
        Ipv6Packet ip = Ipv6Frames.ip(f);
        assertThat(Ipv6Address.isUnspecified(ip.sourceHi(), ip.sourceLo())).isTrue();
        assertThat(Ipv6Frames.icmpCheck(m, f, PAYLOAD)).isNull();
        assertThat(NdpMessage.targetLo(f, PAYLOAD)).isEqualTo(Ipv6Captures.B_LO);
        NdpOptions opts = new NdpOptions();
        opts.reset(f, PAYLOAD + 24, f.length - PAYLOAD - 24);
        assertThat(opts.next()).isEqualTo(14);
        assertThat(opts.optionMalformed()).isNull();
        assertThat(opts.next()).isEqualTo(NdpOptions.END);
        // Our DAD probe (no source link-layer option) plus the kernel's nonce option is the kernel's message.
        byte[] built = Ipv6Frames.headersOf(f);
        assertThat(NdpWriter.writeNeighborSolicitation(built, PAYLOAD, Ipv6Captures.B_HI, Ipv6Captures.B_LO, -1)).isEqualTo(24);
        System.arraycopy(f, PAYLOAD + 24, built, PAYLOAD + 24, 8);
        Ipv6Frames.icmpChecksum(built, PAYLOAD);
        assertThat(built).isEqualTo(f);
    }
}
