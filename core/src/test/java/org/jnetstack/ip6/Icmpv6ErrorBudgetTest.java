package org.jnetstack.ip6;

import static org.assertj.core.api.Assertions.assertThat;

import org.jnetstack.NetStack;
import org.jnetstack.config.StackConfig;
import org.jnetstack.link.VirtualSwitch;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.testing.TestPort;
import org.jnetstack.wire.EthernetFrame;
import org.jnetstack.wire.Ipv6Address;
import org.jnetstack.wire.Ipv6Extensions;
import org.jnetstack.wire.Ipv6Header;
import org.jnetstack.wire.Ipv6Packet;
import org.junit.jupiter.api.Test;

/**
 * RFC 4443 §2.4(f): one token bucket limits every ICMPv6 error a node sends, whatever their kind:
 * a peer that provokes several kinds at once gets no more errors than one kind would draw.
 */
class Icmpv6ErrorBudgetTest {
    static final long SECOND = 1_000_000_000L;
    static final Ipv6Address PEER = Ipv6Address.parse("fd00::9");
    static final Ipv6Address A = Ipv6Address.parse("fd00::1");
    final EventLoop loop = EventLoop.virtual();
    final TestPort port = new TestPort(new VirtualSwitch().newPort("a"));
    final NetStack a = NetStack.builder(loop).name("a").device(port).seed(1)
            .config(StackConfig.defaults().toBuilder().ipv6Address("fd00::1/64").icmpErrorRate(1, 5).build()).build();

    /** A packet from the peer to a with next header {@code nh} and {@code payload} bytes after the fixed header. */
    byte[] packet(int nh, byte[] payload) {
        byte[] f = new byte[14 + 40 + payload.length];
        EthernetFrame.write(f, 0, port.mac().bits(), 0x02_00_00_00_00_09L, EthernetFrame.TYPE_IPV6);
        Ipv6Packet.writeHeader(f, 14, new Ipv6Header().payloadLength(payload.length).nextHeader(nh).hopLimit(64)
                .source(PEER.hi(), PEER.lo()).destination(A.hi(), A.lo()));
        System.arraycopy(payload, 0, f, 54, payload.length);
        return f;
    }

    /** The first fragment of datagram {@code id} (more to come): its reassembly times out with a Time Exceeded. */
    byte[] firstFragment(int id) {
        byte[] p = new byte[Ipv6Extensions.FRAGMENT_HEADER_LENGTH + 64];
        Ipv6Extensions.writeFragmentHeader(p, 0, 17, 0, true, id);
        return packet(Ipv6Packet.NH_FRAGMENT, p);
    }

    @Test
    void errorsOfDifferentKindsShareOneBudget() {
        loop.runUntil(() -> a.ipv6Addresses().stream().allMatch(i -> i.state() == AddressState.PREFERRED)
                && a.ipv6Addresses().size() == 2, 10 * SECOND);
        for (int id = 1; id <= 4; id++) {
            port.injectReceived(firstFragment(id));
        }
        loop.runPending();
        long t0 = a.counters().get("icmp6.tx.errors");
        loop.runFor(60 * SECOND - SECOND / 1000); // the bucket is full again; the fragments are about to time out
        for (int i = 0; i < 5; i++) {
            port.injectReceived(packet(253, new byte[8])); // an unknown next header: Parameter Problem
        }
        loop.runPending();
        loop.runFor(SECOND / 500); // the four reassemblies time out: Time Exceeded
        assertThat(a.counters().get("ip6.frag.drop.timeout")).isEqualTo(4);
        long sent = a.counters().get("icmp6.tx.errors") - t0;
        long limited = a.counters().get("icmp6.tx.errors_rate_limited");
        assertThat(sent).as("one burst of 5 for both kinds together").isEqualTo(5);
        assertThat(limited).isEqualTo(4);
    }
}
