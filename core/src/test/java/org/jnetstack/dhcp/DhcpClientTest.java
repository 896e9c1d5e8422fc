package org.jnetstack.dhcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jnetstack.NetStack;
import org.jnetstack.ip.Route;
import org.jnetstack.link.VirtualSwitch;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.wire.DhcpMessage;
import org.jnetstack.wire.DhcpWriter;
import org.jnetstack.wire.Ipv4Address;
import org.jnetstack.wire.MacAddress;
import org.junit.jupiter.api.Test;

/** The client's state machine and timers against a scripted server, on the virtual clock. */
class DhcpClientTest {
    private static final long S = 1_000_000_000L;
    final EventLoop loop = EventLoop.virtual();
    final VirtualSwitch lan = new VirtualSwitch();
    final NetStack serverStack = NetStack.builder(loop).name("server").device(lan.newPort("srv", new MacAddress(0x020000000001L)))
            .address("10.0.0.1/24").seed(1).build();
    final TestDhcpServer server = new TestDhcpServer(serverStack);
    final NetStack client = NetStack.builder(loop).name("client").device(lan.newPort("cli", new MacAddress(0x020000000002L)))
            .seed(2).build();
    final List<String> events = new ArrayList<>();
    DhcpClient dhcp;

    private DhcpClient start(DhcpConfig config) {
        dhcp = DhcpClient.start(client, config);
        dhcp.addListener(new DhcpListener() {
            @Override
            public void onBound(DhcpLease lease) {
                events.add("bound " + lease.address());
            }

            @Override
            public void onRenewed(DhcpLease lease) {
                events.add("renewed " + lease.address());
            }

            @Override
            public void onLost(DhcpLease lease, String reason) {
                events.add("lost " + lease.address() + ": " + reason);
            }
        });
        return dhcp;
    }

    private void runUntilBound() {
        assertThat(loop.runUntil(() -> dhcp.state() == DhcpState.BOUND, 120 * S)).isTrue();
    }

    @Test
    void obtainsALeaseProbesAndAppliesEverything() {
        start(DhcpConfig.defaults().withHostName("jns-test"));
        runUntilBound();
        DhcpLease lease = dhcp.lease();
        assertThat(lease.address()).isEqualTo(new Ipv4Address(TestDhcpServer.FIRST));
        assertThat(lease.prefixLength()).isEqualTo(24);
        assertThat(lease.router()).isEqualTo(new Ipv4Address(TestDhcpServer.ADDRESS));
        assertThat(lease.dnsServers()).containsExactly(new Ipv4Address(TestDhcpServer.ADDRESS), Ipv4Address.parse("8.8.8.8"));
        assertThat(lease.domain()).isEqualTo("lan.test");
        assertThat(lease.leaseTime()).isEqualTo(Duration.ofSeconds(1000));
        assertThat(lease.toString()).isEqualTo("10.0.0.100/24 router 10.0.0.1 dns 10.0.0.1,8.8.8.8 domain lan.test mtu 1400 lease 1000s from 10.0.0.1");
        assertThat(client.iface().address()).isEqualTo(TestDhcpServer.FIRST);
        assertThat(client.iface().prefixLength()).isEqualTo(24);
        assertThat(client.iface().mtu()).isEqualTo(1400);
        assertThat(client.routes()).extracting(Route::gateway).contains(TestDhcpServer.ADDRESS);
        assertThat(events).containsExactly("bound 10.0.0.100");

        // Unconfigured, the client sends from 0.0.0.0 to 255.255.255.255.
        assertThat(server.seen).extracting(TestDhcpServer.Seen::type).containsExactly(DhcpMessage.DISCOVER, DhcpMessage.REQUEST);
        for (TestDhcpServer.Seen s : server.seen) {
            assertThat(s.srcIp()).isZero();
            assertThat(s.dstIp()).isEqualTo(-1);
            assertThat(s.hostName()).isEqualTo("jns-test");
        }
        TestDhcpServer.Seen request = server.seen.get(1);
        assertThat(request.requested()).isEqualTo(TestDhcpServer.FIRST);
        assertThat(request.serverId()).isEqualTo(TestDhcpServer.ADDRESS);
        assertThat(request.xid()).isEqualTo(server.seen.get(0).xid());
        // Two RFC 5227 probes, then the gratuitous ARP that binding sends.
        assertThat(client.counters().get("arp.tx.requests")).isEqualTo(3);

        // The stack is usable: the server reaches the client at its new address.
        List<String> pings = new ArrayList<>();
        serverStack.icmp().ping(TestDhcpServer.FIRST, 1, 1, 8, 5 * S, new org.jnetstack.ip.PingListener() {
            @Override
            public void onReply(int seq, int from, int ttl, int bytes, long rttNanos) {
                pings.add("reply");
            }

            @Override
            public void onFailure(int seq, int from, String reason) {
                pings.add(reason);
            }
        });
        loop.runUntil(() -> !pings.isEmpty(), 10 * S);
        assertThat(pings).containsExactly("reply");
    }

    @Test
    void renewsUnicastAtT1RebindsBroadcastAtT2AndCountsFromTheRequest() {
        start(DhcpConfig.defaults());
        runUntilBound();
        long requestAt = server.ofType(DhcpMessage.REQUEST).get(0).atNanos();
        server.ignoreUnicast = true;
        loop.runUntil(() -> events.size() == 2, 2000 * S);
        assertThat(events).containsExactly("bound 10.0.0.100", "renewed 10.0.0.100");

        List<TestDhcpServer.Seen> requests = server.ofType(DhcpMessage.REQUEST);
        // T1 = 500 s after the first REQUEST was sent: unicast to the server, ciaddr set.
        TestDhcpServer.Seen renew = requests.get(1);
        assertThat(renew.atNanos() - requestAt).isEqualTo(500 * S);
        assertThat(renew.dstIp()).isEqualTo(TestDhcpServer.ADDRESS);
        assertThat(renew.srcIp()).isEqualTo(TestDhcpServer.FIRST);
        assertThat(renew.ciaddr()).isEqualTo(TestDhcpServer.FIRST);
        assertThat(renew.requested()).isZero();
        assertThat(renew.serverId()).isZero();
        // RFC 2131 §4.4.5: retransmit after half the time left to T2, at least 60 s: 500 + 187.5 + 93.75 + 60.
        assertThat(requests.subList(1, 5)).extracting(r -> r.atNanos() - requestAt)
                .containsExactly(500 * S, 687_500_000_000L, 781_250_000_000L, 841_250_000_000L);
        assertThat(requests.subList(1, 5)).extracting(TestDhcpServer.Seen::dstIp).containsOnly(TestDhcpServer.ADDRESS);
        // T2 = 875 s: broadcast, which the server answers.
        TestDhcpServer.Seen rebind = requests.get(5);
        assertThat(rebind.atNanos() - requestAt).isEqualTo(875 * S);
        assertThat(rebind.dstIp()).isEqualTo(-1);
        assertThat(rebind.ciaddr()).isEqualTo(TestDhcpServer.FIRST);
        assertThat(requests).hasSize(6);
        assertThat(dhcp.state()).isEqualTo(DhcpState.BOUND);
        // The renewed lease counts from the rebinding REQUEST: the next T1 comes 500 s after it.
        server.ignoreUnicast = false;
        loop.runUntil(() -> server.ofType(DhcpMessage.REQUEST).size() == 7, 2000 * S);
        assertThat(server.ofType(DhcpMessage.REQUEST).get(6).atNanos() - rebind.atNanos()).isEqualTo(500 * S);
        assertThat(client.iface().address()).isEqualTo(TestDhcpServer.FIRST);
    }

    @Test
    void expiryRemovesTheAddressAndStartsOver() {
        start(DhcpConfig.defaults());
        runUntilBound();
        long requestAt = server.ofType(DhcpMessage.REQUEST).get(0).atNanos();
        server.silent = true;
        loop.runUntil(() -> events.size() == 2, 2000 * S);
        assertThat(events).containsExactly("bound 10.0.0.100", "lost 10.0.0.100: lease expired");
        assertThat(loop.clock().nanos() - requestAt).isEqualTo(1000 * S);
        assertThat(client.iface().address()).isZero();
        assertThat(client.routes()).isEmpty();
        assertThat(dhcp.lease()).isNull();
        assertThat(dhcp.state()).isEqualTo(DhcpState.SELECTING);
        loop.runFor(S); // the DISCOVER reaches the server
        assertThat(server.seen.get(server.seen.size() - 1).type()).isEqualTo(DhcpMessage.DISCOVER);
        assertThat(server.seen.get(server.seen.size() - 1).srcIp()).isZero();
        // Server back: a new lease.
        server.silent = false;
        runUntilBound();
        assertThat(events).last().isEqualTo("bound 10.0.0.100");
    }

    @Test
    void discoverBacksOffExponentiallyWithRandomizedTimeouts() {
        server.silent = true;
        start(DhcpConfig.defaults());
        loop.runUntil(() -> server.seen.size() == 9, 1000 * S);
        List<Long> gaps = new ArrayList<>();
        for (int i = 1; i < server.seen.size(); i++) {
            gaps.add(server.seen.get(i).atNanos() - server.seen.get(i - 1).atNanos());
        }
        long[] base = {4, 8, 16, 32, 64, 64, 64, 64};
        for (int i = 0; i < base.length; i++) {
            assertThat(gaps.get(i)).isBetween((base[i] - 1) * S, (base[i] + 1) * S);
        }
        assertThat(gaps).anyMatch(g -> g % S != 0); // randomized, not exact
        // secs counts from the start of acquisition (RFC 2131 §2), and the xid stays the same.
        assertThat(server.seen.get(8).secs()).isEqualTo((int) ((server.seen.get(8).atNanos() - server.seen.get(0).atNanos()) / S));
        assertThat(server.seen).extracting(TestDhcpServer.Seen::xid).containsOnly(server.seen.get(0).xid());
    }

    @Test
    void declinesAnAddressSomebodyAnswersForAndTakesAnother() {
        // A host already uses the address the server will offer first.
        NetStack squatter = NetStack.builder(loop).name("squatter").device(lan.newPort("sq", new MacAddress(0x020000000003L)))
                .address("10.0.0.100/24").seed(3).build();
        start(DhcpConfig.defaults());
        runUntilBound();
        assertThat(server.ofType(DhcpMessage.DECLINE)).hasSize(1);
        TestDhcpServer.Seen decline = server.ofType(DhcpMessage.DECLINE).get(0);
        assertThat(decline.requested()).isEqualTo(TestDhcpServer.FIRST);
        assertThat(decline.serverId()).isEqualTo(TestDhcpServer.ADDRESS);
        assertThat(decline.srcIp()).isZero();
        // RFC 2131 §3.1.5: at least ten seconds before the next DISCOVER.
        TestDhcpServer.Seen next = server.seen.get(server.seen.indexOf(decline) + 1);
        assertThat(next.type()).isEqualTo(DhcpMessage.DISCOVER);
        assertThat(next.atNanos() - decline.atNanos()).isGreaterThanOrEqualTo(10 * S);
        assertThat(dhcp.lease().address()).isEqualTo(new Ipv4Address(TestDhcpServer.FIRST + 1));
        assertThat(events).containsExactly("bound 10.0.0.101");
        assertThat(client.counters().get("dhcp.address_conflicts")).isEqualTo(1);
        assertThat(squatter.iface().address()).isEqualTo(TestDhcpServer.FIRST);
    }

    @Test
    void aNakSendsTheClientBackToDiscover() {
        server.naksToSend = 1;
        start(DhcpConfig.defaults());
        runUntilBound();
        assertThat(server.seen).extracting(TestDhcpServer.Seen::type).containsExactly(DhcpMessage.DISCOVER, DhcpMessage.REQUEST,
                DhcpMessage.DISCOVER, DhcpMessage.REQUEST);
        assertThat(server.seen.get(2).xid()).isNotEqualTo(server.seen.get(0).xid());
    }

    @Test
    void aNakWhileRenewingRemovesTheAddress() {
        start(DhcpConfig.defaults());
        runUntilBound();
        server.naksToSend = 1;
        dhcp.renew();
        loop.runUntil(() -> events.size() >= 3, 100 * S);
        assertThat(events).containsExactly("bound 10.0.0.100", "lost 10.0.0.100: server refused the lease (NAK): wrong network",
                "bound 10.0.0.100");
    }

    @Test
    void releaseGivesTheLeaseBackAndUnconfigures() {
        start(DhcpConfig.defaults());
        runUntilBound();
        dhcp.release();
        loop.runFor(S);
        TestDhcpServer.Seen release = server.seen.get(server.seen.size() - 1);
        assertThat(release.type()).isEqualTo(DhcpMessage.RELEASE);
        assertThat(release.ciaddr()).isEqualTo(TestDhcpServer.FIRST);
        assertThat(release.dstIp()).isEqualTo(TestDhcpServer.ADDRESS);
        assertThat(release.serverId()).isEqualTo(TestDhcpServer.ADDRESS);
        assertThat(client.iface().address()).isZero();
        assertThat(dhcp.state()).isEqualTo(DhcpState.STOPPED);
        assertThat(events).containsExactly("bound 10.0.0.100", "lost 10.0.0.100: released");
        // Stopped means silent.
        int count = server.seen.size();
        loop.runFor(5000 * S);
        assertThat(server.seen).hasSize(count);
    }

    @Test
    void initRebootRequestsTheRememberedAddressDirectly() {
        start(DhcpConfig.defaults().withRememberedAddress(Ipv4Address.parse("10.0.0.77")));
        runUntilBound();
        TestDhcpServer.Seen first = server.seen.get(0);
        assertThat(first.type()).isEqualTo(DhcpMessage.REQUEST);
        assertThat(first.requested()).isEqualTo(Ipv4Address.parseBits("10.0.0.77"));
        assertThat(first.serverId()).isZero(); // RFC 2131 §4.3.2: INIT-REBOOT names no server
        assertThat(first.ciaddr()).isZero();
        assertThat(first.dstIp()).isEqualTo(-1);
        assertThat(server.ofType(DhcpMessage.DISCOVER)).isEmpty();
        assertThat(dhcp.lease().address()).isEqualTo(Ipv4Address.parse("10.0.0.77"));
    }

    @Test
    void initRebootRefusedFallsBackToDiscover() {
        server.naksToSend = 1;
        start(DhcpConfig.defaults().withRememberedAddress(Ipv4Address.parse("10.0.0.77")));
        runUntilBound();
        assertThat(server.seen).extracting(TestDhcpServer.Seen::type).containsExactly(DhcpMessage.REQUEST, DhcpMessage.DISCOVER,
                DhcpMessage.REQUEST);
        assertThat(dhcp.lease().address()).isEqualTo(new Ipv4Address(TestDhcpServer.FIRST));
    }

    @Test
    void repliesForOtherTransactionsOrClientsAreIgnored() {
        server.silent = true;
        start(DhcpConfig.defaults());
        loop.runFor(S);
        byte[] b = new byte[400];
        int n = new DhcpWriter().start(b, 0, DhcpMessage.OP_REPLY, server.seen.get(0).xid() + 1, 0x020000000002L)
                .yiaddr(TestDhcpServer.FIRST).messageType(DhcpMessage.OFFER).address(DhcpMessage.OPT_SERVER_ID, TestDhcpServer.ADDRESS).finish();
        org.jnetstack.udp.UdpEndpoint forger = serverStack.udp().open(0, null);
        forger.send(-1, DhcpMessage.CLIENT_PORT, b, 0, n);
        loop.runFor(S);
        assertThat(dhcp.state()).isEqualTo(DhcpState.SELECTING);
        assertThat(client.counters().get("dhcp.rx.drop.not_ours")).isEqualTo(1);
    }

    @Test
    void whileRequestingOnlyTheChosenServerMayRefuse() {
        server.ignoreRequests = true;
        start(DhcpConfig.defaults());
        assertThat(loop.runUntil(() -> dhcp.state() == DhcpState.REQUESTING, 10 * S)).isTrue();
        int xid = server.seen.get(0).xid();
        org.jnetstack.udp.UdpEndpoint forger = serverStack.udp().open(0, null);
        byte[] b = new byte[400];
        int n = new DhcpWriter().start(b, 0, DhcpMessage.OP_REPLY, xid, 0x020000000002L).messageType(DhcpMessage.NAK)
                .address(DhcpMessage.OPT_SERVER_ID, 0x0A000063).finish();
        forger.send(-1, DhcpMessage.CLIENT_PORT, b, 0, n);
        loop.runFor(S / 10);
        assertThat(dhcp.state()).isEqualTo(DhcpState.REQUESTING);
        assertThat(client.counters().get("dhcp.rx.nak")).isZero();

        n = new DhcpWriter().start(b, 0, DhcpMessage.OP_REPLY, xid, 0x020000000002L).messageType(DhcpMessage.NAK)
                .address(DhcpMessage.OPT_SERVER_ID, TestDhcpServer.ADDRESS).finish();
        forger.send(-1, DhcpMessage.CLIENT_PORT, b, 0, n);
        loop.runFor(S / 10);
        assertThat(client.counters().get("dhcp.rx.nak")).isEqualTo(1);
        assertThat(server.ofType(DhcpMessage.DISCOVER)).hasSize(2); // started over
    }
}
