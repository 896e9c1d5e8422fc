package org.jnetstack.bench.tcp;

import org.jnetstack.NetStack;
import org.jnetstack.config.StackConfig;
import org.jnetstack.ip6.AddressState;
import org.jnetstack.link.VirtualWire;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.tcp.TcpConfig;
import org.jnetstack.wire.Ipv4Address;
import org.jnetstack.wire.Ipv6Address;
import org.jnetstack.wire.MacAddress;

/**
 * Two stacks, "a" (10.0.0.1, the client) and "b" (10.0.0.2, the server), joined by a
 * {@link VirtualWire} and driven by one virtual-clock loop on the calling thread: no time passes
 * between frames, so what is measured in wall time is the stacks' own work (both ends, full
 * checksums, every byte copied in and out of the socket buffers).
 */
public final class TwoStacks {
    public static final int A = Ipv4Address.parseBits("10.0.0.1");
    public static final int B = Ipv4Address.parseBits("10.0.0.2");
    /** b's IPv6 address. */
    public static final Ipv6Address B6 = Ipv6Address.parse("fd00::2");
    /** "Forever" in virtual nanoseconds, far from overflow. */
    public static final long FOREVER = Long.MAX_VALUE / 4;

    public final EventLoop loop;
    public final VirtualWire wire;
    public final NetStack a;
    public final NetStack b;

    /**
     * @param queueFrames frames each wire end holds; large enough that a full window never drops
     *                    (a drop would measure loss recovery, not the data path)
     */
    public TwoStacks(int mtu, int queueFrames, TcpConfig cfg) {
        loop = EventLoop.virtual();
        wire = new VirtualWire("a", new MacAddress(0x02_00_00_00_00_01L), "b", new MacAddress(0x02_00_00_00_00_02L),
                mtu, queueFrames);
        // Dual stack, as by default: a is also fd00::1, b fd00::2 (usable once duplicate address
        // detection has passed, about a second of virtual time; see awaitIpv6).
        a = NetStack.builder(loop).name("a").device(wire.a()).address("10.0.0.1/24").seed(1).tcpConfig(cfg)
                .config(StackConfig.defaults().toBuilder().ipv6Address("fd00::1/64").build()).build();
        b = NetStack.builder(loop).name("b").device(wire.b()).address("10.0.0.2/24").seed(2).tcpConfig(cfg)
                .config(StackConfig.defaults().toBuilder().ipv6Address("fd00::2/64").build()).build();
    }

    /** Runs the loop until both static IPv6 addresses are usable (duplicate address detection passed). */
    public void awaitIpv6() {
        if (!loop.runUntil(() -> preferred(a) && preferred(b), 10_000_000_000L)) {
            throw new IllegalStateException("IPv6 addresses not usable: " + a.ipv6Addresses() + " " + b.ipv6Addresses());
        }
    }

    private static boolean preferred(NetStack s) {
        return s.ipv6Addresses().stream().allMatch(i -> i.state() == AddressState.PREFERRED);
    }

    /** Segments both stacks have sent (data one way, ACKs the other). */
    public long segments() {
        return a.counters().get("tcp.tx.segments") + b.counters().get("tcp.tx.segments");
    }

    /** Frames dropped anywhere on the wire (a full queue); must stay 0 for a clean measurement. */
    public long wireDrops() {
        return wire.a().stats().counters().get("rx.dropped.queue_full")
                + wire.b().stats().counters().get("rx.dropped.queue_full");
    }

    public long retransmits() {
        return a.counters().get("tcp.retransmitted_segments") + b.counters().get("tcp.retransmitted_segments");
    }

    public long loopErrors() {
        return loop.counters().get("loop.errors");
    }
}
