package org.jnetstack.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jnetstack.wire.Ipv6Frames.PAYLOAD;

import org.jnetstack.testing.Allocations;
import org.junit.jupiter.api.Test;

/** The IPv6 codecs claim to be allocation-free once warm: checked with the JVM's per-thread allocation counter. */
class Ipv6CodecAllocationTest {
    @Test
    void walkingCheckingAndWritingAllocateNothing() {
        byte[] mld = Ipv6Captures.bytes(Ipv6Captures.MLD_REPORT);
        byte[] frag = Ipv6Captures.bytes(Ipv6Captures.FRAGMENT_FIRST);
        byte[] ra = Ipv6Captures.bytes(Ipv6Captures.ROUTER_ADVERTISEMENT);
        byte[] out = new byte[200];
        long[] groups = {Ipv6Address.solicitedNodeHi(), Ipv6Address.solicitedNodeLo(5)};
        Ipv6Packet ip = new Ipv6Packet();
        Ipv6Extensions ext = new Ipv6Extensions();
        Icmpv6Message icmp = new Icmpv6Message();
        NdpOptions opts = new NdpOptions();
        NdpWriter.RouterAdvertisement adv = new NdpWriter.RouterAdvertisement().sourceMac(2).mtu(1500)
                .addPrefix(0x2001_0db8_0000_0000L, 0, 64, true, true, 3600, 1800).addDnsServer(0x2001_0db8_0000_0000L, 0x53)
                .dnsLifetime(600);
        long bytes = Allocations.leastAllocatedBy(20_000, () -> {
            long acc = 0;
            for (int i = 0; i < 100; i++) {
                ip.wrap(mld, 14, mld.length - 14);
                if (ext.walk(mld, PAYLOAD, ip.payloadLength(), ip.nextHeader()) == null) {
                    acc += ext.upperOffset() + ext.routerAlertValue() + 1;
                }
                ip.wrap(frag, 14, frag.length - 14);
                ext.walk(frag, PAYLOAD, ip.payloadLength(), ip.nextHeader());
                acc += ext.fragmentId() + ext.fragmentOffset();
                ip.wrap(ra, 14, ra.length - 14);
                if (icmp.wrap(ra, PAYLOAD, ra.length - PAYLOAD)
                        .check(ip.sourceHi(), ip.sourceLo(), ip.destinationHi(), ip.destinationLo()) == null) {
                    int start = NdpMessage.optionsOffset(icmp.type(), PAYLOAD);
                    opts.reset(ra, start, ra.length - start);
                    for (int t = opts.next(); t >= 0; t = opts.next()) {
                        acc += opts.linkLayerAddress() + opts.prefixHi() + opts.mtu() + opts.rdnssCount() + opts.rdnssLo(0);
                    }
                }
                int n = NdpWriter.writeRouterAdvertisement(out, 0, adv);
                Icmpv6Message.writeChecksum(out, 0, n, 1, 2, 3, 4);
                n = Ipv6Extensions.writeHopByHopRouterAlert(out, 0, Ipv6Packet.NH_ICMPV6);
                n += Mldv2.writeReport(out, n, Mldv2.RECORD_CHANGE_TO_EXCLUDE, groups, 1);
                n += Ipv6Extensions.writeFragmentHeader(out, n, Ipv6Packet.NH_ICMPV6, 8 * i, true, i);
                acc += n + NdpWriter.writeNeighborSolicitation(out, 100, 1, 2, 3) + Icmpv6Message.writeEcho(out, 0, 128, i, i, ra, 0, 16);
            }
            return acc;
        });
        assertThat(bytes).isZero();
    }
}
