package org.jnetstack.usernet;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jnetstack.udp.UdpEndpoint;
import org.jnetstack.udp.UdpHandler;
import org.jnetstack.wire.DnsMessage;
import org.jnetstack.wire.DnsWriter;
import org.jnetstack.wire.Ipv6Address;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The gateway over IPv6 end to end (NAT66), unprivileged: the guest forms its address by SLAAC
 * from the gateway's advertisement and reaches host sockets on [::1] only, through
 * {@code PREFIX::2}; DNS at {@code PREFIX::3}.
 */
@Timeout(120)
class Nat66Test {
    static final String PREFIX = "fd00:6a6e:7366::/64";
    static final Ipv6Address GATEWAY = Ipv6Address.parse("fd00:6a6e:7366::2");
    static final Ipv6Address DNS = Ipv6Address.parse("fd00:6a6e:7366::3");
    static final InetAddress LOOPBACK6 = Ipv6Address.LOOPBACK.toInetAddress();

    static UserNetConfig config() {
        return UserNetConfig.defaults().withIpv6Prefix(PREFIX);
    }

    /** The test needs the host's IPv6 loopback; a host without it skips, saying so. */
    static void assumeIpv6Loopback() {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(LOOPBACK6, 0))) {
            assertThat(s.getLocalAddress()).isEqualTo(LOOPBACK6);
        } catch (Exception e) {
            Assumptions.abort("the host has no IPv6 loopback [::1]: " + e);
        }
    }

    static Harness ready(UserNetConfig c) throws Exception {
        Harness h = new Harness(c);
        assertThat(UserNetIpv6Test.awaitSlaac(h)).as("the guest's SLAAC address").hasSize(1);
        return h;
    }

    @Test
    void guestFetchesFromAnHttpServerOnTheHostsIpv6LoopbackThroughTheGatewayAddress() throws Exception {
        assumeIpv6Loopback();
        HttpServer http = TestServers.hostHello(LOOPBACK6);
        try (Harness h = ready(config())) {
            byte[] request = "GET /hello HTTP/1.0\r\nHost: [fd00:6a6e:7366::2]\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
            GuestPeer peer = new GuestPeer(request, 0, false, true);
            h.onLoop(() -> h.guest.tcp().connect(GATEWAY, http.getAddress().getPort(), peer));
            peer.endOfInput.get(30, TimeUnit.SECONDS);
            String response = peer.kept.toString(StandardCharsets.UTF_8);
            assertThat(response).startsWith("HTTP/1.1 200").endsWith("hello guest, you came from 0:0:0:0:0:0:0:1");
            assertThat(h.counter("usernet.tcp.nat.connects")).isEqualTo(1);
        } finally {
            http.stop(0);
        }
    }

    @Test
    void guestUdpToTheGatewayAddressIsEchoedByAHostSocketOnIpv6Loopback() throws Exception {
        assumeIpv6Loopback();
        try (DatagramSocket echo = new DatagramSocket(new InetSocketAddress(LOOPBACK6, 0)); Harness h = ready(config())) {
            Thread.ofVirtual().start(() -> {
                byte[] b = new byte[2048];
                try {
                    DatagramPacket p = new DatagramPacket(b, b.length);
                    echo.receive(p);
                    byte[] reply = ("echo " + new String(b, 0, p.getLength(), StandardCharsets.US_ASCII) + " from "
                            + p.getAddress().getHostAddress()).getBytes(StandardCharsets.US_ASCII);
                    echo.send(new DatagramPacket(reply, reply.length, p.getSocketAddress()));
                } catch (Exception e) {
                    // the test fails on the missing reply
                }
            });
            Datagrams6 guest = new Datagrams6(h, 4000);
            guest.send(GATEWAY, echo.getLocalPort(), "ping6-udp".getBytes(StandardCharsets.US_ASCII));
            Datagrams6.Received r = guest.next();
            assertThat(r.from()).as("the reply comes from the address the guest sent to").isEqualTo(GATEWAY);
            assertThat(r.port()).isEqualTo(echo.getLocalPort());
            assertThat(new String(r.data(), StandardCharsets.US_ASCII)).isEqualTo("echo ping6-udp from 0:0:0:0:0:0:0:1");
            assertThat(h.onLoop(h.net::activeUdpFlows)).isEqualTo(1);
        }
    }

    @Test
    void dnsAtTheIpv6DnsAddressIsAnnouncedInRdnssAndAnswered() throws Exception {
        DnsForwarder.HostLookup hosts = name -> switch (name) {
            case "printer.test" -> new InetAddress[] {InetAddress.getByName("192.0.2.7"), InetAddress.getByName("2001:db8::7")};
            default -> throw new UnknownHostException(name);
        };
        UserNetConfig c = config();
        try (Harness h = new Harness(c, l -> UserNet.create(l, c, null, hosts))) {
            assertThat(UserNetIpv6Test.awaitSlaac(h)).hasSize(1);
            assertThat(h.net.ipv6Dns()).isEqualTo(DNS);
            assertThat(h.onLoop(h.guest::ipv6DnsServers)).as("RDNSS (RFC 8106) in the advertisement").containsExactly(DNS);
            Datagrams6 guest = new Datagrams6(h, 5353);
            DnsMessage m = guest.askDns(0x6666, "printer.test", DnsMessage.TYPE_AAAA);
            assertThat(m.check()).isNull();
            assertThat(m.id()).isEqualTo(0x6666);
            assertThat(m.rcode()).isEqualTo(DnsMessage.RCODE_NOERROR);
            assertThat(m.answerCount()).isEqualTo(1);
            assertThat(m.recordType(0)).isEqualTo(DnsMessage.TYPE_AAAA);
            assertThat(h.counter("usernet.dns.host_answers")).isEqualTo(1);
        }
    }

    @Test
    void dnsOverIpv6IsRelayedToTheHostsNameServer() throws Exception {
        assumeIpv6Loopback();
        try (DatagramSocket ns = new DatagramSocket(new InetSocketAddress(LOOPBACK6, 0))) {
            Thread.ofVirtual().start(() -> {
                byte[] b = new byte[512];
                try {
                    DatagramPacket p = new DatagramPacket(b, b.length);
                    ns.receive(p);
                    b[2] |= (byte) 0x80; // a stand-in name server: the query back as a response
                    ns.send(new DatagramPacket(b, p.getLength(), p.getSocketAddress()));
                } catch (Exception e) {
                    // the test fails on the missing reply
                }
            });
            UserNetConfig c = config();
            InetSocketAddress upstream = new InetSocketAddress(LOOPBACK6, ns.getLocalPort());
            try (Harness h = new Harness(c, l -> UserNet.create(l, c, upstream))) {
                assertThat(UserNetIpv6Test.awaitSlaac(h)).hasSize(1);
                Datagrams6 guest = new Datagrams6(h, 5353);
                DnsMessage m = guest.askDns(0x7777, "x.test", DnsMessage.TYPE_A);
                assertThat(m.id()).isEqualTo(0x7777);
                assertThat(m.isResponse()).isTrue();
                assertThat(h.counter("usernet.dns.host_answers")).as("relayed, not answered from the host resolver").isZero();
            }
        }
    }

    @Test
    void withoutHostLoopbackTheGatewayAddressIsRefused() throws Exception {
        try (Harness h = ready(config().withHostLoopback(false))) {
            GuestPeer peer = new GuestPeer(new byte[1], 0, false, true);
            h.onLoop(() -> h.guest.tcp().connect(GATEWAY, 9, peer));
            assertThat(peer.connected).failsWithin(Duration.ofSeconds(20)).withThrowableOfType(ExecutionException.class)
                    .withMessageContaining("refused");
            assertThat(h.counter("usernet.tcp.nat.denied")).isEqualTo(1);
            assertThat(h.counter("usernet.tcp.nat.connects")).isZero();
        }
    }

    @Test
    void aClosedHostPortOnIpv6LoopbackComesBackAsIcmpv6PortUnreachable() throws Exception {
        assumeIpv6Loopback();
        int closed;
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(LOOPBACK6, 0))) {
            closed = s.getLocalPort(); // free again once closed
        }
        try (Harness h = ready(config())) {
            Datagrams6 guest = new Datagrams6(h, 4001);
            long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (h.counter("usernet.udp.port_unreachable") == 0 && System.nanoTime() < end) {
                guest.send(GATEWAY, closed, new byte[] {1}); // the host's refusal answers the next datagram
                Thread.sleep(100);
            }
            assertThat(h.counter("usernet.udp.port_unreachable")).isPositive();
            assertThat(h.counter("icmp6.tx.errors")).as("reported to the guest over ICMPv6 (RFC 4443 §3.1)").isPositive();
        }
    }

    @Test
    void destinationsThatAreNotPassedOnOverIpv6() throws Exception {
        try (Harness h = ready(config())) {
            for (String dst : List.of("fd00:6a6e:7366::99", "fe80::1", "ff02::1", "::1", "::", "::ffff:127.0.0.1")) {
                Ipv6Address a = Ipv6Address.parse(dst);
                assertThat(h.onLoop(() -> h.net.hostTarget(a.hi(), a.lo(), 80))).as(dst).isNull();
            }
            Ipv6Address dns = DNS;
            assertThat(h.onLoop(() -> h.net.hostTarget(dns.hi(), dns.lo(), 80))).as("the DNS address: port 53 only").isNull();
            assertThat(h.onLoop(() -> h.net.hostTarget(GATEWAY.hi(), GATEWAY.lo(), 80)))
                    .isEqualTo(new InetSocketAddress(LOOPBACK6, 80));
            Ipv6Address outside = Ipv6Address.parse("2001:db8::1");
            assertThat(h.onLoop(() -> h.net.hostTarget(outside.hi(), outside.lo(), 80)))
                    .isEqualTo(new InetSocketAddress(outside.toInetAddress(), 80));
        }
    }

    @Test
    void aFloodOfIpv6UdpFlowsIsHeldToTheFlowBound() throws Exception {
        assumeIpv6Loopback();
        UserNetConfig d = config();
        int bound = 8;
        UserNetConfig c = new UserNetConfig(d.network(), d.prefixLength(), d.gateway(), d.dns(), d.guest(), d.mtu(),
                d.spliceBufferBytes(), d.connectTimeout(), d.udpIdleTimeout(), bound, d.maxTcpSplices(), true, true, List.of(), d.ipv6());
        List<DatagramSocket> sinks = new java.util.ArrayList<>();
        try (Harness h = ready(c)) {
            for (int i = 0; i < bound; i++) {
                sinks.add(new DatagramSocket(new InetSocketAddress(LOOPBACK6, 0))); // open ports: their flows live on
            }
            Datagrams6 guest = new Datagrams6(h, 6000);
            int flows = 100;
            for (int i = 0; i < flows; i++) {
                // each to its own [::1] port, a flow each: the first to the open ones, the rest refused by the bound
                guest.send(GATEWAY, i < bound ? sinks.get(i).getLocalPort() : 20000 + i, new byte[] {1});
            }
            long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (h.counter("usernet.udp.drop.too_many_flows") + h.counter("usernet.udp.flows") < flows && System.nanoTime() < end) {
                Thread.sleep(20);
            }
            assertThat(h.onLoop(h.net::activeUdpFlows)).isEqualTo(bound);
            assertThat(h.counter("usernet.udp.flows")).isEqualTo(bound);
            assertThat(h.counter("usernet.udp.drop.too_many_flows")).isEqualTo(flows - bound);
        } finally {
            sinks.forEach(DatagramSocket::close);
        }
    }

    @Test
    void aFloodOfIpv6SynsWhoseHostConnectsHangIsHeldToTheSynQueue() throws Exception {
        assumeIpv6Loopback();
        // A host listener that never accepts, backlog 1: past its first connections the host's
        // connects hang (the kernel drops their SYNs), so the gateway's requests stay pending.
        try (java.net.ServerSocket stuck = new java.net.ServerSocket()) {
            stuck.bind(new InetSocketAddress(LOOPBACK6, 0), 1);
            try (Harness h = ready(config())) {
                int bound = h.onLoop(() -> h.net.stack().tcp().config().synQueue());
                int syns = bound + 60;
                h.onLoop(() -> {
                    for (int i = 0; i < syns; i++) {
                        h.guest.tcp().connect(GATEWAY, stuck.getLocalPort(), new GuestPeer(0, false));
                    }
                    return null;
                });
                long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                int pending = 0;
                while (System.nanoTime() < end) {
                    pending = h.onLoop(() -> h.net.stack().tcp().pendingSynRequests());
                    assertThat(pending).as("never beyond the bound").isLessThanOrEqualTo(bound);
                    if (pending == bound && h.counter("tcp.syn_queue_full") > 0) {
                        break;
                    }
                    Thread.sleep(20);
                }
                assertThat(pending).as("held to the bound").isEqualTo(bound);
                assertThat(h.counter("tcp.syn_queue_full")).as("SYNs beyond the queue refused, counted").isPositive();
                assertThat(h.counter("usernet.tcp.nat.connects")).as("host connects only for SYNs taken").isLessThan(syns);
            }
        }
    }

    /** A guest UDP endpoint sending to IPv6 addresses, replies queued. */
    static final class Datagrams6 {
        record Received(Ipv6Address from, int port, byte[] data) {
        }

        final Harness h;
        final LinkedBlockingQueue<Received> replies = new LinkedBlockingQueue<>();
        final UdpEndpoint ep;

        Datagrams6(Harness h, int port) throws Exception {
            this.h = h;
            ep = h.onLoop(() -> h.guest.udp().open(port, new UdpHandler() {
                @Override
                public void onDatagram(UdpEndpoint e, int srcIp, int srcPort, byte[] buf, int off, int len) {
                }

                @Override
                public void onDatagram6(UdpEndpoint e, long srcHi, long srcLo, int srcPort, byte[] buf, int off, int len) {
                    replies.add(new Received(new Ipv6Address(srcHi, srcLo), srcPort, java.util.Arrays.copyOfRange(buf, off, off + len)));
                }
            }));
        }

        void send(Ipv6Address dst, int port, byte[] data) {
            CompletableFuture<Boolean> sent = new CompletableFuture<>();
            h.loop.execute(() -> sent.complete(ep.send(dst, port, data, 0, data.length)));
            assertThat(sent.join()).as("sent").isTrue();
        }

        /** A DNS query to {@link #DNS} port 53 and its answer, checked to come from there. */
        DnsMessage askDns(int id, String name, int type) throws InterruptedException {
            byte[] q = new byte[512];
            int n = new DnsWriter().start(q, 0, q.length, id, DnsMessage.FLAG_RD).question(name, type).finish();
            send(DNS, 53, java.util.Arrays.copyOf(q, n));
            Received r = next();
            assertThat(r.from()).isEqualTo(DNS);
            assertThat(r.port()).isEqualTo(53);
            return new DnsMessage().wrap(r.data(), 0, r.data().length);
        }

        Received next() throws InterruptedException {
            Received r = replies.poll(20, TimeUnit.SECONDS);
            assertThat(r).as("a reply").isNotNull();
            return r;
        }
    }
}
