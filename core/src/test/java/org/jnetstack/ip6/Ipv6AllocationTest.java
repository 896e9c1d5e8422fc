package org.jnetstack.ip6;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jnetstack.NetStack;
import org.jnetstack.link.DeviceContext;
import org.jnetstack.link.DeviceStats;
import org.jnetstack.link.FrameHandler;
import org.jnetstack.link.LinkDevice;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.testing.Allocations;
import org.jnetstack.wire.Ipv6Address;
import org.jnetstack.wire.MacAddress;
import org.junit.jupiter.api.Test;

/** Answering an echo request over IPv6 — input checks, ICMPv6, route, neighbour, output — allocates nothing per packet. */
class Ipv6AllocationTest {
    /** A device that takes every frame and keeps none: what the stack sends is counted, nothing more. */
    static final class Sink implements LinkDevice {
        long sent;
        final DeviceStats stats = new DeviceStats("sink");

        @Override public String name() { return "sink"; }
        @Override public MacAddress mac() { return new MacAddress(0x02_00_00_00_00_02L); }
        @Override public int mtu() { return 1500; }
        @Override public void open(DeviceContext context) { }
        @Override public int receive(FrameHandler handler, int maxFrames) { return 0; }
        @Override public boolean send(byte[] buf, int off, int len) { sent += len; return true; }
        @Override public DeviceStats stats() { return stats; }
        @Override public void close() { }
    }

    @Test
    void echoReplyPathAllocatesNothingPerPacket() {
        EventLoop loop = EventLoop.virtual();
        Sink sink = new Sink();
        NetStack s = NetStack.builder(loop).device(sink).seed(3)
                .config(org.jnetstack.config.StackConfig.defaults().toBuilder().ipv6Address("fd00::2/64").icmpEchoRate(1_000_000_000, 1_000_000_000).build())
                .build();
        assertThat(loop.runUntil(() -> s.ipv6Addresses().stream().noneMatch(i -> i.state() == AddressState.TENTATIVE),
                10_000_000_000L)).isTrue();
        Ipv6Interface ifc = s.ipv6().interfaces().get(0);
        long peerMac = 0x02_00_00_00_00_01L;
        Ipv6Address peer = Ipv6Address.parse("fd00::1");
        // The peer is known (its solicitation told us its MAC), as after the first exchange.
        byte[] ns = Ipv6TestFrames.solicitation(peerMac, peer, Ipv6Address.parse("fd00::2"));
        ifc.input(s.iface(), ns, 14, ns.length - 14, peerMac, 0);
        List<byte[]> frames = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            frames.add(Ipv6TestFrames.echoRequest(peerMac, sink.mac().bits(), peer, Ipv6Address.parse("fd00::2"), 7, i, 56 + i * 100)); // some above the 256 bytes where checksums go SIMD
        }
        org.jnetstack.ip.NetInterface ni = s.iface();
        long before = s.counters().get("icmp6.tx.echo_replies");
        long bytes = Allocations.leastAllocatedBy(3, () -> {
            for (int i = 0; i < 5_000; i++) {
                byte[] f = frames.get(i & 7);
                ifc.input(ni, f, 14, f.length - 14, peerMac, 0);
            }
            return sink.sent;
        });
        assertThat(bytes).as("bytes allocated answering 5,000 echo requests").isZero();
        assertThat(s.counters().get("icmp6.tx.echo_replies") - before).isGreaterThanOrEqualTo(5_000 * 4);
    }

    @Test
    void aSolicitationFloodFromEverNewAddressesAllocatesNothingOnceTheCacheIsFull() {
        EventLoop loop = EventLoop.virtual();
        Sink sink = new Sink();
        NetStack s = NetStack.builder(loop).device(sink).seed(3)
                .config(org.jnetstack.config.StackConfig.defaults().toBuilder().ipv6Address("fd00::2/64").ndMaxEntries(16).build())
                .build();
        assertThat(loop.runUntil(() -> s.ipv6Addresses().stream().noneMatch(i -> i.state() == AddressState.TENTATIVE),
                10_000_000_000L)).isTrue();
        Ipv6Interface ifc = s.ipv6().interfaces().get(0);
        List<byte[]> frames = new ArrayList<>();
        for (int i = 0; i < 64; i++) { // 64 sources cycled through a 16-entry cache: each one evicts the oldest
            frames.add(Ipv6TestFrames.solicitation(0x02_00_00_10_00_00L + i, new Ipv6Address(0xfd00_0000_0000_0000L, 0x1000 + i),
                    Ipv6Address.parse("fd00::2")));
        }
        org.jnetstack.ip.NetInterface ni = s.iface();
        long before = s.counters().get("nd.cache.evicted");
        long bytes = Allocations.leastAllocatedBy(3, () -> {
            for (int i = 0; i < 5_000; i++) {
                byte[] f = frames.get(i & 63);
                ifc.input(ni, f, 14, f.length - 14, 0x02_00_00_10_00_00L + (i & 63), 0);
            }
            return sink.sent;
        });
        assertThat(bytes).as("bytes allocated answering 5,000 solicitations from new neighbours").isZero();
        assertThat(ifc.neighbors().size()).isEqualTo(16);
        assertThat(s.counters().get("nd.cache.evicted") - before).isGreaterThanOrEqualTo(5_000 * 3);
    }
}
