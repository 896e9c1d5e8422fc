package org.jnetstack.udp;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Inet6Address;
import java.util.ArrayList;
import java.util.List;
import org.jnetstack.NetStack;
import org.jnetstack.config.StackConfig;
import org.jnetstack.link.VirtualSwitch;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.wire.Icmpv6Message;
import org.jnetstack.wire.Ipv6Address;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * UDP over IPv6 between two stacks on the virtual switch and clock (a: 10.0.0.1 / fd00::1,
 * b: 10.0.0.2 / fd00::2): queued datagrams keep their IPv6 source, a flood is held to the queue's
 * bound, unbound ports answer with ICMPv6 port unreachable under the error rate limit, bound
 * addresses and IPv6-only choose the family, and the catch-all sees IPv6.
 */
class UdpOverIpv6Test {
    static final long MS = 1_000_000L;
    static final Ipv6Address A6 = Ipv6Address.parse("fd00::1");
    static final Ipv6Address B6 = Ipv6Address.parse("fd00::2");
    final EventLoop loop = EventLoop.virtual();
    final VirtualSwitch lan = new VirtualSwitch();
    final NetStack a = host("a", 1);
    final NetStack b = host("b", 2);
    final byte[] payload = {1, 2, 3, 4};

    @AfterEach
    void close() {
        loop.close();
    }

    NetStack host(String name, int n) {
        StackConfig cfg = StackConfig.defaults().toBuilder().ipv6Address("fd00::" + n + "/64").dadTransmits(0)
                .udpQueue(16, 64 * 1024).build();
        return NetStack.builder(loop).name(name).device(lan.newPort(name)).address("10.0.0." + n + "/24").config(cfg).seed(n).build();
    }

    void run() {
        loop.runFor(100 * MS);
    }

    @Test
    void aQueuedDatagramKeepsItsIpv6Source() {
        UdpEndpoint server = b.udp().open(5000, null);
        UdpEndpoint client = a.udp().open(0, null);
        assertThat(client.send(B6.hi(), B6.lo(), 5000, payload, 0, payload.length)).isTrue();
        assertThat(client.send(0x0A000002, 5000, payload, 0, payload.length)).isTrue();
        run();
        Datagram first = server.poll();
        Datagram second = server.poll();
        Datagram d6 = first.isIpv4() ? second : first;
        Datagram d4 = first.isIpv4() ? first : second;
        assertThat(d6.isIpv4()).isFalse();
        assertThat(d6.isFrom(A6.hi(), A6.lo(), client.localPort())).isTrue();
        assertThat(d6.source()).isInstanceOf(Inet6Address.class).isEqualTo(A6.toInetAddress());
        assertThat(d6.srcIp()).isZero();
        assertThat(d6.data()).containsExactly(payload);
        assertThat(d4.isIpv4()).isTrue();
        assertThat(d4.srcIp()).isEqualTo(0x0A000001);
    }

    /** A peer flooding an endpoint nobody reads makes it hold only its queue's bound; the rest is dropped and counted. */
    @Test
    void aFloodOverIpv6IsHeldToTheQueueBound() {
        UdpEndpoint server = b.udp().open(5000, null);
        UdpEndpoint client = a.udp().open(0, null);
        for (int i = 0; i < 100; i++) {
            client.send(B6.hi(), B6.lo(), 5000, payload, 0, payload.length);
            loop.runFor(MS);
        }
        run();
        assertThat(server.queued()).isEqualTo(16);
        assertThat(server.droppedCount()).isEqualTo(84);
        assertThat(b.counters().get("udp.rx.drop.queue_full")).isEqualTo(84);
    }

    @Test
    void unboundPortsAnswerWithIcmpv6PortUnreachableUnderTheRateLimit() {
        List<int[]> errors = new ArrayList<>();
        UdpEndpoint client = a.udp().open(0, new UdpHandler() {
            @Override
            public void onDatagram(UdpEndpoint endpoint, int srcIp, int srcPort, byte[] buf, int off, int len) {
            }

            @Override
            public void onError6(UdpEndpoint endpoint, long dstHi, long dstLo, int dstPort, int type, int code, String reason) {
                assertThat(new Ipv6Address(dstHi, dstLo)).isEqualTo(B6);
                errors.add(new int[] {type, code, dstPort});
            }
        });
        b.udp().open(9998, null);
        client.send(B6.hi(), B6.lo(), 9998, payload, 0, payload.length); // each learns the other's link address
        run();
        for (int i = 0; i < 200; i++) {
            client.send(B6.hi(), B6.lo(), 9999, payload, 0, payload.length); // all at once: one burst
        }
        run();
        assertThat(errors).isNotEmpty();
        assertThat(errors.get(0)).containsExactly(Icmpv6Message.TYPE_DEST_UNREACHABLE, Icmpv6Message.CODE_PORT_UNREACHABLE, 9999);
        long sent = b.counters().get("icmp6.tx.errors");
        assertThat(sent).isEqualTo(errors.size()).isLessThan(200);
        assertThat(b.counters().get("icmp6.tx.errors_rate_limited")).isEqualTo(200 - sent);
        assertThat(b.counters().get("udp.rx.drop.no_port")).isEqualTo(200);
    }

    @Test
    void boundAddressesAndIpv6OnlyChooseTheFamily() {
        UdpEndpoint v6only = b.udp().open(null, true, 5001, null);
        UdpEndpoint onV4 = b.udp().open(0x0A000002, 5002, null);
        UdpEndpoint onV6 = b.udp().open(B6, false, 5003, null);
        UdpEndpoint client = a.udp().open(0, null);
        for (int port = 5001; port <= 5003; port++) {
            client.send(B6.hi(), B6.lo(), port, payload, 0, payload.length);
            client.send(0x0A000002, port, payload, 0, payload.length);
        }
        run();
        assertThat(v6only.queued()).isEqualTo(1);
        assertThat(v6only.poll().isIpv4()).isFalse();
        assertThat(onV4.queued()).isEqualTo(1);
        assertThat(onV4.poll().isIpv4()).isTrue();
        assertThat(onV6.queued()).isEqualTo(1);
        assertThat(onV6.poll().isIpv4()).isFalse();
        assertThat(b.counters().get("udp.rx.drop.no_port")).isEqualTo(3);
        // and an IPv6-only endpoint has no IPv4 to send from
        assertThat(v6only.send(0x0A000001, 7, payload, 0, payload.length)).isFalse();
        // IPv6-only narrows the wildcard only: bound to an IPv4-mapped address, the endpoint is IPv4's and answers
        UdpEndpoint mapped = b.udp().open(org.jnetstack.wire.Ipv6Address.v4Mapped(0x0A000002), true, 5004, null);
        assertThat(mapped.isV6Only()).isFalse();
        assertThat(mapped.send(0x0A000001, 7, payload, 0, payload.length)).isTrue();
    }

    @Test
    void theCatchAllTakesIpv6() {
        List<String> seen = new ArrayList<>();
        b.udp().openAny(new UdpCatchAll() {
            @Override
            public void onDatagram(int srcIp, int srcPort, int dstIp, int dstPort, byte[] buf, int off, int len) {
                seen.add("v4 " + dstPort);
            }

            @Override
            public void onDatagram6(long srcHi, long srcLo, int srcPort, long dstHi, long dstLo, int dstPort,
                                    byte[] buf, int off, int len) {
                seen.add(new Ipv6Address(srcHi, srcLo) + " -> " + new Ipv6Address(dstHi, dstLo) + " " + dstPort + " " + len);
            }
        });
        UdpEndpoint client = a.udp().open(0, null);
        client.send(B6.hi(), B6.lo(), 6000, payload, 0, payload.length);
        run();
        assertThat(seen).containsExactly("fd00::1 -> fd00::2 6000 4");
        assertThat(b.counters().get("icmp6.tx.errors")).isZero();
    }
}
