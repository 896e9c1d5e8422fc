package org.jnetstack.ip;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.jnetstack.NetStack;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.testing.TestPort;
import org.jnetstack.udp.UdpEndpoint;
import org.jnetstack.wire.Ipv4Address;
import org.junit.jupiter.api.Test;

class TwoHostsTest {
    final EventLoop loop = EventLoop.virtual();
    final TestPort[] pipe = TestPort.pair();
    final NetStack a = NetStack.builder(loop).name("a").device(pipe[0]).address("10.0.0.1/24").seed(1).build();
    final NetStack b = NetStack.builder(loop).name("b").device(pipe[1]).address("10.0.0.2/24").seed(2).build();
    static final int A = Ipv4Address.parseBits("10.0.0.1");
    static final int B = Ipv4Address.parseBits("10.0.0.2");

    @Test
    void pingResolvesArpAndGetsReply() {
        List<String> out = new ArrayList<>();
        a.icmp().ping(B, 7, 1, 56, 1_000_000_000L, listener(out));
        assertThat(loop.runUntil(() -> !out.isEmpty(), 5_000_000_000L)).isTrue();
        assertThat(out).containsExactly("reply 1 from 10.0.0.2 ttl 64 bytes 64");
        assertThat(a.iface().neighbors().lookup(B)).isEqualTo(pipe[1].mac().bits());
        // b learned a from the request it answered (RFC 826 merge)
        assertThat(b.iface().neighbors().lookup(A)).isEqualTo(pipe[0].mac().bits());
        assertThat(b.counters().get("icmp.tx.echo_replies")).isEqualTo(1);
    }

    @Test
    void unresolvableAddressReportsHostUnreachableAfterRetries() {
        List<String> out = new ArrayList<>();
        long start = loop.clock().nanos();
        a.icmp().ping(Ipv4Address.parseBits("10.0.0.99"), 7, 1, 56, 60_000_000_000L, listener(out));
        assertThat(loop.runUntil(() -> !out.isEmpty(), 120_000_000_000L)).isTrue();
        assertThat(out).containsExactly("fail 1 from 10.0.0.1: Destination Host Unreachable");
        // 1 request + 2 retries, waiting 0.5 + 1 + 2 s (exponential backoff)
        assertThat(a.counters().get("arp.tx.requests")).isEqualTo(1 + 3); // + gratuitous ARP at start
        assertThat(loop.clock().nanos() - start).isEqualTo(3_500_000_000L);
        assertThat(a.counters().get("arp.resolve.failed")).isEqualTo(1);
    }

    @Test
    void udpExchangeAndPortUnreachable() {
        List<String> got = new ArrayList<>();
        b.udp().open(7, (ep, src, sport, buf, off, len) -> ep.send(src, sport, buf, off, len));
        UdpEndpoint client = a.udp().open(0, new org.jnetstack.udp.UdpHandler() {
            @Override
            public void onDatagram(UdpEndpoint ep, int srcIp, int srcPort, byte[] buf, int off, int len) {
                got.add(new String(buf, off, len) + " from " + Ipv4Address.format(srcIp) + ":" + srcPort);
            }

            @Override
            public void onError(UdpEndpoint ep, int dstIp, int dstPort, int type, int code, String reason) {
                got.add(reason + " " + dstPort);
            }
        });
        assertThat(client.localPort()).isBetween(49152, 65535);
        byte[] hello = "hello".getBytes();
        client.send(B, 7, hello, 0, hello.length);
        client.send(B, 9, hello, 0, hello.length);
        loop.runUntil(() -> got.size() == 2, 1_000_000_000L);
        assertThat(got).containsExactly("hello from 10.0.0.2:7", "Destination Port Unreachable 9");
    }

    @Test
    void largeDatagramIsFragmentedAndReassembledUnderReorderAndDuplication() {
        byte[] data = new byte[60_000];
        new SplittableRandom(5).nextBytes(data);
        List<byte[]> got = new ArrayList<>();
        b.udp().open(5000, (ep, src, sport, buf, off, len) -> got.add(Arrays.copyOfRange(buf, off, off + len)));
        // resolve first so the fragments are not held in the ARP queue
        a.iface().neighbors().putStatic(B, pipe[1].mac());
        // Reverse the order of the fragments and send each twice.
        List<byte[]> held = new ArrayList<>();
        pipe[0].txFilter = f -> { held.add(f); return false; };
        UdpEndpoint ep = a.udp().open(0, (e, s, p, bb, o, l) -> { });
        ep.send(B, 5000, data, 0, data.length);
        assertThat(held).hasSize(41); // ceil(60008 / 1480)
        pipe[0].txFilter = f -> true;
        for (int i = held.size() - 1; i >= 0; i--) {
            pipe[0].send(held.get(i), 0, held.get(i).length);
            if (i > 0) { // a duplicate of the completing fragment would start a new datagram
                pipe[0].send(held.get(i), 0, held.get(i).length);
            }
        }
        loop.runUntil(() -> !got.isEmpty(), 1_000_000_000L);
        assertThat(got).hasSize(1);
        assertThat(got.get(0)).isEqualTo(data);
        assertThat(b.counters().get("ip.frag.duplicates")).isEqualTo(40);
        assertThat(b.ipv4().reassembly().bytesHeld()).isZero();
    }

    @Test
    void reassemblyTimeoutFreesMemoryAndSendsTimeExceeded() {
        a.iface().neighbors().putStatic(B, pipe[1].mac());
        List<byte[]> held = new ArrayList<>();
        pipe[0].txFilter = f -> { held.add(f); return false; };
        UdpEndpoint ep = a.udp().open(0, (e, s, p, bb, o, l) -> { });
        ep.send(B, 5000, new byte[4000], 0, 4000);
        pipe[0].txFilter = f -> true;
        pipe[0].send(held.get(0), 0, held.get(0).length); // only the first of three fragments
        loop.runPending();
        assertThat(b.ipv4().reassembly().bytesHeld()).isEqualTo(60 + 1480 + 8 * 8); // header room + first fragment + room for 8 ranges
        loop.runFor(31_000_000_000L);
        assertThat(b.ipv4().reassembly().bytesHeld()).isZero();
        assertThat(b.ipv4().reassembly().datagramsInFlight()).isZero();
        assertThat(b.counters().get("ip.frag.drop.timeout")).isEqualTo(1);
        assertThat(a.counters().get("icmp.rx.time_exceeded")).isEqualTo(1);
    }

    private static org.jnetstack.ip.PingListener listener(List<String> out) {
        return new org.jnetstack.ip.PingListener() {
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
