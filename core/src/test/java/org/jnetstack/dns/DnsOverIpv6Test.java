package org.jnetstack.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import org.jnetstack.NetStack;
import org.jnetstack.link.VirtualSwitch;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.socket.HappyEyeballs;
import org.jnetstack.socket.HappyEyeballsProbe;
import org.jnetstack.tcp.TcpConnection;
import org.jnetstack.wire.DnsMessage;
import org.jnetstack.wire.Ipv6Address;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The resolver asking a server over IPv6 for AAAA and A, and Happy Eyeballs resolving by it
 * (RFC 8305 §3), on the virtual switch and clock: name server fd00::53 (also 10.0.0.53), client
 * fd00::1 / 10.0.0.1, web server fd00::2 / 10.0.0.2.
 */
class DnsOverIpv6Test {
    static final long MS = 1_000_000L;
    final EventLoop loop = EventLoop.virtual();
    final VirtualSwitch lan = new VirtualSwitch();
    final NetStack ns = HappyEyeballsProbe.host(loop, lan, "ns", 53);
    final NetStack client = HappyEyeballsProbe.host(loop, lan, "client", 1);
    final NetStack web = HappyEyeballsProbe.host(loop, lan, "web", 2);
    final TestDnsServer server = new TestDnsServer(ns);
    final DnsResolver dns = DnsResolver.create(client,
            ResolverConfig.defaults().withDnsServers(List.of(DnsServer.parse("[fd00::53]:53"))));

    {
        server.aaaa("www.x.test", 300, "fd00::2");
        server.a("www.x.test", 300, 0x0A000002);
        server.aaaa("hole.x.test", 300, "fd00::99"); // on the link, nobody's: connections there black-hole
        server.a("hole.x.test", 300, 0x0A000002);
        web.tcp().listen(80, l -> l.accept());
    }

    @AfterEach
    void close() {
        loop.close();
    }

    DnsResult lookup(String name, int type) {
        List<DnsResult> got = new ArrayList<>();
        loop.execute(() -> dns.lookup(name, type, got::add));
        assertThat(loop.runUntil(() -> !got.isEmpty(), 60_000 * MS)).isTrue();
        return got.get(0);
    }

    @Test
    void aaaaAndAFromAServerReachedOverIpv6() {
        DnsResult v6 = lookup("www.x.test", DnsMessage.TYPE_AAAA);
        assertThat(v6.ok()).isTrue();
        assertThat(v6.addresses()).extracting(InetAddress::getHostAddress).containsExactly("fd00:0:0:0:0:0:0:2");
        assertThat(v6.server()).hasToString("fd00::53");
        DnsResult v4 = lookup("www.x.test", DnsMessage.TYPE_A);
        assertThat(v4.addresses()).extracting(InetAddress::getHostAddress).containsExactly("10.0.0.2");
        assertThat(server.seen).extracting(TestDnsServer.Seen::type).containsExactly(DnsMessage.TYPE_AAAA, DnsMessage.TYPE_A);
    }

    @Test
    void dnsServerFormsAndTheErrorNamingThem() {
        assertThat(DnsServer.parse("10.0.0.53")).hasToString("10.0.0.53");
        assertThat(DnsServer.parse("10.0.0.53:5353").port()).isEqualTo(5353);
        assertThat(DnsServer.parse("fd00::53").address()).isEqualTo(Ipv6Address.parse("fd00::53"));
        assertThat(DnsServer.parse("[fd00::53]:5353")).hasToString("[fd00::53]:5353");
        assertThat(DnsServer.parse("[fd00::53]").port()).isEqualTo(53);
        for (String bad : List.of("fd00::53:", "[fd00::53", "10.0.0.300", "[fd00::53]:x", "dns.example", "10.0.0.53:0")) {
            assertThatThrownBy(() -> DnsServer.parse(bad)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(bad).hasMessageContaining("[fd00::53]:5353");
        }
    }

    @Test
    void literalsOfBothFamiliesAnswerWithoutAQuery() {
        assertThat(lookup("fd00::2", DnsMessage.TYPE_AAAA).source()).isEqualTo(DnsResult.Source.LITERAL);
        assertThat(lookup("[fd00::2]", DnsMessage.TYPE_AAAA).ok()).isTrue();
        assertThat(lookup("fd00::2", DnsMessage.TYPE_A).status()).isEqualTo(DnsResult.Status.NO_DATA);
        assertThat(server.seen).isEmpty();
    }

    @Test
    void blockingResolveReturnsBothFamiliesInterleavedIpv6First() throws Exception {
        loop.start("dns6-loop");
        List<InetAddress> all = dns.resolve("www.x.test");
        assertThat(all).extracting(InetAddress::getHostAddress).containsExactly("fd00:0:0:0:0:0:0:2", "10.0.0.2");
    }

    // ---- Happy Eyeballs by name ----

    final HappyEyeballsProbe probe = new HappyEyeballsProbe(loop);
    final List<TcpConnection> won = probe.won;
    final List<IOException> failed = probe.failed;

    HappyEyeballs connect(String host) {
        HappyEyeballs[] he = new HappyEyeballs[1];
        loop.execute(() -> he[0] = HappyEyeballs.connect(client, dns, host, 80, client.tcp().config(), probe));
        assertThat(loop.runUntil(probe::ended, 60_000 * MS)).isTrue();
        return he[0];
    }

    @Test
    void byNameBothWorkingIpv6Wins() {
        HappyEyeballs he = connect("www.x.test");
        assertThat(won.get(0).remoteInetAddress().getHostAddress()).isEqualTo("fd00:0:0:0:0:0:0:2");
        assertThat(he.attempted()).hasSize(1);
    }

    @Test
    void byNameBlackHoledIpv6FallsBackToIpv4After250ms() throws UnknownHostException {
        long start = loop.clock().nanos();
        HappyEyeballs he = connect("hole.x.test");
        assertThat(won.get(0).remoteInetAddress()).isEqualTo(InetAddress.getByName("10.0.0.2"));
        assertThat(he.attempted()).extracting(InetAddress::getHostAddress).containsExactly("fd00:0:0:0:0:0:0:99", "10.0.0.2");
        assertThat(probe.wonAt - start).isBetween(250 * MS, 252 * MS); // DNS round trips are microseconds on the switch
    }

    /** §3: the A answer waits 50 ms for an AAAA answer that never comes, then connecting starts. */
    @Test
    void aMissingAaaaAnswerDelaysConnectingByTheResolutionDelayOnly() {
        server.ignoredTypes.add(DnsMessage.TYPE_AAAA);
        long start = loop.clock().nanos();
        connect("www.x.test");
        assertThat(won.get(0).remoteInetAddress().getHostAddress()).isEqualTo("10.0.0.2");
        assertThat(probe.wonAt - start).isBetween(50 * MS, 52 * MS);
    }

    @Test
    void anUnknownNameFailsWithTheResolversReason() {
        connect("nowhere.x.test");
        assertThat(won).isEmpty();
        assertThat(failed.get(0)).isInstanceOf(UnknownHostException.class).hasMessageContaining("nowhere.x.test");
    }
}
