package org.jnetstack.ip6;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jnetstack.NetStack;
import org.jnetstack.config.StackConfig;
import org.jnetstack.link.VirtualSwitch;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.testing.TestPort;
import org.jnetstack.wire.Icmpv6Message;
import org.jnetstack.wire.Ipv6Address;
import org.junit.jupiter.api.Test;

/** Packet Too Big lowers the path MTU (RFC 8201), not below 1280, for 10 minutes, and only about packets we sent (RFC 5927). */
class PathMtuTest {
    static final long SECOND = 1_000_000_000L;
    final EventLoop loop = EventLoop.virtual();
    final VirtualSwitch lan = new VirtualSwitch();
    final TestPort portA = new TestPort(lan.newPort("a"));
    final TestPort portB = new TestPort(lan.newPort("b"));
    final NetStack a = NetStack.builder(loop).name("a").device(portA)
            .config(StackConfig.defaults().toBuilder().ipv6Address("fd00::1/64").build()).seed(1).build();
    final NetStack b = NetStack.builder(loop).name("b").device(portB)
            .config(StackConfig.defaults().toBuilder().ipv6Address("fd00::2/64").build()).seed(2).build();
    final Ipv6Address B = Ipv6Address.parse("fd00::2");
    final List<byte[]> sentByA = new ArrayList<>();

    PathMtuTest() {
        loop.runUntil(() -> a.ipv6Addresses().size() == 2 && b.ipv6Addresses().size() == 2
                && a.ipv6Addresses().stream().allMatch(i -> i.state() == AddressState.PREFERRED)
                && b.ipv6Addresses().stream().allMatch(i -> i.state() == AddressState.PREFERRED), 10 * SECOND);
        portA.txFilter = f -> { sentByA.add(f); return true; };
    }

    /** Pings b with 1400 bytes of data; returns the largest frame a sent for it. */
    int bigPing(int seq) {
        sentByA.clear();
        List<String> out = new ArrayList<>();
        a.ping6(B, 3, seq, 1400, Duration.ofSeconds(2), Ipv6PingTest.listener(out));
        loop.runUntil(() -> !out.isEmpty(), 5 * SECOND);
        assertThat(out).singleElement().asString().contains("bytes 1408");
        return sentByA.stream().filter(f -> (f[12] & 0xFF) == 0x86).mapToInt(f -> f.length).max().orElse(0);
    }

    /** A Packet Too Big from router fe80::1 quoting {@code packet} (a frame a sent), injected into a. */
    void packetTooBig(byte[] frame, long mtu) {
        packetTooBig(frame, mtu, new Ipv6Address(Ipv6Address.readHi(frame, 22), Ipv6Address.readLo(frame, 22)));
    }

    void packetTooBig(byte[] frame, long mtu, Ipv6Address ours) {
        int quote = Math.min(frame.length - 14, 1232);
        byte[] m = new byte[8 + quote];
        Icmpv6Message.writeError(m, 0, Icmpv6Message.TYPE_PACKET_TOO_BIG, 0, mtu, frame, 14, quote);
        portA.injectReceived(Ipv6TestFrames.icmpv6(0x02_00_00_00_00_77L, portA.mac().bits(), Ipv6Address.parse("fe80::1"), ours, 64, m, m.length));
        loop.runPending();
    }

    @Test
    void packetTooBigLowersThePathMtuThenItAgesBack() {
        assertThat(bigPing(1)).isEqualTo(14 + 40 + 1408); // fits the 1500-byte link
        byte[] request = sentByA.stream().filter(f -> f.length > 1000).findFirst().orElseThrow();
        packetTooBig(request, 1300);
        assertThat(a.ipv6().mtuFor(B.hi(), B.lo())).isEqualTo(1300);
        assertThat(bigPing(2)).isLessThanOrEqualTo(14 + 1300);
        assertThat(a.counters().get("ip6.frag.tx")).isEqualTo(2);
        // Never below 1280 (RFC 8201 §4), never raised by a Packet Too Big.
        packetTooBig(request, 600);
        assertThat(a.ipv6().mtuFor(B.hi(), B.lo())).isEqualTo(1280);
        packetTooBig(request, 1400);
        assertThat(a.ipv6().mtuFor(B.hi(), B.lo())).isEqualTo(1280);
        assertThat(a.counters().get("ip6.pmtu.ignored")).isEqualTo(1);
        loop.runFor(10 * 60 * SECOND);
        assertThat(a.ipv6().mtuFor(B.hi(), B.lo())).isEqualTo(1500);
        assertThat(bigPing(3)).isEqualTo(14 + 40 + 1408);
    }

    @Test
    void packetTooBigQuotingAPacketWeDidNotSendIsIgnored() {
        bigPing(1);
        byte[] request = sentByA.stream().filter(f -> f.length > 1000).findFirst().orElseThrow().clone();
        // The quote claims a source that is not ours: forged (RFC 5927 §4.1).
        request[14 + 8 + 15] ^= 0x55;
        packetTooBig(request, 1300, Ipv6Address.parse("fd00::1"));
        assertThat(a.ipv6().mtuFor(B.hi(), B.lo())).isEqualTo(1500);
        assertThat(a.ipv6().pathMtu().size()).isZero();
        assertThat(a.counters().get("icmp6.rx.errors_not_about_ours")).isEqualTo(1);
    }
}
