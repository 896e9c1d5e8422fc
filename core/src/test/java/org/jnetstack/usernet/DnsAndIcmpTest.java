package org.jnetstack.usernet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jnetstack.dns.DnsResolver;
import org.jnetstack.dns.ResolverConfig;
import org.jnetstack.ip.PingListener;
import org.jnetstack.udp.UdpEndpoint;
import org.jnetstack.udp.UdpHandler;
import org.jnetstack.wire.DnsMessage;
import org.jnetstack.wire.DnsWriter;
import org.jnetstack.wire.IcmpMessage;
import org.jnetstack.wire.Ipv4Address;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The DNS address answering from the host's resolver, and the gateway's ICMP: ping and port unreachable. */
@Timeout(60)
class DnsAndIcmpTest {
    private static final int DNS = Ipv4Address.parseBits("10.0.2.3");
    private static final int GATEWAY = Ipv4Address.parseBits("10.0.2.2");

    /** A host resolver that knows two names. */
    private static final DnsForwarder.HostLookup HOSTS = name -> switch (name) {
        case "printer.test" -> new InetAddress[] {InetAddress.getByName("192.0.2.7"), InetAddress.getByName("192.0.2.8"),
            InetAddress.getByName("2001:db8::7")};
        case "v6only.test" -> new InetAddress[] {InetAddress.getByName("2001:db8::9")};
        default -> throw new UnknownHostException(name);
    };

    private static Harness withoutNameServer(DnsForwarder.HostLookup lookup) {
        UserNetConfig c = UserNetConfig.defaults();
        return new Harness(c, l -> UserNet.create(l, c, null, lookup));
    }

    @Test
    void withoutANameServerTheGuestsResolverGetsTheHostResolversAnswers() throws Exception {
        try (Harness h = withoutNameServer(HOSTS)) {
            DnsResolver resolver = h.onLoop(() -> {
                DnsResolver r = DnsResolver.create(h.guest, ResolverConfig.defaults());
                r.setServers(List.of(new Ipv4Address(DNS)));
                return r;
            });

            assertThat(resolver.resolve("printer.test")).containsExactly(InetAddress.getByName("192.0.2.7"),
                    InetAddress.getByName("192.0.2.8"));
            assertThatThrownBy(() -> resolver.resolve("nosuch.test")).isInstanceOf(UnknownHostException.class);
            assertThat(h.counter("usernet.dns.host_answers")).isEqualTo(1);
            assertThat(h.counter("usernet.dns.nxdomain")).isEqualTo(1);
        }
    }

    @Test
    void answersCarryTheQuestionAndOnlyTheAskedFamily() throws Exception {
        try (Harness h = withoutNameServer(HOSTS)) {
            RawClient client = new RawClient(h);

            DnsMessage aaaa = client.ask(0x1111, "printer.test", DnsMessage.TYPE_AAAA);
            assertThat(aaaa.id()).isEqualTo(0x1111);
            assertThat(aaaa.isResponse()).isTrue();
            assertThat(aaaa.recursionDesired()).as("RD copied").isTrue();
            assertThat(aaaa.rcode()).isEqualTo(DnsMessage.RCODE_NOERROR);
            assertThat(aaaa.questionType(0)).isEqualTo(DnsMessage.TYPE_AAAA);
            assertThat(aaaa.name(aaaa.questionName(0))).isEqualTo("printer.test");
            assertThat(aaaa.answerCount()).isEqualTo(1);
            assertThat(aaaa.recordType(0)).isEqualTo(DnsMessage.TYPE_AAAA);

            DnsMessage noA = client.ask(0x2222, "v6only.test", DnsMessage.TYPE_A);
            assertThat(noA.rcode()).as("the name exists: NODATA, not NXDOMAIN").isEqualTo(DnsMessage.RCODE_NOERROR);
            assertThat(noA.answerCount()).isZero();

            DnsMessage mx = client.ask(0x3333, "printer.test", DnsMessage.TYPE_MX);
            assertThat(mx.rcode()).isEqualTo(DnsMessage.RCODE_NOTIMP);

            DnsMessage nx = client.ask(0x4444, "nosuch.test", DnsMessage.TYPE_A);
            assertThat(nx.rcode()).isEqualTo(DnsMessage.RCODE_NXDOMAIN);
            assertThat(nx.id()).isEqualTo(0x4444);
        }
    }

    @Test
    void lookupsInFlightAreBounded() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger started = new AtomicInteger();
        DnsForwarder.HostLookup slow = name -> {
            started.incrementAndGet();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return new InetAddress[] {InetAddress.getByName("192.0.2.1")};
        };
        try (Harness h = withoutNameServer(slow)) {
            RawClient client = new RawClient(h);
            int extra = 5;
            for (int i = 0; i < DnsForwarder.MAX_IN_FLIGHT + extra; i++) {
                client.send(i, "host" + i + ".test", DnsMessage.TYPE_A);
            }
            // Every query has reached the gateway once the drop counter and the started lookups add up.
            while (h.counter("usernet.dns.drop.too_many_lookups") < extra) {
                Thread.sleep(10);
            }
            assertThat(client.replies).isEmpty();
            release.countDown();
            for (int i = 0; i < DnsForwarder.MAX_IN_FLIGHT; i++) {
                assertThat(client.next().rcode()).isEqualTo(DnsMessage.RCODE_NOERROR);
            }
            assertThat(started.get()).isEqualTo(DnsForwarder.MAX_IN_FLIGHT);
            // With the lookups done, a new query is taken again.
            assertThat(client.ask(999, "late.test", DnsMessage.TYPE_A).answerCount()).isEqualTo(1);
        }
    }

    @Test
    void aLoopbackNameServerThatRefusesHandsDnsToTheHostResolver() throws Exception {
        int closedPort;
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        InetSocketAddress stub = new InetSocketAddress(InetAddress.getLoopbackAddress(), closedPort);
        UserNetConfig c = UserNetConfig.defaults();
        try (Harness h = new Harness(c, l -> UserNet.create(l, c, stub, HOSTS))) {
            RawClient client = new RawClient(h);

            DnsMessage first = client.ask(0x5151, "printer.test", DnsMessage.TYPE_A);
            assertThat(first.id()).as("the refused query itself is answered").isEqualTo(0x5151);
            assertThat(first.answerCount()).isEqualTo(2);
            assertThat(h.counter("usernet.udp.port_unreachable")).isEqualTo(1);
            assertThat(h.onLoop(() -> h.net.dnsFromHostResolver())).isTrue();
            assertThat(client.ask(0x5152, "printer.test", DnsMessage.TYPE_A).answerCount()).isEqualTo(2);
        }
    }

    @Test
    void dnsOverTcpToTheDnsAddressReachesTheNameServer() throws Exception {
        try (java.net.ServerSocket nameServer = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            UserNetConfig c = UserNetConfig.defaults();
            InetSocketAddress upstream = new InetSocketAddress(InetAddress.getLoopbackAddress(), nameServer.getLocalPort());
            try (Harness h = new Harness(c, l -> UserNet.create(l, c, upstream, HOSTS))) {
                Thread.ofVirtual().start(() -> {
                    try (java.net.Socket s = nameServer.accept()) {
                        byte[] q = s.getInputStream().readNBytes(4);
                        s.getOutputStream().write(q); // a stand-in name server: echoes the query's first bytes
                    } catch (java.io.IOException e) {
                        // the assertion below fails
                    }
                });
                GuestPeer peer = new GuestPeer(new byte[] {0, 2, 0x12, 0x34}, 0, false, true);
                h.onLoop(() -> h.guest.tcp().connect(DNS, 53, peer));
                peer.endOfInput.get(30, TimeUnit.SECONDS);
                assertThat(peer.kept.toByteArray()).containsExactly(0, 2, 0x12, 0x34);
            }
        }
        // Without a name server there is nothing to relay TCP to: refused.
        try (Harness h = withoutNameServer(HOSTS)) {
            GuestPeer peer = new GuestPeer(new byte[] {0, 2, 0x12, 0x34}, 0, false, true);
            h.onLoop(() -> h.guest.tcp().connect(DNS, 53, peer));
            assertThatThrownBy(() -> peer.connected.get(30, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(java.net.ConnectException.class);
        }
    }

    @Test
    void aRefusedHostUdpPortIsReportedToTheGuestAsPortUnreachable() throws Exception {
        int closedPort;
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        try (Harness h = new Harness()) {
            CompletableFuture<int[]> error = new CompletableFuture<>();
            UdpEndpoint ep = h.onLoop(() -> h.guest.udp().open(40000, new UdpHandler() {
                @Override
                public void onDatagram(UdpEndpoint e, int srcIp, int srcPort, byte[] buf, int off, int len) {
                }

                @Override
                public void onError(UdpEndpoint e, int dstIp, int dstPort, int type, int code, String reason) {
                    error.complete(new int[] {dstIp, dstPort, type, code});
                }
            }));
            h.loop.execute(() -> ep.send(GATEWAY, closedPort, new byte[] {1, 2, 3}, 0, 3));

            int[] e = error.get(20, TimeUnit.SECONDS);
            assertThat(e).containsExactly(GATEWAY, closedPort, IcmpMessage.TYPE_DEST_UNREACHABLE, IcmpMessage.CODE_PORT_UNREACHABLE);
            assertThat(h.counter("usernet.udp.port_unreachable")).isEqualTo(1);
            assertThat(h.onLoop(() -> h.net.activeUdpFlows())).as("the refused flow is closed").isZero();
        }
    }

    @Test
    void theGatewayAndTheDnsAddressAnswerPing() throws Exception {
        try (Harness h = new Harness()) {
            for (int dst : new int[] {GATEWAY, DNS}) {
                CompletableFuture<Integer> from = new CompletableFuture<>();
                h.loop.execute(() -> h.guest.icmp().ping(dst, 7, 1, 56, TimeUnit.SECONDS.toNanos(10), new PingListener() {
                    @Override
                    public void onReply(int sequence, int fromIp, int ttl, int bytes, long rttNanos) {
                        from.complete(fromIp);
                    }

                    @Override
                    public void onFailure(int sequence, int fromIp, String reason) {
                        from.completeExceptionally(new AssertionError(reason));
                    }
                }));
                assertThat(from.get(20, TimeUnit.SECONDS)).as("reply from %s", Ipv4Address.format(dst)).isEqualTo(dst);
            }
        }
    }

    /** Raw DNS queries from the guest's port 5353, replies queued. */
    private static final class RawClient {
        final Harness h;
        final LinkedBlockingQueue<byte[]> replies = new LinkedBlockingQueue<>();
        final UdpEndpoint ep;

        RawClient(Harness h) throws Exception {
            this.h = h;
            ep = h.onLoop(() -> h.guest.udp().open(5353,
                    (e, srcIp, srcPort, buf, off, len) -> replies.add(java.util.Arrays.copyOfRange(buf, off, off + len))));
        }

        void send(int id, String name, int type) {
            h.loop.execute(() -> {
                byte[] b = new byte[512];
                int n = new DnsWriter().start(b, 0, b.length, id, DnsMessage.FLAG_RD).question(name, type).finish();
                ep.send(DNS, 53, b, 0, n);
            });
        }

        DnsMessage next() throws InterruptedException {
            byte[] r = replies.poll(20, TimeUnit.SECONDS);
            assertThat(r).as("a reply").isNotNull();
            DnsMessage m = new DnsMessage().wrap(r, 0, r.length);
            assertThat(m.check()).isNull();
            return m;
        }

        DnsMessage ask(int id, String name, int type) throws InterruptedException {
            send(id, name, type);
            return next();
        }
    }
}
