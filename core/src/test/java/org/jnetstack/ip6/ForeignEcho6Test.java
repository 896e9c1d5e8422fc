package org.jnetstack.ip6;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jnetstack.NetStack;
import org.jnetstack.config.StackConfig;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.testing.TestPort;
import org.jnetstack.wire.Ipv6Address;
import org.jnetstack.wire.NdpWriter;
import org.junit.jupiter.api.Test;

/**
 * A gateway stack that accepts any IPv6 destination hands echo requests to foreign addresses to
 * its handler, and answers for them with {@link Icmpv6#sendEchoReplyFrom}; other ICMPv6 to
 * foreign addresses, and echo without a handler, are dropped and counted; echo to its own address
 * is answered by the stack (deterministic: virtual clock). The guest's default router is the
 * gateway, from an advertisement the test sends in its name.
 */
class ForeignEcho6Test {
    static final long SECOND = 1_000_000_000L;
    static final Ipv6Address OUTSIDE = Ipv6Address.parse("2001:db8::7");
    static final Ipv6Address GATEWAY = Ipv6Address.parse("fd00::2");
    private final EventLoop loop = EventLoop.virtual();
    private final TestPort[] pipe = TestPort.pair();
    private final NetStack guest = NetStack.builder(loop).name("guest").device(pipe[0])
            .config(StackConfig.defaults().toBuilder().ipv6Address("fd00::15/64").build()).seed(1).build();
    private final NetStack gateway = NetStack.builder(loop).name("gw").device(pipe[1])
            .config(StackConfig.defaults().toBuilder().ipv6Address(GATEWAY + "/64").build()).seed(2).build();

    ForeignEcho6Test() {
        assertThat(loop.runUntil(() -> settled(guest) && settled(gateway), 10 * SECOND)).isTrue();
        Ipv6Address router = gateway.ipv6().interfaces().getFirst().linkLocalAddress();
        NdpWriter.RouterAdvertisement ra = new NdpWriter.RouterAdvertisement().routerLifetime(1800);
        pipe[0].injectReceived(Ipv6TestFrames.routerAdvertisement(0x02_00_00_00_00_02L, router, 255, ra));
        assertThat(loop.runUntil(() -> !guest.ipv6Routers().isEmpty(), SECOND)).isTrue();
        gateway.ipv6().setAcceptAnyDestination(true);
    }

    static boolean settled(NetStack s) {
        return !s.ipv6Addresses().isEmpty() && s.ipv6Addresses().stream().noneMatch(i -> i.state() == AddressState.TENTATIVE);
    }

    List<String> ping(Ipv6Address dst, int seq, int len) {
        List<String> out = new ArrayList<>();
        guest.ping6(dst, 0x4a4e, seq, len, java.time.Duration.ofSeconds(1), new Ping6Listener() {
            @Override
            public void onReply(int sequence, long fromHi, long fromLo, int hopLimit, int bytes, long rttNanos) {
                out.add("reply " + sequence + " from " + new Ipv6Address(fromHi, fromLo) + " bytes " + bytes);
            }

            @Override
            public void onFailure(int sequence, long fromHi, long fromLo, String reason) {
                out.add("fail " + sequence + ": " + reason);
            }
        });
        assertThat(loop.runUntil(() -> !out.isEmpty(), 5 * SECOND)).isTrue();
        return out;
    }

    @Test
    void echoToAForeignAddressReachesTheHandlerAndItsReplyComesFromThatAddress() {
        List<String> seen = new ArrayList<>();
        gateway.icmp6().setForeignEchoHandler((sHi, sLo, dHi, dLo, id, seq, buf, off, len) -> {
            seen.add(new Ipv6Address(sHi, sLo) + " -> " + new Ipv6Address(dHi, dLo) + " id " + id + " seq " + seq + " data " + len);
            byte[] data = Arrays.copyOfRange(buf, off, off + len);
            gateway.icmp6().sendEchoReplyFrom(dHi, dLo, sHi, sLo, id, seq, data, 0, data.length);
        });
        assertThat(ping(OUTSIDE, 3, 56)).containsExactly("reply 3 from 2001:db8::7 bytes 64");
        assertThat(seen).containsExactly("fd00::15 -> 2001:db8::7 id 19022 seq 3 data 56");
        assertThat(gateway.counters().get("icmp6.rx.foreign_echo_requests")).isEqualTo(1);
        assertThat(gateway.counters().get("ip6.rx.drop.foreign_icmp")).isZero();

        // The gateway's own address is answered by the stack, not handed over.
        assertThat(ping(GATEWAY, 4, 8)).containsExactly("reply 4 from fd00::2 bytes 16");
        assertThat(seen).hasSize(1);
    }

    @Test
    void withoutAHandlerForeignEchoIsDroppedAndCounted() {
        assertThat(ping(OUTSIDE, 1, 8)).hasSize(1).allMatch(s -> s.startsWith("fail 1"));
        assertThat(gateway.counters().get("icmp6.rx.foreign_echo_requests")).isZero();
        assertThat(gateway.counters().get("ip6.rx.drop.foreign_icmp")).isEqualTo(1);
        assertThat(gateway.counters().get("icmp6.tx.echo_replies")).isZero();
    }

    @Test
    void aForeignEchoWithABadChecksumIsDroppedAndCountedNotHandedOver() {
        List<String> seen = new ArrayList<>();
        gateway.icmp6().setForeignEchoHandler((sHi, sLo, dHi, dLo, id, seq, buf, off, len) -> seen.add("handed over"));
        long gwMac = gateway.iface().mac().bits();
        byte[] f = Ipv6TestFrames.echoRequest(0x02_00_00_00_00_15L, gwMac, Ipv6Address.parse("fd00::15"), OUTSIDE, 1, 1, 8);
        f[54 + 2] ^= 0x55; // the checksum
        pipe[1].injectReceived(f);
        loop.runFor(SECOND / 10);
        assertThat(seen).isEmpty();
        assertThat(gateway.counters().get("icmp6.rx.foreign_echo_requests")).isZero();
        assertThat(gateway.counters().sum("icmp6.rx.drop.")).isEqualTo(1);
    }
}
