package org.jnetstack.ip6;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.jnetstack.NetStack;
import org.jnetstack.config.StackConfig;
import org.jnetstack.link.VirtualSwitch;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.testing.TestPort;
import org.jnetstack.wire.Ipv6Address;
import org.jnetstack.wire.NdpWriter;
import org.junit.jupiter.api.Test;

/**
 * Router discovery and SLAAC (RFC 4861 §6.3, RFC 4862 §5.5, RFC 8106) from advertisements a test
 * sends as the router, and the bounds of the neighbour cache under a flood, on virtual time.
 */
class Ipv6AutoconfTest {
    static final long SECOND = 1_000_000_000L;
    static final long ROUTER_MAC = 0x02_00_00_00_00_AAL;
    static final Ipv6Address ROUTER = Ipv6Address.parse("fe80::1");
    static final Ipv6Address PREFIX = Ipv6Address.parse("2001:db8:1::");
    static final Ipv6Address DNS = Ipv6Address.parse("2001:db8::53");

    final EventLoop loop = EventLoop.virtual();
    final VirtualSwitch lan = new VirtualSwitch();
    final TestPort port = new TestPort(lan.newPort("a"));
    final List<byte[]> sent = new ArrayList<>();
    final NetStack a;

    Ipv6AutoconfTest() {
        StackConfig cfg = StackConfig.defaults().toBuilder().ndMaxEntries(16).ndQueue(3, 20_000).build();
        a = NetStack.builder(loop).name("a").device(port).config(cfg).seed(11).build();
        port.txFilter = f -> { sent.add(f); return true; };
        assertThat(loop.runUntil(() -> !a.ipv6Addresses().isEmpty() && a.ipv6Addresses().get(0).state() == AddressState.PREFERRED,
                10 * SECOND)).isTrue();
    }

    Ipv6Interface ifc() {
        return a.ipv6().interfaces().get(0);
    }

    NdpWriter.RouterAdvertisement ra(long valid, long preferred) {
        return new NdpWriter.RouterAdvertisement().curHopLimit(63).routerLifetime(1800).reachableTime(20_000).retransTimer(2000)
                .sourceMac(ROUTER_MAC).mtu(1400).other(true)
                .addPrefix(PREFIX.hi(), PREFIX.lo(), 64, true, true, valid, preferred)
                .addDnsServer(DNS.hi(), DNS.lo()).dnsLifetime(600);
    }

    List<Ipv6AddressInfo> slaac() {
        return a.ipv6Addresses().stream().filter(i -> i.origin() == AddressOrigin.SLAAC).toList();
    }

    @Test
    void solicitsRoutersThenFormsAnAddressFromTheAdvertisedPrefix() {
        // RFC 4861 §6.3.7: solicitations to all routers (ff02::2) from the link-local address, at most 3.
        loop.runFor(20 * SECOND);
        assertThat(a.counters().get("nd.tx.router_solicitations")).isEqualTo(3);
        port.injectReceived(Ipv6TestFrames.routerAdvertisement(ROUTER_MAC, ROUTER, 255, ra(3600, 1800)));
        assertThat(loop.runUntil(() -> slaac().size() == 1 && slaac().get(0).state() == AddressState.PREFERRED, 10 * SECOND)).isTrue();

        Ipv6AddressInfo addr = slaac().get(0);
        assertThat(addr.address().hi()).isEqualTo(PREFIX.hi());
        assertThat(addr.address().lo()).as("RFC 7217 identifier, as for the link-local address")
                .isEqualTo(ifc().addressing().stableIid(PREFIX.hi(), 0));
        assertThat(addr.validSeconds()).isBetween(3590L, 3600L);
        assertThat(a.ipv6Routers()).extracting(Ipv6RouterInfo::address).containsExactly(ROUTER);
        assertThat(a.ipv6Prefixes()).extracting(p -> p.prefix() + "/" + p.prefixLength()).containsExactly("2001:db8:1::/64");
        assertThat(a.ipv6DnsServers()).containsExactly(DNS);
        assertThat(ifc().linkMtu()).isEqualTo(1400);
        assertThat(ifc().curHopLimit()).isEqualTo(63);
        assertThat(ifc().retransNanos()).isEqualTo(2 * SECOND);
        assertThat(ifc().reachableNanos()).isBetween(10 * SECOND, 30 * SECOND);
        assertThat(ifc().routers().other()).isTrue();
        assertThat(ifc().routers().managed()).isFalse();

        // Off-link traffic goes to the router's MAC (learnt from its advertisement), from the SLAAC address.
        sent.clear();
        a.ping6(Ipv6Address.parse("2001:db8:99::1"), 1, 1, 8, java.time.Duration.ofSeconds(1), Ipv6PingTest.listener(new ArrayList<>()));
        loop.runPending();
        assertThat(sent).anySatisfy(f -> {
            assertThat(org.jnetstack.wire.MacAddress.read(f, 0)).isEqualTo(ROUTER_MAC);
            assertThat(Ipv6Address.readHi(f, 22)).isEqualTo(addr.address().hi());
            assertThat(Ipv6Address.readLo(f, 22)).isEqualTo(addr.address().lo());
            assertThat(f[21] & 0xFF).as("the advertised hop limit").isEqualTo(63);
        });
    }

    @Test
    void lifetimesDeprecateThenRemoveAndTheTwoHourRuleResistsAShortValidLifetime() {
        port.injectReceived(Ipv6TestFrames.routerAdvertisement(ROUTER_MAC, ROUTER, 255, ra(3600, 1800)));
        assertThat(loop.runUntil(() -> slaac().size() == 1 && slaac().get(0).state() == AddressState.PREFERRED, 10 * SECOND)).isTrue();
        // RFC 4862 §5.5.3(e): a valid lifetime of 60 s cannot cut short one with 3600 s left (2 hours or less: ignored).
        port.injectReceived(Ipv6TestFrames.routerAdvertisement(ROUTER_MAC, ROUTER, 255, ra(60, 30)));
        loop.runPending();
        assertThat(slaac().get(0).validSeconds()).isGreaterThan(3500);
        assertThat(slaac().get(0).preferredSeconds()).isEqualTo(30); // the preferred lifetime is simply reset
        loop.runFor(31 * SECOND);
        assertThat(slaac().get(0).state()).isEqualTo(AddressState.DEPRECATED);
        loop.runFor(3600 * SECOND);
        assertThat(slaac()).isEmpty();
        assertThat(a.counters().get("ip6.addr.expired")).isEqualTo(1);
        assertThat(a.ipv6Routers()).as("router lifetime 1800 s passed").isEmpty();
    }

    @Test
    void advertisementThatCameThroughARouterIsIgnored() {
        port.injectReceived(Ipv6TestFrames.routerAdvertisement(ROUTER_MAC, ROUTER, 64, ra(3600, 1800)));
        loop.runFor(5 * SECOND);
        assertThat(slaac()).isEmpty();
        assertThat(a.ipv6Routers()).isEmpty();
        assertThat(a.counters().get("nd.rx.drop.invalid")).isEqualTo(1); // RFC 4861 §6.1.2: hop limit must be 255
    }

    @Test
    void mtuOptionBelow1280IsIgnored() {
        port.injectReceived(Ipv6TestFrames.routerAdvertisement(ROUTER_MAC, ROUTER, 255, ra(3600, 1800).mtu(1000)));
        loop.runPending();
        assertThat(ifc().linkMtu()).isEqualTo(1500);
        assertThat(a.counters().get("nd.rx.mtu_option_ignored")).isEqualTo(1);
    }

    @Test
    void aFloodOfAdvertisementsFromManyRoutersFillsEveryListOnlyToItsBoundAndCountsTheRest() {
        // 40 "routers", each announcing 4 prefixes of its own (on-link, autonomous) and 2 DNS servers.
        for (int r = 0; r < 40; r++) {
            Ipv6Address router = new Ipv6Address(Ipv6Address.LINK_LOCAL_HI, 0x100 + r);
            NdpWriter.RouterAdvertisement ra = new NdpWriter.RouterAdvertisement().routerLifetime(1800)
                    .sourceMac(0x02_00_00_20_00_00L + r).dnsLifetime(600);
            for (int p = 0; p < 4; p++) {
                Ipv6Address prefix = new Ipv6Address(0x2001_0db8_0000_0000L | (r << 16) | p, 0);
                ra.addPrefix(prefix.hi(), prefix.lo(), 64, true, true, 86_400, 14_400);
            }
            ra.addDnsServer(0x2001_0db8_ffff_0000L, 2L * r).addDnsServer(0x2001_0db8_ffff_0000L, 2L * r + 1);
            port.injectReceived(Ipv6TestFrames.routerAdvertisement(0x02_00_00_20_00_00L + r, router, 255, ra));
        }
        loop.runFor(5 * SECOND);

        assertThat(a.ipv6Routers()).hasSize(RouterDiscovery.MAX_ROUTERS);
        assertThat(a.ipv6Prefixes()).hasSize(RouterDiscovery.MAX_PREFIXES);
        assertThat(a.ipv6DnsServers()).hasSize(RouterDiscovery.MAX_DNS_SERVERS);
        assertThat(a.ipv6Addresses()).hasSize(Ipv6Interface.MAX_ADDRESSES);
        assertThat(a.counters().get("nd.routers.drop.list_full")).isEqualTo(40 - RouterDiscovery.MAX_ROUTERS);
        assertThat(a.counters().get("nd.prefixes.drop.list_full")).isEqualTo(40 * 4 - RouterDiscovery.MAX_PREFIXES);
        assertThat(a.counters().get("nd.rdnss.drop.list_full")).isEqualTo(40 * 2 - RouterDiscovery.MAX_DNS_SERVERS);
        assertThat(a.counters().get("ip6.addr.drop.table_full"))
                .as("SLAAC addresses beyond the table (one slot is the link-local address)")
                .isEqualTo(40 * 4 - (Ipv6Interface.MAX_ADDRESSES - 1));
    }

    @Test
    void cacheAndQueuesHoldTheirBoundsUnderAFloodOfSolicitationsFromManyAddresses() {
        Ipv6Address ll = a.ipv6Addresses().get(0).address();
        for (int i = 1; i <= 500; i++) {
            Ipv6Address src = new Ipv6Address(Ipv6Address.LINK_LOCAL_HI, 0x1000 + i);
            port.injectReceived(Ipv6TestFrames.solicitation(0x02_00_00_10_00_00L + i, src, ll));
            if (i % 50 == 0) {
                loop.runPending();
                assertThat(ifc().neighbors().size()).isLessThanOrEqualTo(16);
            }
        }
        loop.runPending();
        assertThat(ifc().neighbors().size()).isEqualTo(16);
        assertThat(a.counters().get("nd.rx.neighbor_solicitations")).isEqualTo(500);
        assertThat(a.counters().get("nd.tx.neighbor_advertisements")).isEqualTo(500);
        assertThat(a.counters().get("nd.cache.evicted")).isEqualTo(500 - 16);

        // Packets for unresolved neighbours: at most 3 each (oldest dropped), 20,000 bytes in all.
        for (int n = 0; n < 10; n++) {
            for (int seq = 0; seq < 5; seq++) {
                a.ping6(new Ipv6Address(Ipv6Address.LINK_LOCAL_HI, 0x9000 + n), 1, n * 10 + seq, 1200,
                        java.time.Duration.ofSeconds(30), Ipv6PingTest.listener(new ArrayList<>()));
            }
        }
        assertThat(ifc().neighbors().size()).isLessThanOrEqualTo(16);
        assertThat(ifc().neighbors().heldBytes()).isBetween(1, 20_000);
        // 50 packets of 1,294 bytes: 10 neighbours x 3 would be 38,820 bytes, beyond the 20,000 in all.
        long overflow = a.counters().get("nd.queue.drop.overflow");
        long memory = a.counters().get("nd.queue.drop.memory");
        assertThat(overflow).isBetween(1L, 20L);
        assertThat(memory).isPositive();
        assertThat(50 - overflow - memory).as("packets held").isLessThanOrEqualTo(20_000 / 1294);
        loop.runFor(10 * SECOND);
        assertThat(ifc().neighbors().heldBytes()).isZero();
    }

    /** A neighbour that claims every address we try: each duplicate address detection probe is answered with an advertisement. */
    void defendEveryTentativeAddress(long mac) {
        port.txFilter = f -> {
            sent.add(f);
            boolean dadProbe = f.length >= 78 && (f[12] & 0xFF) == 0x86 && (f[13] & 0xFF) == 0xDD
                    && Ipv6Address.readHi(f, 22) == 0 && Ipv6Address.readLo(f, 22) == 0
                    && (f[54] & 0xFF) == org.jnetstack.wire.Icmpv6Message.TYPE_NEIGHBOR_SOLICITATION;
            if (dadProbe) {
                Ipv6Address target = new Ipv6Address(Ipv6Address.readHi(f, 62), Ipv6Address.readLo(f, 62));
                byte[] m = new byte[32];
                int len = NdpWriter.writeNeighborAdvertisement(m, 0, false, false, true, target.hi(), target.lo(), mac);
                port.injectReceived(Ipv6TestFrames.icmpv6(mac, Ipv6Address.multicastMac(1), new Ipv6Address(Ipv6Address.LINK_LOCAL_HI, 0x66),
                        Ipv6Address.ALL_NODES, 255, m, len));
            }
            return true;
        };
    }

    @Test
    void aNeighbourDefendingEveryAddressHoldsOneSlotPerPrefixAndTheRetriesEnd() {
        defendEveryTentativeAddress(0x02_00_00_00_00_66L);
        // 50 advertisements, 10 s apart, of 3 prefixes; every address we form is claimed by the neighbour.
        for (int n = 0; n < 50; n++) {
            NdpWriter.RouterAdvertisement ra = new NdpWriter.RouterAdvertisement().routerLifetime(1800).sourceMac(ROUTER_MAC);
            for (int p = 0; p < 3; p++) {
                ra.addPrefix(0x2001_0db8_0007_0000L | p, 0, 64, true, true, 3600, 1800);
            }
            port.injectReceived(Ipv6TestFrames.routerAdvertisement(ROUTER_MAC, ROUTER, 255, ra));
            loop.runFor(10 * SECOND);
            assertThat(a.ipv6Addresses()).as("the link-local address and at most one slot per prefix").hasSizeLessThanOrEqualTo(1 + 3);
        }
        // RFC 7217 §6: the first try and IDGEN_RETRIES more for each prefix, then the prefix is given up.
        int tries = AddressConfiguration.IDGEN_RETRIES + 1;
        assertThat(a.counters().get("nd.dad.duplicates")).isEqualTo(3L * tries);
        assertThat(a.counters().get("ip6.slaac.prefixes_given_up")).isEqualTo(3);
        assertThat(a.counters().get("ip6.slaac.drop.given_up")).as("advertisements after giving up").isPositive();
        assertThat(a.counters().get("ip6.addr.drop.table_full")).isZero();
        assertThat(slaac()).hasSize(3).allSatisfy(i -> assertThat(i.state()).isEqualTo(AddressState.DUPLICATE));
        assertThat(a.ipv6().isLocalAddress(slaac().get(0).address().hi(), slaac().get(0).address().lo())).isFalse();

        // The markers go with the prefixes' valid lifetime; then the slots are free for a prefix that works.
        port.txFilter = f -> { sent.add(f); return true; };
        loop.runFor(3600 * SECOND);
        assertThat(slaac()).isEmpty();
        port.injectReceived(Ipv6TestFrames.routerAdvertisement(ROUTER_MAC, ROUTER, 255, ra(3600, 1800)));
        assertThat(loop.runUntil(() -> slaac().size() == 1 && slaac().get(0).state() == AddressState.PREFERRED, 10 * SECOND)).isTrue();
    }

    @Test
    void packetsWaitingForANeighbourAreChargedToTheStacksMemoryBudgetAndRefusedWhenItIsSpent() {
        org.jnetstack.internal.MemoryBudget budget = org.jnetstack.internal.MemoryBudget.of(a.ipv6().memory());
        long base = budget.used();
        a.ping6(new Ipv6Address(Ipv6Address.LINK_LOCAL_HI, 0x9001), 1, 1, 1200, java.time.Duration.ofSeconds(30),
                Ipv6PingTest.listener(new ArrayList<>()));
        assertThat(ifc().neighbors().heldBytes()).isPositive();
        assertThat(budget.used() - base).isEqualTo(ifc().neighbors().heldBytes());

        long rest = budget.available();
        budget.charge(rest);
        a.ping6(new Ipv6Address(Ipv6Address.LINK_LOCAL_HI, 0x9002), 1, 2, 1200, java.time.Duration.ofSeconds(30),
                Ipv6PingTest.listener(new ArrayList<>()));
        assertThat(a.counters().get("nd.queue.drop.memory_budget")).isEqualTo(1);
        budget.uncharge(rest);
        assertThat(budget.used() - base).as("only the first packet waits").isEqualTo(ifc().neighbors().heldBytes());

        loop.runFor(10 * SECOND); // resolution fails: what waited is dropped and given back
        assertThat(ifc().neighbors().heldBytes()).isZero();
        assertThat(budget.used()).isEqualTo(base);
    }

    @Test
    void aSolicitationFloodFromEverNewAddressesKeepsTheCacheAtItsBoundAndALegitimateNeighbourStillResolves() {
        Ipv6Address ll = a.ipv6Addresses().get(0).address();
        Ipv6Address friend = new Ipv6Address(Ipv6Address.LINK_LOCAL_HI, 0xF00D);
        long friendMac = 0x02_00_00_00_F0_0DL;
        List<String> pings = new ArrayList<>();
        for (int i = 1; i <= 5_000; i++) {
            Ipv6Address src = new Ipv6Address(Ipv6Address.LINK_LOCAL_HI, 0x10_0000 + i);
            port.injectReceived(Ipv6TestFrames.solicitation(0x02_00_00_10_00_00L + i, src, ll));
            if (i == 2_500) {
                // Mid-flood, we ping a neighbour: its entry is being resolved, so the flood cannot evict it.
                a.ping6(friend, 1, 1, 8, java.time.Duration.ofSeconds(5), Ipv6PingTest.listener(pings));
            }
            if (i % 100 == 0) {
                loop.runPending();
                assertThat(ifc().neighbors().size()).isLessThanOrEqualTo(16);
            }
        }
        assertThat(ifc().neighbors().size()).isEqualTo(16);
        assertThat(ifc().neighbors().state(friend.hi(), friend.lo())).isEqualTo(NeighborState.INCOMPLETE);
        assertThat(a.counters().get("nd.cache.evicted")).isEqualTo(5_000 + 1 - 16);
        // The neighbour answers (solicited advertisement with its MAC): the waiting ping goes out to it.
        byte[] m = new byte[32];
        int len = NdpWriter.writeNeighborAdvertisement(m, 0, false, true, true, friend.hi(), friend.lo(), friendMac);
        sent.clear();
        port.injectReceived(Ipv6TestFrames.icmpv6(friendMac, port.mac().bits(), friend, ll, 255, m, len));
        loop.runPending();
        assertThat(ifc().neighbors().state(friend.hi(), friend.lo())).isEqualTo(NeighborState.REACHABLE);
        assertThat(sent).anySatisfy(f -> assertThat(org.jnetstack.wire.MacAddress.read(f, 0)).isEqualTo(friendMac));
        // Now confirmed, it is the newest entry: another flood evicts the other 15 first.
        for (int i = 1; i <= 15; i++) {
            port.injectReceived(Ipv6TestFrames.solicitation(0x02_00_00_30_00_00L + i,
                    new Ipv6Address(Ipv6Address.LINK_LOCAL_HI, 0x30_0000 + i), ll));
        }
        loop.runPending();
        assertThat(ifc().neighbors().state(friend.hi(), friend.lo())).isEqualTo(NeighborState.REACHABLE);
    }
}
