package org.jnetstack.wire;

import org.jnetstack.testing.Allocations;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The receive path's parsing allocates nothing (DESIGN §4): re-pointed views, a reused options
 * holder, checksums over the bytes where they lie. Measured with the JVM's per-thread
 * allocation counter, which counts bytes, not time.
 */
class AllocationTest {
    private final EthernetFrame eth = new EthernetFrame();
    private final Ipv4Packet ip = new Ipv4Packet();
    private final TcpSegment tcp = new TcpSegment();
    private final UdpDatagram udp = new UdpDatagram();
    private final TcpOptions opts = new TcpOptions();
    private final byte[] sack = Captures.bytes(Captures.TCP_ACK_SACK_2);
    private final byte[] dns = Captures.bytes(Captures.UDP_DNS_QUERY);
    private final byte[] out = new byte[100];
    private final TcpOptions outOpts = new TcpOptions().setTimestamps(1, 2).addSackBlock(3, 4);
    private final TcpHeader outHeader = new TcpHeader().ports(1, 2).options(outOpts);
    private final Ipv4Header outIpHeader = new Ipv4Header();

    private long parseAndBuild(int rounds) {
        long acc = 0;
        for (int r = 0; r < rounds; r++) {
            eth.wrap(sack, 0, sack.length).check();
            ip.wrap(sack, eth.payloadOffset(), eth.payloadLength()).check();
            tcp.wrap(sack, ip.payloadOffset(), ip.payloadLength()).check(ip.source(), ip.destination());
            opts.parse(tcp);
            acc += opts.sackLeft(1) + tcp.sequenceNumber();
            ip.wrap(dns, 14, dns.length - 14).check();
            udp.wrap(dns, ip.payloadOffset(), ip.payloadLength()).check(ip.source(), ip.destination());
            acc += udp.payloadLength();
            int hl = TcpSegment.write(out, 20, outHeader.segment(r, 4, TcpSegment.ACK, 6), 0, 7, 8);
            acc += Ipv4Packet.writeHeader(out, 0, outIpHeader.tos(0).totalLength(20 + hl)
                    .identification(r).flagsAndOffset(0)
                    .ttl(64).protocol(6).addresses(7, 8));
        }
        return acc;
    }

    @Test
    void parsingAndBuildingAllocateNothing() {
        long bytes = Allocations.leastAllocatedBy(2, () -> parseAndBuild(10_000));
        assertThat(bytes).as("bytes allocated by 10,000 parse+build rounds").isZero();
    }
}
