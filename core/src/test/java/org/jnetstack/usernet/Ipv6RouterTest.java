package org.jnetstack.usernet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jnetstack.NetStack;
import org.jnetstack.config.StackConfig;
import org.jnetstack.internal.StackSecrets;
import org.jnetstack.ip6.AddressOrigin;
import org.jnetstack.ip6.AddressState;
import org.jnetstack.ip6.Ipv6AddressInfo;
import org.jnetstack.ip6.Ipv6NeighborInfo;
import org.jnetstack.ip6.Ipv6RouterInfo;
import org.jnetstack.ip6.Ping6Listener;
import org.jnetstack.link.VirtualSwitch;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.testing.TestPort;
import org.jnetstack.wire.EthernetFrame;
import org.jnetstack.wire.Icmpv6Message;
import org.jnetstack.wire.Ipv4Address;
import org.jnetstack.wire.Ipv6Address;
import org.jnetstack.wire.Ipv6Header;
import org.jnetstack.wire.Ipv6Packet;
import org.jnetstack.wire.MacAddress;
import org.jnetstack.wire.NdpMessage;
import org.jnetstack.wire.NdpOptions;
import org.jnetstack.wire.NdpWriter;
import org.junit.jupiter.api.Test;

/**
 * The gateway's IPv6 router role on virtual time, seeded: its stack built as {@link UserNet}
 * builds it ({@link UserNet#gatewayStackConfig}, a {@link RouterAdvertiser}), a guest stack on
 * the same switch. (UserNet itself runs on the system clock only: it talks to host sockets.)
 */
class Ipv6RouterTest {
    static final long SECOND = 1_000_000_000L;
    static final long MS = 1_000_000L;
    static final Ipv6Address PREFIX = UserNetIpv6.parsePrefix("fd6a:6e73:7400::/64");
    static final MacAddress GATEWAY_MAC = MacAddress.parse("52:55:0a:00:02:02");
    static final long FLOODER_MAC = 0x02_00_00_00_00_99L;
    static final Ipv6Address FLOODER = Ipv6Address.parse("fe80::99");

    final EventLoop loop = EventLoop.virtual();
    final VirtualSwitch lan = new VirtualSwitch();
    final TestPort gwPort = new TestPort(lan.newPort("gw", GATEWAY_MAC));
    /** Each router advertisement the gateway sent: when, and the frame. */
    final List<long[]> raTimes = new ArrayList<>();
    final List<byte[]> ras = new ArrayList<>();
    final NetStack gateway;
    final RouterAdvertiser router;

    Ipv6RouterTest() {
        gwPort.txFilter = f -> {
            if (isIcmpv6(f, Icmpv6Message.TYPE_ROUTER_ADVERTISEMENT)) {
                raTimes.add(new long[] {loop.clock().nanos()});
                ras.add(f);
            }
            return true;
        };
        gateway = NetStack.builder(loop).name("gw").device(gwPort).config(UserNet.gatewayStackConfig(StackConfig.defaults(), PREFIX))
                .address(Ipv4Address.parse("10.0.2.2"), 24).seed(1).build();
        router = new RouterAdvertiser(gateway, PREFIX, UserNetIpv6.defaults(), 1500, StackSecrets.seeded(1).newStream("usernet.ra"));
        router.start();
    }

    static boolean isIcmpv6(byte[] f, int type) {
        return f.length >= 54 + 4 && (f[12] & 0xFF) == 0x86 && (f[13] & 0xFF) == 0xDD && (f[14 + 6] & 0xFF) == Ipv6Packet.NH_ICMPV6
                && (f[54] & 0xFF) == type;
    }

    Ipv6Address gatewayLinkLocal() {
        return gateway.ipv6().interfaces().getFirst().linkLocalAddress();
    }

    static List<Ipv6AddressInfo> slaac(NetStack s) {
        return s.ipv6Addresses().stream().filter(a -> a.origin() == AddressOrigin.SLAAC && a.state() == AddressState.PREFERRED).toList();
    }

    /** Pings {@code dst} from {@code s} and runs until the answer: the replying address, or null. */
    Ipv6Address ping(NetStack s, Ipv6Address dst, int seq) {
        Ipv6Address[] from = new Ipv6Address[1];
        boolean[] done = new boolean[1];
        s.ping6(dst, 0x6a6e, seq, 32, Duration.ofSeconds(5), new Ping6Listener() {
            @Override
            public void onReply(int sequence, long fromHi, long fromLo, int hopLimit, int bytes, long rttNanos) {
                from[0] = new Ipv6Address(fromHi, fromLo);
                done[0] = true;
            }

            @Override
            public void onFailure(int sequence, long fromHi, long fromLo, String reason) {
                done[0] = true;
            }
        });
        loop.runUntil(() -> done[0], 10 * SECOND);
        return from[0];
    }

    @Test
    void guestFormsAnAddressInThePrefixRoutesThroughTheGatewayAndPingsBothItsAddresses() {
        TestPort guestPort = new TestPort(lan.newPort("guest", UserNet.GUEST_MAC));
        NetStack guest = NetStack.builder(loop).name("guest").device(guestPort).seed(7).build();
        assertThat(loop.runUntil(() -> slaac(guest).size() == 1, 30 * SECOND)).as("a SLAAC address within 30 s").isTrue();

        Ipv6AddressInfo addr = slaac(guest).getFirst();
        assertThat(addr.address().hi()).as("in the advertised prefix").isEqualTo(PREFIX.hi());
        assertThat(addr.prefixLength()).isEqualTo(64);
        assertThat(addr.validSeconds()).isBetween(30L * 86400 - 60, 30L * 86400);
        assertThat(addr.preferredSeconds()).isBetween(7L * 86400 - 60, 7L * 86400);
        Ipv6Address ll = gatewayLinkLocal();
        assertThat(Ipv6Address.isLinkLocal(ll.hi())).isTrue();
        assertThat(guest.ipv6Routers()).extracting(Ipv6RouterInfo::address).containsExactly(ll);
        assertThat(guest.ipv6Routers().getFirst().lifetimeSeconds()).isBetween(1790L, 1800L);
        assertThat(guest.ipv6Prefixes()).extracting(p -> p.prefix() + "/" + p.prefixLength()).containsExactly(PREFIX + "/64");
        assertThat(guest.ipv6DnsServers()).as("RDNSS (RFC 8106): the DNS address PREFIX::3").containsExactly(
                new Ipv6Address(PREFIX.hi(), 3));

        Ipv6Address gw2 = new Ipv6Address(PREFIX.hi(), 2);
        assertThat(ping(guest, gw2, 1)).as("echo reply from PREFIX::2").isEqualTo(gw2);
        assertThat(ping(guest, ll, 2)).as("echo reply from the link-local address").isEqualTo(ll);
        assertThat(guest.ipv6Neighbors()).as("the gateway's neighbour advertisements carry the Router flag (RFC 4861 §7.2.4)")
                .filteredOn(n -> n.address().equals(gw2)).extracting(Ipv6NeighborInfo::router).containsExactly(true);

        // Off-link destinations go to the default router: the gateway's MAC, from the SLAAC address.
        List<byte[]> out = new ArrayList<>();
        guestPort.txFilter = f -> { out.add(f); return true; };
        Ipv6Address offLink = Ipv6Address.parse("2001:db8::1");
        ping(guest, offLink, 3);
        byte[] echo = out.stream().filter(f -> isIcmpv6(f, Icmpv6Message.TYPE_ECHO_REQUEST)).findFirst().orElseThrow();
        assertThat(MacAddress.read(echo, 0)).isEqualTo(GATEWAY_MAC.bits());
        assertThat(new Ipv6Address(Ipv6Address.readHi(echo, 22), Ipv6Address.readLo(echo, 22))).isEqualTo(addr.address());
    }

    @Test
    void advertisesThePrefixMtuAndLinkLayerAddressThreeTimesAtStartThenEvery200To600Seconds() {
        loop.runFor(3600 * SECOND);
        assertThat(raTimes.size()).as("3 initial advertisements and then one per 200-600 s in an hour").isBetween(3 + 5, 3 + 18);
        long start = raTimes.getFirst()[0];
        assertThat(start).as("the first once the link-local address passed detection").isLessThan(3 * SECOND);
        for (int i = 1; i < raTimes.size(); i++) {
            long gap = raTimes.get(i)[0] - raTimes.get(i - 1)[0];
            if (i < RouterAdvertiser.MAX_INITIAL_RTR_ADVERTISEMENTS) {
                assertThat(gap).as("initial gap %d (RFC 4861 §6.2.4: at most 16 s)", i).isEqualTo(16 * SECOND);
            } else {
                assertThat(gap).as("gap %d", i).isBetween(200 * SECOND, 600 * SECOND);
            }
        }
        assertThat(gateway.counters().get("usernet.ip6.ra.tx")).isEqualTo(raTimes.size());

        byte[] f = ras.getFirst();
        int ip = EthernetFrame.HEADER_LENGTH;
        int m = ip + Ipv6Packet.HEADER_LENGTH;
        assertThat(MacAddress.read(f, 0)).as("to all nodes' MAC").isEqualTo(Ipv6Address.multicastMac(1));
        assertThat(f[ip + 7] & 0xFF).as("hop limit 255 (RFC 4861 §6.1.2)").isEqualTo(255);
        assertThat(new Ipv6Address(Ipv6Address.readHi(f, ip + 8), Ipv6Address.readLo(f, ip + 8))).isEqualTo(gatewayLinkLocal());
        assertThat(new Ipv6Address(Ipv6Address.readHi(f, ip + 24), Ipv6Address.readLo(f, ip + 24))).isEqualTo(Ipv6Address.ALL_NODES);
        int len = f.length - m;
        assertThat(new Icmpv6Message().wrap(f, m, len).check(Ipv6Address.readHi(f, ip + 8), Ipv6Address.readLo(f, ip + 8),
                Ipv6Address.ALL_NODES.hi(), Ipv6Address.ALL_NODES.lo())).as("checksum and length").isNull();
        assertThat(NdpMessage.raRouterLifetime(f, m)).isEqualTo(1800);
        assertThat(NdpMessage.raManaged(f, m) || NdpMessage.raOther(f, m)).isFalse();
        NdpOptions o = new NdpOptions();
        o.reset(f, NdpMessage.optionsOffset(Icmpv6Message.TYPE_ROUTER_ADVERTISEMENT, m), f.length - NdpMessage.optionsOffset(
                Icmpv6Message.TYPE_ROUTER_ADVERTISEMENT, m));
        List<Integer> types = new ArrayList<>();
        for (int t = o.next(); t >= 0; t = o.next()) {
            types.add(t);
            switch (t) {
                case NdpOptions.TYPE_PREFIX_INFO -> {
                    assertThat(new Ipv6Address(o.prefixHi(), o.prefixLo())).isEqualTo(PREFIX);
                    assertThat(o.prefixLength()).isEqualTo(64);
                    assertThat(o.onLink() && o.autonomous()).as("L and A flags").isTrue();
                    assertThat(o.validLifetime()).isEqualTo(30L * 86400);
                    assertThat(o.preferredLifetime()).isEqualTo(7L * 86400);
                }
                case NdpOptions.TYPE_MTU -> assertThat(o.mtu()).isEqualTo(1500);
                case NdpOptions.TYPE_SOURCE_LL -> assertThat(o.linkLayerAddress()).isEqualTo(GATEWAY_MAC.bits());
                case NdpOptions.TYPE_RDNSS -> assertThat(o.rdnssLifetime()).as("3 x MaxRtrAdvInterval (RFC 8106 §5.1)").isEqualTo(1800);
                default -> throw new AssertionError("unexpected option " + t);
            }
        }
        assertThat(types).containsExactlyInAnyOrder(NdpOptions.TYPE_PREFIX_INFO, NdpOptions.TYPE_MTU, NdpOptions.TYPE_SOURCE_LL,
                NdpOptions.TYPE_RDNSS);

        // RFC 4861 §6.2.5: stopping sends a last advertisement with router lifetime 0.
        router.stop();
        byte[] last = ras.getLast();
        assertThat(NdpMessage.raRouterLifetime(last, m)).isZero();
    }

    static byte[] routerSolicitation(Ipv6Address src, long mac) {
        byte[] msg = new byte[16];
        int len = NdpWriter.writeRouterSolicitation(msg, 0, mac);
        byte[] f = new byte[54 + len];
        EthernetFrame.write(f, 0, Ipv6Address.multicastMac(2), FLOODER_MAC, EthernetFrame.TYPE_IPV6);
        Ipv6Packet.writeHeader(f, 14, new Ipv6Header().payloadLength(len).nextHeader(Ipv6Packet.NH_ICMPV6).hopLimit(255)
                .source(src.hi(), src.lo()).destination(Ipv6Address.ALL_ROUTERS.hi(), Ipv6Address.ALL_ROUTERS.lo()));
        System.arraycopy(msg, 0, f, 54, len);
        Icmpv6Message.writeChecksum(f, 54, len, src.hi(), src.lo(), Ipv6Address.ALL_ROUTERS.hi(), Ipv6Address.ALL_ROUTERS.lo());
        return f;
    }

    @Test
    void aGuestsForgedRouterAdvertisementDoesNotConfigureTheGateway() {
        loop.runFor(5 * SECOND);
        int hopLimit = gateway.ipv6().interfaces().getFirst().curHopLimit();
        int addresses = gateway.ipv6Addresses().size();
        Ipv6Address forger = Ipv6Address.parse("fe80::bad");
        Ipv6Address evilPrefix = Ipv6Address.parse("2001:db8:bad::");
        byte[] msg = new byte[256];
        int len = NdpWriter.writeRouterAdvertisement(msg, 0, new NdpWriter.RouterAdvertisement().curHopLimit(1)
                .routerLifetime(9000).sourceMac(FLOODER_MAC).mtu(1280)
                .addPrefix(evilPrefix.hi(), evilPrefix.lo(), 64, true, true, 86_400, 86_400));
        byte[] f = new byte[54 + len];
        EthernetFrame.write(f, 0, Ipv6Address.multicastMac(1), FLOODER_MAC, EthernetFrame.TYPE_IPV6);
        Ipv6Packet.writeHeader(f, 14, new Ipv6Header().payloadLength(len).nextHeader(Ipv6Packet.NH_ICMPV6).hopLimit(255)
                .source(forger.hi(), forger.lo()).destination(Ipv6Address.ALL_NODES.hi(), Ipv6Address.ALL_NODES.lo()));
        System.arraycopy(msg, 0, f, 54, len);
        Icmpv6Message.writeChecksum(f, 54, len, forger.hi(), forger.lo(), Ipv6Address.ALL_NODES.hi(), Ipv6Address.ALL_NODES.lo());
        gwPort.injectReceived(f);
        loop.runFor(5 * SECOND);

        assertThat(gateway.counters().get("nd.rx.router_advertisements_ignored")).isEqualTo(1);
        assertThat(gateway.ipv6Routers()).as("no default router taken from a guest").isEmpty();
        assertThat(gateway.ipv6Addresses()).hasSize(addresses);
        assertThat(gateway.ipv6().interfaces().getFirst().curHopLimit()).isEqualTo(hopLimit);
        assertThat(gateway.ipv6().interfaces().getFirst().linkMtu()).isEqualTo(1500);
    }

    @Test
    void aFloodOfRouterSolicitationsGetsAtMostOneAdvertisementEveryThreeSeconds() {
        loop.runFor(60 * SECOND); // past the three initial advertisements
        int before = raTimes.size();
        assertThat(before).isEqualTo(3);
        byte[] rs = routerSolicitation(FLOODER, FLOODER_MAC);
        long floodStart = loop.clock().nanos();
        for (int i = 0; i < 1000; i++) {
            gwPort.injectReceived(rs);
            loop.runFor(10 * MS);
        }
        loop.runFor(SECOND);
        List<long[]> answers = raTimes.subList(before, raTimes.size());
        // RFC 4861 §6.2.6: the first within MAX_RA_DELAY_TIME, then never closer than MIN_DELAY_BETWEEN_RAS.
        assertThat(answers.getFirst()[0] - floodStart).isBetween(0L, 500 * MS);
        for (int i = 1; i < answers.size(); i++) {
            assertThat(answers.get(i)[0] - answers.get(i - 1)[0]).isBetween(3 * SECOND, 3 * SECOND + 500 * MS);
        }
        assertThat(answers.size()).as("10 s of flood: one answer, then one per 3-3.5 s").isBetween(3, 4);
        assertThat(gateway.counters().get("nd.rx.router_solicitations")).isEqualTo(1000);
        assertThat(gateway.counters().get("usernet.ip6.ra.tx_solicited")).isEqualTo(answers.size());
        assertThat(gateway.counters().get("usernet.ip6.rs.rate_limited")).isEqualTo(1000 - answers.size());
        assertThat(gateway.ipv6Neighbors()).as("the solicitation's link-layer address is learnt (§6.2.6)")
                .extracting(Ipv6NeighborInfo::address).contains(FLOODER);

        // Invalid solicitations (§6.1.1: a link-layer address from ::) are not answered.
        long invalid = gateway.counters().get("nd.rx.drop.invalid");
        gwPort.injectReceived(routerSolicitation(Ipv6Address.UNSPECIFIED, FLOODER_MAC));
        loop.runFor(SECOND);
        assertThat(gateway.counters().get("nd.rx.drop.invalid")).isEqualTo(invalid + 1);
        assertThat(gateway.counters().get("nd.rx.router_solicitations")).isEqualTo(1000);
    }

    @Test
    void theUniqueLocalPrefixIsTheSameForTheSameSeedAndDiffersBetweenSeeds() {
        Ipv6Address a = UserNetIpv6.uniqueLocalPrefix(StackSecrets.seeded(5).newStream("usernet.ula-global-id"));
        Ipv6Address again = UserNetIpv6.uniqueLocalPrefix(StackSecrets.seeded(5).newStream("usernet.ula-global-id"));
        Ipv6Address other = UserNetIpv6.uniqueLocalPrefix(StackSecrets.seeded(6).newStream("usernet.ula-global-id"));
        Ipv6Address unseeded = UserNetIpv6.uniqueLocalPrefix(StackSecrets.secure().newStream("usernet.ula-global-id"));
        assertThat(again).isEqualTo(a);
        assertThat(other).isNotEqualTo(a);
        assertThat(unseeded).isNotEqualTo(a).isNotEqualTo(other);
        for (Ipv6Address p : List.of(a, other, unseeded)) {
            assertThat(p.hi() >>> 56).as("fd00::/8 (RFC 4193 §3.1, L = 1)").isEqualTo(0xfdL);
            assertThat(p.hi() & 0xFFFF).as("subnet 0").isZero();
            assertThat(p.lo()).isZero();
            assertThat(Ipv6Address.isUniqueLocal(p.hi())).isTrue();
        }
        assertThat((a.hi() >>> 16) & ((1L << 40) - 1)).as("a 40-bit Global ID, not zero").isNotZero();
    }

    @Test
    void configurationTakesOnlyA64PrefixAndNamesTheAcceptedForm() {
        UserNetConfig c = UserNetConfig.defaults().withIpv6Prefix("fd12:3456:789a:1::/64");
        assertThat(c.ipv6().prefix()).isEqualTo(Ipv6Address.parse("fd12:3456:789a:1::"));
        assertThat(UserNetConfig.defaults().ipv6().enabled()).isTrue();
        assertThat(UserNetConfig.defaults().ipv6().prefix()).as("random unique local by default").isNull();
        for (String bad : List.of("fd12:3456:789a:1::/48", "fd12:3456:789a:1::5/64", "fe80::/64", "ff02::/64", "::/64",
                "fd12:3456:789a:1::", "nonsense/64", "fd12::/64x")) {
            assertThatThrownBy(() -> UserNetConfig.defaults().withIpv6Prefix(bad)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'" + bad + "'")
                    .hasMessageContaining("PREFIX/64");
        }
        assertThatThrownBy(() -> UserNetConfig.defaults().withMtu(1000)).hasMessageContaining("1280");
        assertThat(UserNetConfig.defaults().withIpv6(UserNetIpv6.off()).withMtu(1000).mtu()).isEqualTo(1000);
        assertThatThrownBy(() -> UserNetIpv6.defaults().withLifetimes(Duration.ofSeconds(100), Duration.ofDays(1), Duration.ofHours(1)))
                .hasMessageContaining("routerLifetime");
        assertThatThrownBy(() -> UserNetIpv6.defaults().withLifetimes(Duration.ofSeconds(1800), Duration.ofHours(1), Duration.ofDays(1)))
                .hasMessageContaining("preferredLifetime");
    }
}
