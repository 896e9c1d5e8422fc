package org.jnetstack.ip;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jnetstack.NetStack;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.testing.TestPort;
import org.jnetstack.wire.Ipv4Address;
import org.junit.jupiter.api.Test;

/**
 * A gateway stack that accepts any destination hands echo requests to foreign addresses to its
 * handler, and answers for them with {@link Icmp#sendEchoReplyFrom} (deterministic: virtual clock).
 */
class ForeignEchoTest {
    private final EventLoop loop = EventLoop.virtual();
    private final TestPort[] pipe = TestPort.pair();
    private final NetStack guest = NetStack.builder(loop).name("guest").device(pipe[0]).address("10.0.2.15/24")
            .gateway(Ipv4Address.parse("10.0.2.2")).seed(1).build();
    private final NetStack gateway = NetStack.builder(loop).name("gw").device(pipe[1]).address("10.0.2.2/24").seed(2).build();
    private static final int OUTSIDE = Ipv4Address.parseBits("192.0.2.7");

    @Test
    void echoToAForeignAddressReachesTheHandlerAndItsReplyComesFromThatAddress() {
        gateway.ipv4().setAcceptAnyDestination(true);
        List<String> seen = new ArrayList<>();
        gateway.icmp().setForeignEchoHandler((src, dst, id, seq, buf, off, len) -> {
            seen.add(Ipv4Address.format(src) + " -> " + Ipv4Address.format(dst) + " id " + id + " seq " + seq + " data " + len);
            byte[] data = Arrays.copyOfRange(buf, off, off + len);
            gateway.icmp().sendEchoReplyFrom(dst, src, id, seq, data, 0, data.length);
        });
        List<String> out = new ArrayList<>();
        guest.icmp().ping(OUTSIDE, 0x4a4e, 3, 56, 1_000_000_000L, listener(out));
        assertThat(loop.runUntil(() -> !out.isEmpty(), 5_000_000_000L)).isTrue();
        assertThat(seen).hasSize(1);
        assertThat(seen.get(0)).startsWith("10.0.2.15 -> 192.0.2.7 id ").endsWith(" seq 3 data 56");
        assertThat(out).containsExactly("reply 3 from 192.0.2.7 ttl 64 bytes 64");
        assertThat(gateway.counters().get("icmp.rx.foreign_echo_requests")).isEqualTo(1);
    }

    @Test
    void withoutAHandlerForeignEchoIsIgnoredAsBefore() {
        gateway.ipv4().setAcceptAnyDestination(true);
        List<String> out = new ArrayList<>();
        guest.icmp().ping(OUTSIDE, 1, 1, 8, 1_000_000_000L, listener(out));
        assertThat(loop.runUntil(() -> !out.isEmpty(), 5_000_000_000L)).isTrue();
        assertThat(out).hasSize(1).allMatch(s -> s.startsWith("fail 1"));
        assertThat(gateway.counters().get("icmp.rx.foreign_echo_requests")).isZero();
        assertThat(gateway.counters().get("icmp.tx.echo_replies")).isZero();
    }

    private static PingListener listener(List<String> out) {
        return new PingListener() {
            @Override
            public void onReply(int seq, int from, int ttl, int bytes, long rtt) {
                out.add("reply " + seq + " from " + Ipv4Address.format(from) + " ttl " + ttl + " bytes " + bytes);
            }

            @Override
            public void onFailure(int seq, int from, String reason) {
                out.add("fail " + seq + " from " + Ipv4Address.format(from) + ": " + reason);
            }
        };
    }
}
