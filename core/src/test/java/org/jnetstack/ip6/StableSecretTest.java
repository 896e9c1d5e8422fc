package org.jnetstack.ip6;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.jnetstack.NetStack;
import org.jnetstack.config.StackConfig;
import org.jnetstack.link.VirtualSwitch;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.wire.Ipv6Address;
import org.jnetstack.wire.MacAddress;
import org.junit.jupiter.api.Test;

/**
 * {@link StackConfig#ipv6StableSecret()}: RFC 7217 §5's secret_key given from outside, so a stack
 * restarted with the same secret, MAC and prefix forms the same interface identifiers — unseeded,
 * every other key of the stack fresh from SecureRandom.
 */
class StableSecretTest {
    static final long SECOND = 1_000_000_000L;
    static final MacAddress MAC = MacAddress.parse("52:54:00:12:34:56");

    /** The link-local address an unseeded stack with {@code secret} forms (null: its own random secret). */
    static Ipv6Address linkLocal(String secret) {
        EventLoop loop = EventLoop.virtual();
        VirtualSwitch lan = new VirtualSwitch();
        NetStack s = NetStack.builder(loop).name("s").device(lan.newPort("s", MAC))
                .config(StackConfig.defaults().toBuilder().ipv6StableSecret(secret).build()).build();
        assertThat(loop.runUntil(() -> !s.ipv6Addresses().isEmpty() && s.ipv6Addresses().get(0).state() == AddressState.PREFERRED,
                10 * SECOND)).isTrue();
        Ipv6Address a = s.ipv6Addresses().get(0).address();
        s.close();
        return a;
    }

    @Test
    void theSameSecretGivesTheSameAddressAcrossRestartsAndAnotherOrNoneAnother() {
        String secret = "0123456789abcdef0123456789ABCDEF";
        Ipv6Address first = linkLocal(secret);
        assertThat(Ipv6Address.isLinkLocal(first.hi())).isTrue();
        assertThat(linkLocal(secret)).as("restarted with the same secret").isEqualTo(first);
        assertThat(linkLocal("fedcba9876543210fedcba9876543210")).as("another secret").isNotEqualTo(first);
        assertThat(linkLocal(null)).as("no secret: one drawn fresh each start").isNotEqualTo(linkLocal(null));
    }

    @Test
    void aMalformedSecretIsRefusedNamingTheForm() {
        for (String bad : new String[] {"", "0123", "0123456789abcdef0123456789abcdeg", "0123456789abcdef0123456789abcdef0"}) {
            assertThatThrownBy(() -> StackConfig.defaults().toBuilder().ipv6StableSecret(bad).build()).as(bad)
                    .hasMessageContaining("32 hex digits");
        }
    }
}
