package org.jnetstack.ip6;

import static org.assertj.core.api.Assertions.assertThat;

import org.jnetstack.NetStack;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.testing.Allocations;
import org.jnetstack.udp.UdpEndpoint;
import org.jnetstack.udp.UdpHandler;
import org.jnetstack.wire.Ipv6Address;
import org.junit.jupiter.api.Test;

/** Sending UDP to an IPv6 peer with {@code UdpEndpoint.send(hi, lo, ...)} — source choice, checksum, route, neighbour, output — allocates nothing. */
class UdpOverIpv6AllocationTest {
    @Test
    void sendingToAnIpv6PeerAllocatesNothingPerDatagram() {
        EventLoop loop = EventLoop.virtual();
        Ipv6AllocationTest.Sink sink = new Ipv6AllocationTest.Sink();
        NetStack s = NetStack.builder(loop).device(sink).seed(3)
                .config(org.jnetstack.config.StackConfig.defaults().toBuilder().ipv6Address("fd00::2/64").dadTransmits(0).build())
                .build();
        Ipv6Interface ifc = s.ipv6().interfaces().get(0);
        long peerMac = 0x02_00_00_00_00_01L;
        Ipv6Address peer = Ipv6Address.parse("fd00::1");
        // The peer is known (its solicitation told us its MAC), as after the first exchange.
        byte[] ns = Ipv6TestFrames.solicitation(peerMac, peer, Ipv6Address.parse("fd00::2"));
        ifc.input(s.iface(), ns, 14, ns.length - 14, peerMac, 0);
        UdpEndpoint ep = s.udp().open(5000, new UdpHandler() {
            @Override
            public void onDatagram(UdpEndpoint endpoint, int srcIp, int srcPort, byte[] buf, int off, int len) {
            }
        });
        byte[] payload = new byte[512]; // above the 256 bytes where checksums go SIMD
        long hi = peer.hi();
        long lo = peer.lo();
        long before = s.counters().get("udp.tx.datagrams");
        long bytes = Allocations.leastAllocatedBy(3, () -> {
            for (int i = 0; i < 5_000; i++) {
                ep.send(hi, lo, 7000 + (i & 7), payload, 0, 64 + (i & 7) * 60);
            }
            return sink.sent;
        });
        assertThat(bytes).as("bytes allocated sending 5,000 datagrams over IPv6").isZero();
        assertThat(s.counters().get("udp.tx.datagrams") - before).isGreaterThanOrEqualTo(5_000 * 3);
        assertThat(s.counters().get("udp.tx.drop.no_route")).isZero();
        loop.close();
    }
}
