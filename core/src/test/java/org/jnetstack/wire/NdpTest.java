package org.jnetstack.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.jnetstack.wire.Ipv6Frames.PAYLOAD;

import org.junit.jupiter.api.Test;

/** Neighbor Discovery (RFC 4861, RFC 8106) against Linux and dnsmasq captures: parse, and rebuild byte for byte. */
class NdpTest {
    private final Icmpv6Message m = new Icmpv6Message();
    private final NdpOptions opts = new NdpOptions();

    private int optionsOf(byte[] f) {
        int start = NdpMessage.optionsOffset(m.type(), PAYLOAD);
        opts.reset(f, start, f.length - start);
        return start;
    }

    @Test
    void neighborSolicitationToTheSolicitedNodeGroup() {
        byte[] f = Ipv6Captures.bytes(Ipv6Captures.NEIGHBOR_SOLICITATION);
        Ipv6Packet ip = Ipv6Frames.ip(f);
        assertThat(ip.hopLimit()).isEqualTo(NdpMessage.HOP_LIMIT);
        assertThat(ip.destinationHi()).isEqualTo(Ipv6Address.solicitedNodeHi());
        assertThat(ip.destinationLo()).isEqualTo(Ipv6Address.solicitedNodeLo(Ipv6Captures.B_LO));
        assertThat(Ipv6Frames.icmpCheck(m, f, PAYLOAD)).isNull();
        assertThat(m.type()).isEqualTo(Icmpv6Message.TYPE_NEIGHBOR_SOLICITATION);
        assertThat(NdpMessage.targetHi(f, PAYLOAD)).isEqualTo(Ipv6Captures.B_HI);
        assertThat(NdpMessage.targetLo(f, PAYLOAD)).isEqualTo(Ipv6Captures.B_LO);
        assertThat(optionsOf(f)).isEqualTo(PAYLOAD + 24);
        assertThat(opts.next()).isEqualTo(NdpOptions.TYPE_SOURCE_LL);
        assertThat(opts.optionMalformed()).isNull();
        assertThat(opts.offset()).isEqualTo(PAYLOAD + 24);
        assertThat(opts.length()).isEqualTo(8);
        assertThat(opts.linkLayerAddress()).isEqualTo(Ipv6Captures.A_MAC);
        // Another type's readers stay inside this 8-byte option, the last bytes of the frame.
        assertThat(opts.prefixLo()).isZero();
        assertThat(opts.rdnssLifetime()).isZero();
        assertThat(opts.rdnssCount()).isZero();
        assertThat(opts.mtu()).isZero();
        assertThat(opts.next()).isEqualTo(NdpOptions.END);
        assertThat(opts.malformed()).isNull();

        byte[] built = Ipv6Frames.headersOf(f);
        int n = NdpWriter.writeNeighborSolicitation(built, PAYLOAD, Ipv6Captures.B_HI, Ipv6Captures.B_LO, Ipv6Captures.A_MAC);
        assertThat(n).isEqualTo(32);
        Ipv6Frames.icmpChecksum(built, PAYLOAD);
        assertThat(built).isEqualTo(f);
    }

    @Test
    void unicastSolicitationAndItsAdvertisementWithoutTargetAddress() {
        byte[] ns = Ipv6Captures.bytes(Ipv6Captures.NEIGHBOR_SOLICITATION_UNICAST);
        assertThat(Ipv6Frames.icmpCheck(m, ns, PAYLOAD)).isNull();
        assertThat(NdpMessage.targetLo(ns, PAYLOAD)).isEqualTo(Ipv6Captures.A_LO);
        byte[] built = Ipv6Frames.headersOf(ns);
        NdpWriter.writeNeighborSolicitation(built, PAYLOAD, Ipv6Captures.A_HI, Ipv6Captures.A_LO, Ipv6Captures.B_MAC);
        Ipv6Frames.icmpChecksum(built, PAYLOAD);
        assertThat(built).isEqualTo(ns);

        byte[] na = Ipv6Captures.bytes(Ipv6Captures.NEIGHBOR_ADVERTISEMENT_NO_TLL);
        assertThat(Ipv6Frames.icmpCheck(m, na, PAYLOAD)).isNull();
        assertThat(NdpMessage.naRouter(na, PAYLOAD)).isFalse();
        assertThat(NdpMessage.naSolicited(na, PAYLOAD)).isTrue();
        assertThat(NdpMessage.naOverride(na, PAYLOAD)).isFalse();
        optionsOf(na);
        assertThat(opts.next()).isEqualTo(NdpOptions.END);
        built = Ipv6Frames.headersOf(na);
        assertThat(NdpWriter.writeNeighborAdvertisement(built, PAYLOAD, false, true, false,
                Ipv6Captures.A_HI, Ipv6Captures.A_LO, -1)).isEqualTo(24);
        Ipv6Frames.icmpChecksum(built, PAYLOAD);
        assertThat(built).isEqualTo(na);
    }

    @Test
    void neighborAdvertisementWithTargetAddress() {
        byte[] f = Ipv6Captures.bytes(Ipv6Captures.NEIGHBOR_ADVERTISEMENT);
        assertThat(Ipv6Frames.icmpCheck(m, f, PAYLOAD)).isNull();
        assertThat(m.type()).isEqualTo(Icmpv6Message.TYPE_NEIGHBOR_ADVERTISEMENT);
        assertThat(NdpMessage.naRouter(f, PAYLOAD)).isFalse();
        assertThat(NdpMessage.naSolicited(f, PAYLOAD)).isTrue();
        assertThat(NdpMessage.naOverride(f, PAYLOAD)).isTrue();
        assertThat(NdpMessage.targetLo(f, PAYLOAD)).isEqualTo(Ipv6Captures.B_LO);
        optionsOf(f);
        assertThat(opts.next()).isEqualTo(NdpOptions.TYPE_TARGET_LL);
        assertThat(opts.linkLayerAddress()).isEqualTo(Ipv6Captures.B_MAC);
        assertThat(opts.next()).isEqualTo(NdpOptions.END);

        byte[] built = Ipv6Frames.headersOf(f);
        java.util.Arrays.fill(built, PAYLOAD, built.length, (byte) 0xEE); // reserved bytes must be cleared
        NdpWriter.writeNeighborAdvertisement(built, PAYLOAD, false, true, true, Ipv6Captures.B_HI, Ipv6Captures.B_LO,
                Ipv6Captures.B_MAC);
        Ipv6Frames.icmpChecksum(built, PAYLOAD);
        assertThat(built).isEqualTo(f);

        NdpWriter.writeNeighborAdvertisement(built, PAYLOAD, true, false, false, 1, 2, -1);
        assertThat(NdpMessage.naRouter(built, PAYLOAD)).isTrue();
        assertThat(NdpMessage.naSolicited(built, PAYLOAD)).isFalse();
        assertThat(NdpMessage.naOverride(built, PAYLOAD)).isFalse();
    }

    @Test
    void routerSolicitation() {
        byte[] f = Ipv6Captures.bytes(Ipv6Captures.ROUTER_SOLICITATION);
        assertThat(Ipv6Frames.icmpCheck(m, f, PAYLOAD)).isNull();
        assertThat(m.type()).isEqualTo(Icmpv6Message.TYPE_ROUTER_SOLICITATION);
        assertThat(optionsOf(f)).isEqualTo(PAYLOAD + 8);
        assertThat(opts.next()).isEqualTo(NdpOptions.TYPE_SOURCE_LL);
        assertThat(opts.linkLayerAddress()).isEqualTo(Ipv6Captures.A_MAC);
        assertThat(opts.next()).isEqualTo(NdpOptions.END);
        byte[] built = Ipv6Frames.headersOf(f);
        assertThat(NdpWriter.writeRouterSolicitation(built, PAYLOAD, Ipv6Captures.A_MAC)).isEqualTo(16);
        Ipv6Frames.icmpChecksum(built, PAYLOAD);
        assertThat(built).isEqualTo(f);
        assertThat(NdpWriter.writeRouterSolicitation(built, PAYLOAD, -1)).isEqualTo(8);
    }

    @Test
    void dnsmasqRouterAdvertisementParsesAndRebuilds() {
        byte[] f = Ipv6Captures.bytes(Ipv6Captures.ROUTER_ADVERTISEMENT);
        assertThat(Ipv6Frames.ip(f).hopLimit()).isEqualTo(255);
        assertThat(Ipv6Frames.icmpCheck(m, f, PAYLOAD)).isNull();
        assertThat(m.type()).isEqualTo(Icmpv6Message.TYPE_ROUTER_ADVERTISEMENT);
        assertThat(NdpMessage.raCurHopLimit(f, PAYLOAD)).isEqualTo(64);
        assertThat(NdpMessage.raManaged(f, PAYLOAD)).isFalse();
        assertThat(NdpMessage.raOther(f, PAYLOAD)).isFalse();
        assertThat(NdpMessage.raRouterLifetime(f, PAYLOAD)).isEqualTo(1800);
        assertThat(NdpMessage.raReachableTime(f, PAYLOAD)).isZero();
        assertThat(NdpMessage.raRetransTimer(f, PAYLOAD)).isZero();
        long db8Hi = Ipv6Address.parse("2001:db8:1::").hi();
        assertThat(optionsOf(f)).isEqualTo(PAYLOAD + 16);
        assertThat(opts.next()).isEqualTo(NdpOptions.TYPE_PREFIX_INFO);
        assertThat(opts.optionMalformed()).isNull();
        assertThat(opts.prefixLength()).isEqualTo(64);
        assertThat(opts.onLink()).isTrue();
        assertThat(opts.autonomous()).isTrue();
        assertThat(opts.validLifetime()).isEqualTo(3600);
        assertThat(opts.preferredLifetime()).isEqualTo(3600);
        assertThat(opts.prefixHi()).isEqualTo(db8Hi);
        assertThat(opts.prefixLo()).isZero();
        assertThat(opts.next()).isEqualTo(NdpOptions.TYPE_MTU);
        assertThat(opts.mtu()).isEqualTo(1480);
        assertThat(opts.next()).isEqualTo(NdpOptions.TYPE_SOURCE_LL);
        assertThat(opts.linkLayerAddress()).isEqualTo(Ipv6Captures.B_MAC);
        assertThat(opts.next()).isEqualTo(NdpOptions.TYPE_RDNSS);
        assertThat(opts.optionMalformed()).isNull();
        assertThat(opts.rdnssLifetime()).isEqualTo(3600);
        assertThat(opts.rdnssCount()).isEqualTo(1);
        assertThat(opts.rdnssHi(0)).isEqualTo(db8Hi);
        assertThat(opts.rdnssLo(0)).isEqualTo(0x53);
        assertThat(opts.rdnssHi(1)).isZero();
        assertThat(opts.next()).isEqualTo(NdpOptions.END);

        NdpWriter.RouterAdvertisement ra = new NdpWriter.RouterAdvertisement().curHopLimit(64).routerLifetime(1800)
                .sourceMac(Ipv6Captures.B_MAC).mtu(1480).addPrefix(db8Hi, 0, 64, true, true, 3600, 3600)
                .addDnsServer(db8Hi, 0x53).dnsLifetime(3600);
        byte[] built = Ipv6Frames.headersOf(f);
        java.util.Arrays.fill(built, PAYLOAD, built.length, (byte) 0xEE);
        int n = NdpWriter.writeRouterAdvertisement(built, PAYLOAD, ra);
        assertThat(n).isEqualTo(ra.length()).isEqualTo(f.length - PAYLOAD);
        Ipv6Frames.icmpChecksum(built, PAYLOAD);
        assertThat(built).isEqualTo(f);
    }

    @Test
    void routerAdvertisementWithEverythingReadsBack() {
        long p1 = Ipv6Address.parse("2001:db8:a::").hi();
        long p2 = Ipv6Address.parse("fd00:1:2:3::").hi();
        NdpWriter.RouterAdvertisement ra = new NdpWriter.RouterAdvertisement().curHopLimit(0).managed(true).other(true)
                .routerLifetime(0).reachableTime(30_000).retransTimer(1000).sourceMac(-1).mtu(0)
                .addPrefix(p1, 0, 64, false, true, 0xFFFF_FFFFL, 100).addPrefix(p2, 0, 48, true, false, 7, 0)
                .addDnsServer(p1, 1).addDnsServer(p2, 2).addDnsServer(p2, 3).dnsLifetime(0xFFFF_FFFFL);
        byte[] b = new byte[ra.length()];
        assertThat(NdpWriter.writeRouterAdvertisement(b, 0, ra)).isEqualTo(16 + 64 + 56);
        Icmpv6Message.writeChecksum(b, 0, b.length, 1, 2, 3, 4);
        assertThat(m.wrap(b, 0, b.length).check(1, 2, 3, 4)).isNull();
        assertThat(NdpMessage.raCurHopLimit(b, 0)).isZero();
        assertThat(NdpMessage.raManaged(b, 0)).isTrue();
        assertThat(NdpMessage.raOther(b, 0)).isTrue();
        assertThat(NdpMessage.raRouterLifetime(b, 0)).isZero();
        assertThat(NdpMessage.raReachableTime(b, 0)).isEqualTo(30_000);
        assertThat(NdpMessage.raRetransTimer(b, 0)).isEqualTo(1000);
        opts.reset(b, 16, b.length - 16);
        assertThat(opts.next()).isEqualTo(NdpOptions.TYPE_PREFIX_INFO);
        assertThat(opts.onLink()).isFalse();
        assertThat(opts.validLifetime()).isEqualTo(0xFFFF_FFFFL);
        assertThat(opts.next()).isEqualTo(NdpOptions.TYPE_PREFIX_INFO);
        assertThat(opts.prefixLength()).isEqualTo(48);
        assertThat(opts.autonomous()).isFalse();
        assertThat(opts.prefixHi()).isEqualTo(p2);
        assertThat(opts.next()).isEqualTo(NdpOptions.TYPE_RDNSS);
        assertThat(opts.length()).isEqualTo(56);
        assertThat(opts.rdnssCount()).isEqualTo(3);
        assertThat(opts.rdnssLo(2)).isEqualTo(3);
        assertThat(opts.rdnssHi(2)).isEqualTo(p2);
        assertThat(opts.rdnssLifetime()).isEqualTo(0xFFFF_FFFFL);
        assertThat(opts.next()).isEqualTo(NdpOptions.END);

        ra.clearPrefixes().clearDnsServers();
        assertThat(ra.length()).isEqualTo(16);
        for (int i = 0; i < NdpWriter.RouterAdvertisement.MAX_PREFIXES; i++) {
            ra.addPrefix(p1, 0, 64, true, true, 1, 1);
        }
        assertThatThrownBy(() -> ra.addPrefix(p1, 0, 64, true, true, 1, 1)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> ra.clearPrefixes().addPrefix(p1, 0, 129, true, true, 1, 1))
                .isInstanceOf(IllegalArgumentException.class);

        // Unless set, the DNS servers' lifetime is 1200 s, never 0 (which would withdraw them, RFC 8106 §5.1).
        NdpWriter.RouterAdvertisement plain = new NdpWriter.RouterAdvertisement().addDnsServer(p1, 1);
        assertThat(NdpWriter.writeRouterAdvertisement(b, 0, plain)).isEqualTo(16 + 24);
        opts.reset(b, 16, 24);
        assertThat(opts.next()).isEqualTo(NdpOptions.TYPE_RDNSS);
        assertThat(opts.rdnssLifetime()).isEqualTo(1200);
    }

    @Test
    void optionWithLengthWrongForItsTypeIsSkippedAndReadsAsZero() {
        // An RDNSS option of length 2 (even: RFC 8106 §5.1), then a good MTU option.
        byte[] b = {25, 2, 0, 0, 0, 0, 0x0E, 0x10, 1, 2, 3, 4, 5, 6, 7, 8, 5, 1, 0, 0, 0, 0, 5, (byte) 0xDC};
        opts.reset(b, 0, b.length);
        assertThat(opts.next()).isEqualTo(NdpOptions.TYPE_RDNSS);
        assertThat(opts.optionMalformed()).isEqualTo(Malformed.BAD_OPTION_LENGTH);
        assertThat(opts.rdnssCount()).isZero();
        assertThat(opts.rdnssLifetime()).isZero();
        assertThat(opts.next()).isEqualTo(NdpOptions.TYPE_MTU);
        assertThat(opts.optionMalformed()).isNull();
        assertThat(opts.mtu()).isEqualTo(1500);
        assertThat(opts.next()).isEqualTo(NdpOptions.END);
        // A prefix option one unit long must not be read beyond its 8 bytes.
        byte[] p = {3, 1, 64, (byte) 0xC0, 0, 0, 0, 1};
        opts.reset(p, 0, p.length);
        assertThat(opts.next()).isEqualTo(NdpOptions.TYPE_PREFIX_INFO);
        assertThat(opts.optionMalformed()).isEqualTo(Malformed.BAD_OPTION_LENGTH);
        assertThat(opts.prefixHi()).isZero();
        assertThat(opts.onLink()).isFalse();
        assertThat(opts.next()).isEqualTo(NdpOptions.END);
    }

    @Test
    void unknownOptionsAreSteppedOverAndAZeroLengthEndsTheWalk() {
        byte[] b = {99, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0};
        opts.reset(b, 0, b.length);
        assertThat(opts.next()).isEqualTo(99);
        assertThat(opts.length()).isEqualTo(16);
        assertThat(opts.next()).isEqualTo(NdpOptions.MALFORMED);
        assertThat(opts.malformed()).isEqualTo(Malformed.BAD_OPTION);
        assertThat(opts.next()).as("stays malformed").isEqualTo(NdpOptions.MALFORMED);
        assertThat(opts.linkLayerAddress()).isZero();
        assertThat(NdpMessage.optionsOffset(Icmpv6Message.TYPE_REDIRECT, 10)).isEqualTo(50);
        assertThat(NdpMessage.optionsOffset(Icmpv6Message.TYPE_ECHO_REQUEST, 10)).isEqualTo(-1);
    }
}
