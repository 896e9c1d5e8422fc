package org.jnetstack.dns;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jnetstack.NetStack;
import org.jnetstack.link.VirtualSwitch;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.udp.UdpEndpoint;
import org.jnetstack.wire.DnsMessage;
import org.jnetstack.wire.DnsWriter;
import org.jnetstack.wire.Ipv4Address;
import org.jnetstack.wire.MacAddress;
import org.junit.jupiter.api.Test;

/** The resolver against scripted servers on a virtual LAN, on the virtual clock. */
class DnsResolverTest {
    private static final long S = 1_000_000_000L;
    static final Ipv4Address NS1 = Ipv4Address.parse("10.0.0.1");
    static final Ipv4Address NS2 = Ipv4Address.parse("10.0.0.2");
    final EventLoop loop = EventLoop.virtual();
    final VirtualSwitch lan = new VirtualSwitch();
    final NetStack s1 = NetStack.builder(loop).name("ns1").device(lan.newPort("ns1", new MacAddress(0x020000000001L))).address("10.0.0.1/24").seed(1).build();
    final NetStack s2 = NetStack.builder(loop).name("ns2").device(lan.newPort("ns2", new MacAddress(0x020000000002L))).address("10.0.0.2/24").seed(2).build();
    final NetStack client = NetStack.builder(loop).name("client").device(lan.newPort("cli", new MacAddress(0x020000000009L))).address("10.0.0.9/24").seed(9).build();
    final TestDnsServer one = new TestDnsServer(s1);
    final TestDnsServer two = new TestDnsServer(s2);
    DnsResolver dns = DnsResolver.create(client, ResolverConfig.defaults().withServers(List.of(NS1, NS2)));

    {
        for (TestDnsServer s : List.of(one, two)) {
            s.a("www.x.test", 300, 0x0A090901);
            s.a("www.x.test", 300, 0x0A090902);
            s.cname("alias.x.test", 100, "mid.x.test");
            s.cname("mid.x.test", 200, "www.x.test");
            s.cname("dangling.x.test", 100, "gone.x.test");
            s.cname("loop1.x.test", 100, "loop2.x.test");
            s.cname("loop2.x.test", 100, "loop1.x.test");
        }
    }

    private DnsResult lookup(String name) {
        return lookup(name, DnsMessage.TYPE_A);
    }

    private DnsResult lookup(String name, int type) {
        List<DnsResult> got = new ArrayList<>();
        dns.lookup(name, type, got::add);
        assertThat(loop.runUntil(() -> !got.isEmpty(), 600 * S)).isTrue();
        return got.get(0);
    }

    private static List<String> text(DnsResult r) {
        return r.addresses().stream().map(InetAddress::getHostAddress).toList();
    }

    @Test
    void resolvesAndCachesForTheTtl() {
        DnsResult r = lookup("WWW.x.test.");
        assertThat(r.status()).isEqualTo(DnsResult.Status.OK);
        assertThat(r.name()).isEqualTo("www.x.test");
        assertThat(text(r)).containsExactly("10.9.9.1", "10.9.9.2");
        assertThat(r.ttlSeconds()).isEqualTo(300);
        assertThat(r.server()).isEqualTo(DnsServer.of(NS1));
        assertThat(r.source()).isEqualTo(DnsResult.Source.SERVER);
        assertThat(one.seen).hasSize(1);

        loop.runFor(100 * S);
        DnsResult cached = lookup("www.x.test");
        assertThat(cached.source()).isEqualTo(DnsResult.Source.CACHE);
        assertThat(cached.ttlSeconds()).isEqualTo(200);
        assertThat(text(cached)).containsExactly("10.9.9.1", "10.9.9.2");
        assertThat(one.seen).hasSize(1);

        loop.runFor(200 * S);
        assertThat(lookup("www.x.test").source()).isEqualTo(DnsResult.Source.SERVER);
        assertThat(one.seen).hasSize(2);
    }

    @Test
    void followsACnameChainAndTakesTheSmallestTtl() {
        DnsResult r = lookup("alias.x.test");
        assertThat(r.ok()).isTrue();
        assertThat(r.cnames()).containsExactly("mid.x.test", "www.x.test");
        assertThat(text(r)).containsExactly("10.9.9.1", "10.9.9.2");
        assertThat(r.ttlSeconds()).isEqualTo(100);
        assertThat(one.seen).hasSize(1);
    }

    @Test
    void asksForTheTargetWhenTheServerGivesOnlyTheAlias() {
        one.followCnames = false;
        DnsResult r = lookup("alias.x.test");
        assertThat(r.ok()).isTrue();
        assertThat(r.cnames()).containsExactly("mid.x.test", "www.x.test");
        assertThat(one.seen).extracting(TestDnsServer.Seen::name).containsExactly("alias.x.test", "mid.x.test", "www.x.test");
    }

    @Test
    void aCnameLoopIsAFailureNotAHang() {
        one.followCnames = false;
        two.followCnames = false;
        DnsResult r = lookup("loop1.x.test");
        assertThat(r.status()).isEqualTo(DnsResult.Status.SERVER_FAILURE);
    }

    @Test
    void nxdomainIsCachedForTheSoaMinimum() {
        DnsResult r = lookup("nope.x.test");
        assertThat(r.status()).isEqualTo(DnsResult.Status.NXDOMAIN);
        assertThat(r.message()).isEqualTo("nope.x.test: no such name (NXDOMAIN) from 10.0.0.1");
        assertThat(r.ttlSeconds()).isEqualTo(60); // min(SOA TTL 600, MINIMUM 60), RFC 2308 §5
        assertThat(lookup("nope.x.test").source()).isEqualTo(DnsResult.Source.CACHE);
        loop.runFor(61 * S);
        assertThat(lookup("nope.x.test").source()).isEqualTo(DnsResult.Source.SERVER);
        assertThat(one.seen).hasSize(2);
        // NXDOMAIN at the end of a chain keeps the chain.
        DnsResult d = lookup("dangling.x.test");
        assertThat(d.status()).isEqualTo(DnsResult.Status.NXDOMAIN);
        assertThat(d.cnames()).containsExactly("gone.x.test");
    }

    @Test
    void negativeAnswersWithoutSoaAreNotCached() {
        one.soa = null;
        assertThat(lookup("nope.x.test").status()).isEqualTo(DnsResult.Status.NXDOMAIN);
        assertThat(lookup("nope.x.test").source()).isEqualTo(DnsResult.Source.SERVER);
        assertThat(one.seen).hasSize(2);
    }

    @Test
    void noDataForAnAaaaQuestion() {
        DnsResult r = lookup("www.x.test", DnsMessage.TYPE_AAAA);
        assertThat(r.status()).isEqualTo(DnsResult.Status.NO_DATA);
        assertThat(one.seen.get(0).type()).isEqualTo(DnsMessage.TYPE_AAAA);
    }

    @Test
    void failsOverToTheNextServerOnTimeoutAndOnServfail() {
        one.silent = true;
        long start = loop.clock().nanos();
        DnsResult r = lookup("www.x.test");
        assertThat(r.server()).isEqualTo(DnsServer.of(NS2));
        assertThat(loop.clock().nanos() - start).isGreaterThanOrEqualTo(2 * S);
        assertThat(client.counters().get("dns.timeouts")).isEqualTo(1);

        dns.clearCache();
        one.silent = false;
        one.rcode = DnsMessage.RCODE_SERVFAIL;
        start = loop.clock().nanos();
        r = lookup("www.x.test");
        assertThat(r.server()).isEqualTo(DnsServer.of(NS2));
        assertThat(loop.clock().nanos() - start).isLessThan(S); // no waiting for a timeout
    }

    @Test
    void givesUpAfterEveryRoundOverEveryServer() {
        one.silent = true;
        two.silent = true;
        long start = loop.clock().nanos();
        DnsResult r = lookup("www.x.test");
        assertThat(r.status()).isEqualTo(DnsResult.Status.TIMEOUT);
        assertThat(r.message()).isEqualTo("www.x.test: no answer from the DNS servers (timed out)");
        // 2 rounds x 2 servers x 2 s.
        assertThat(loop.clock().nanos() - start).isEqualTo(8 * S);
        assertThat(one.seen).hasSize(2);
        assertThat(two.seen).hasSize(2);

        one.silent = false;
        two.silent = false;
        one.rcode = DnsMessage.RCODE_REFUSED;
        two.rcode = DnsMessage.RCODE_REFUSED;
        assertThat(lookup("www.x.test").status()).isEqualTo(DnsResult.Status.SERVER_FAILURE);
    }

    @Test
    void everyQueryHasItsOwnRandomIdAndSourcePort() {
        one.silent = true;
        two.silent = true;
        lookup("www.x.test");
        List<TestDnsServer.Seen> all = new ArrayList<>(one.seen);
        all.addAll(two.seen);
        assertThat(all).extracting(TestDnsServer.Seen::id).doesNotHaveDuplicates();
        assertThat(all).extracting(TestDnsServer.Seen::srcPort).doesNotHaveDuplicates();
        assertThat(client.udp().endpoints()).isEmpty(); // every query's port closed again
    }

    @Test
    void forgedAnswersAreIgnoredAndTheRealOneTaken() {
        one.silent = true; // the real server stays quiet until we have forged
        List<DnsResult> got = new ArrayList<>();
        dns.lookup("www.x.test", got::add);
        loop.runFor(S / 10);
        TestDnsServer.Seen q = one.seen.get(0);
        UdpEndpoint forger = s1.udp().open(0, null);
        UdpEndpoint spoofed53 = s2.udp().open(5353, null);
        byte[] buf = new byte[512];
        DnsWriter w = new DnsWriter();
        // Wrong id, from the right server but a port other than 53, the right id with another question.
        int n = w.start(buf, 0, 512, q.id() ^ 1, DnsMessage.FLAG_QR).question("www.x.test", 1).finish();
        w.a(DnsMessage.SECTION_ANSWER, "www.x.test", 60, 0x01020304);
        n = w.finish();
        s1.udp().endpoints().stream().filter(e -> e.localPort() == 53).findFirst().orElseThrow().send(0x0A000009, q.srcPort(), buf, 0, n);
        forger.send(0x0A000009, q.srcPort(), buf, 0, n);
        w.start(buf, 0, 512, q.id(), DnsMessage.FLAG_QR).question("evil.x.test", 1);
        w.a(DnsMessage.SECTION_ANSWER, "evil.x.test", 60, 0x01020304);
        n = w.finish();
        s1.udp().endpoints().stream().filter(e -> e.localPort() == 53).findFirst().orElseThrow().send(0x0A000009, q.srcPort(), buf, 0, n);
        spoofed53.send(0x0A000009, q.srcPort(), buf, 0, n);
        loop.runFor(S / 10);
        assertThat(got).isEmpty();
        assertThat(client.counters().get("dns.rx.drop.mismatch")).isEqualTo(2);
        // The real answer (after the timeout, from the second server) is taken.
        loop.runUntil(() -> !got.isEmpty(), 10 * S);
        assertThat(text(got.get(0))).containsExactly("10.9.9.1", "10.9.9.2");
    }

    @Test
    void aTruncatedAnswerIsAskedAgainOverTcp() {
        one.truncateUdp = true;
        DnsResult r = lookup("alias.x.test");
        assertThat(r.ok()).isTrue();
        assertThat(text(r)).containsExactly("10.9.9.1", "10.9.9.2");
        assertThat(one.seen).extracting(TestDnsServer.Seen::tcp).containsExactly(false, true);
        assertThat(one.seen.get(1).id()).isEqualTo(one.seen.get(0).id());
        assertThat(client.counters().get("dns.tx.tcp_queries")).isEqualTo(1);
    }

    @Test
    void identicalLookupsInFlightShareOneQuery() {
        List<DnsResult> got = new ArrayList<>();
        dns.lookup("www.x.test", got::add);
        dns.lookup("WWW.X.TEST", got::add);
        loop.runUntil(() -> got.size() == 2, 10 * S);
        assertThat(one.seen).hasSize(1);
        assertThat(got.get(0)).isSameAs(got.get(1));
    }

    @Test
    void literalsHostsAndBadNamesNeedNoServer() {
        dns = DnsResolver.create(client, ResolverConfig.defaults());
        dns.addHost("Router.LAN", Ipv4Address.parse("10.0.0.1"));
        assertThat(lookup("10.1.2.3").source()).isEqualTo(DnsResult.Source.LITERAL);
        assertThat(text(lookup("10.1.2.3"))).containsExactly("10.1.2.3");
        DnsResult h = lookup("router.lan.");
        assertThat(h.source()).isEqualTo(DnsResult.Source.HOSTS);
        assertThat(text(h)).containsExactly("10.0.0.1");
        assertThat(lookup("bad name").status()).isEqualTo(DnsResult.Status.INVALID_NAME);
        assertThat(lookup("a..b").status()).isEqualTo(DnsResult.Status.INVALID_NAME);
        assertThat(lookup("x".repeat(64) + ".com").status()).isEqualTo(DnsResult.Status.INVALID_NAME);
        assertThat(lookup("www.x.test").status()).isEqualTo(DnsResult.Status.NO_SERVERS);
        dns.setServers(List.of(NS2));
        assertThat(lookup("www.x.test").server()).isEqualTo(DnsServer.of(NS2));
        assertThat(one.seen).isEmpty();
    }

    @Test
    void blockingResolveRefusesTheLoopThread() {
        List<Throwable> got = new ArrayList<>();
        loop.execute(() -> {
            try {
                dns.resolve("www.x.test");
            } catch (Throwable t) {
                got.add(t);
            }
        });
        loop.runFor(S);
        assertThat(got).singleElement().isInstanceOf(IllegalStateException.class);
    }

    @Test
    void blockingResolveFromAnotherThread() throws Exception {
        EventLoop real = EventLoop.system();
        VirtualSwitch sw = new VirtualSwitch();
        NetStack server = NetStack.builder(real).device(sw.newPort("s", new MacAddress(0x020000000011L))).address("10.0.0.1/24").build();
        NetStack me = NetStack.builder(real).device(sw.newPort("c", new MacAddress(0x020000000012L))).address("10.0.0.9/24").build();
        TestDnsServer srv = new TestDnsServer(server);
        srv.a("www.x.test", 60, 0x0A090901);
        DnsResolver r = DnsResolver.create(me, ResolverConfig.defaults().withServers(List.of(NS1)).withTimeout(Duration.ofSeconds(5), 1));
        real.start();
        try {
            assertThat(r.resolve("www.x.test")).extracting(InetAddress::getHostAddress).containsExactly("10.9.9.1");
            assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> r.resolve("nope.x.test")))
                    .isInstanceOf(java.net.UnknownHostException.class).hasMessage("nope.x.test: no such name (NXDOMAIN) from 10.0.0.1");
        } finally {
            real.close();
        }
    }

    @Test
    void aSingleLabelTriesTheSearchDomainsFirst() {
        dns.setSearchDomains(List.of("y.test", "X.Test.", "bad..domain"));
        assertThat(dns.searchDomains()).containsExactly("y.test", "x.test");
        DnsResult r = lookup("www");
        assertThat(r.ok()).isTrue();
        assertThat(r.name()).isEqualTo("www.x.test");
        assertThat(one.seen).extracting(TestDnsServer.Seen::name).containsExactly("www.y.test", "www.x.test");

        // Nothing anywhere: the bare name's answer is the one reported.
        DnsResult none = lookup("nothing");
        assertThat(none.status()).isEqualTo(DnsResult.Status.NXDOMAIN);
        assertThat(none.name()).isEqualTo("nothing");
        // Names with a dot are asked as they are.
        lookup("www.x");
        assertThat(one.seen).extracting(TestDnsServer.Seen::name).endsWith("www.x");
    }
}
