package org.jnetstack.usernet;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jnetstack.NetStack;
import org.jnetstack.ip6.AddressOrigin;
import org.jnetstack.ip6.AddressState;
import org.jnetstack.ip6.Ipv6AddressInfo;
import org.jnetstack.ip6.Ipv6RouterInfo;
import org.jnetstack.ip6.Ping6Listener;
import org.jnetstack.wire.Ipv6Address;
import org.junit.jupiter.api.Test;

/** The IPv6 router role wired into {@link UserNet} itself (system clock): SLAAC, default router, ping, the off switch. */
class UserNetIpv6Test {

    static List<Ipv6AddressInfo> slaac(NetStack s) {
        return s.ipv6Addresses().stream().filter(a -> a.origin() == AddressOrigin.SLAAC && a.state() == AddressState.PREFERRED).toList();
    }

    /** Polls on the loop until {@code guest} has a SLAAC address, up to 20 s. */
    static List<Ipv6AddressInfo> awaitSlaac(Harness h) throws Exception {
        long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < end) {
            List<Ipv6AddressInfo> a = h.onLoop(() -> slaac(h.guest));
            if (!a.isEmpty()) {
                return a;
            }
            Thread.sleep(50);
        }
        return List.of();
    }

    static Ipv6Address ping(Harness h, Ipv6Address dst) throws Exception {
        CompletableFuture<Ipv6Address> from = new CompletableFuture<>();
        h.loop.execute(() -> h.guest.ping6(dst, 7, 1, 16, Duration.ofSeconds(5), new Ping6Listener() {
            @Override
            public void onReply(int sequence, long fromHi, long fromLo, int hopLimit, int bytes, long rttNanos) {
                from.complete(new Ipv6Address(fromHi, fromLo));
            }

            @Override
            public void onFailure(int sequence, long fromHi, long fromLo, String reason) {
                from.complete(null);
            }
        }));
        return from.get(10, TimeUnit.SECONDS);
    }

    @Test
    void guestOfTheUserNetFormsAnAddressInTheConfiguredPrefixAndPingsTheGateway() throws Exception {
        UserNetConfig config = UserNetConfig.defaults().withIpv6Prefix("fd00:6a6e:7300:1::/64");
        try (Harness h = new Harness(config)) {
            assertThat(h.net.ipv6Prefix()).isEqualTo(Ipv6Address.parse("fd00:6a6e:7300:1::"));
            assertThat(h.net.ipv6Gateway()).isEqualTo(Ipv6Address.parse("fd00:6a6e:7300:1::2"));
            List<Ipv6AddressInfo> a = awaitSlaac(h);
            assertThat(a).as("a SLAAC address from the gateway's advertisement").hasSize(1);
            assertThat(a.getFirst().address().hi()).isEqualTo(h.net.ipv6Prefix().hi());
            Ipv6Address ll = h.onLoop(() -> h.net.stack().ipv6().interfaces().getFirst().linkLocalAddress());
            assertThat(h.onLoop(h.guest::ipv6Routers)).extracting(Ipv6RouterInfo::address).containsExactly(ll);
            assertThat(ping(h, h.net.ipv6Gateway())).isEqualTo(h.net.ipv6Gateway());
            assertThat(ping(h, ll)).isEqualTo(ll);
            assertThat(h.net.toString()).contains("ipv6 fd00:6a6e:7300:1::/64");
        }
    }

    @Test
    void eachGatewayDrawsItsOwnUniqueLocalPrefixAndNoneWhenIpv6IsOff() throws Exception {
        try (Harness one = new Harness(); Harness two = new Harness()) {
            Ipv6Address p = one.net.ipv6Prefix();
            assertThat(Ipv6Address.isUniqueLocal(p.hi())).isTrue();
            assertThat(p.hi() >>> 56).isEqualTo(0xfdL);
            assertThat(two.net.ipv6Prefix()).as("unseeded: from SecureRandom").isNotEqualTo(p);
        }
        try (Harness off = new Harness(UserNetConfig.defaults().withIpv6(UserNetIpv6.off()))) {
            assertThat(off.net.ipv6Prefix()).isNull();
            assertThat(off.net.stack().ipv6()).isNull();
            Thread.sleep(2000);
            assertThat(off.counter("usernet.ip6.ra.tx")).isZero();
            assertThat(off.onLoop(() -> slaac(off.guest))).isEmpty();
        }
    }
}
