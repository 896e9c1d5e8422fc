package org.jnetstack.apps.appliance;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.jnetstack.NetStack;
import org.jnetstack.config.StackConfig;
import org.jnetstack.link.VirtualSwitch;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.wire.Ipv4Address;
import org.jnetstack.wire.Ipv6Address;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The status page's UDP and TCP listener rows show IPv6 addresses as such, in brackets with the port. */
class StatusSnapshotTest {
    final EventLoop loop = EventLoop.virtual();
    final NetStack stack = NetStack.builder(loop).name("s").device(new VirtualSwitch().newPort("s"))
            .address("10.0.0.2/24").config(StackConfig.defaults().toBuilder().ipv6Address("fd00::2/64").build()).seed(1).build();

    @AfterEach
    void close() {
        loop.close();
    }

    @SuppressWarnings("unchecked")
    List<Map<String, Object>> udpRows() {
        return (List<Map<String, Object>>) StatusSnapshot.take(stack, Map.of()).get("udp");
    }

    @SuppressWarnings("unchecked")
    List<Map<String, Object>> listenerRows() {
        Map<String, Object> tcp = (Map<String, Object>) StatusSnapshot.take(stack, Map.of()).get("tcp");
        return (List<Map<String, Object>>) tcp.get("listeners");
    }

    @Test
    void udpRowsShowIpv6PeersAndAddressesInBrackets() {
        Ipv6Address peer = Ipv6Address.parse("2001:db8::53");
        stack.udp().open(Ipv6Address.parse("fd00::2"), false, 5353, null).connect(peer.hi(), peer.lo(), 53);
        stack.udp().open(Ipv6Address.UNSPECIFIED, true, 5354, null);
        stack.udp().open(5355, null).connect(Ipv4Address.parseBits("10.0.0.9"), 53);
        stack.udp().open(5356, null);

        assertThat(udpRows()).extracting(r -> r.get("local") + " " + r.get("peer")).containsExactlyInAnyOrder(
                "[fd00::2]:5353 [2001:db8::53]:53",
                "[::]:5354 null",
                "0.0.0.0:5355 10.0.0.9:53",
                "0.0.0.0:5356 null");
    }

    @Test
    void tcpListenerRowsShowIpv6AddressesInBrackets() {
        stack.tcp().listen(Ipv6Address.parse("fd00::2"), false, 80, 8, stack.tcp().config(), l -> { });
        stack.tcp().listen(Ipv4Address.parseBits("10.0.0.2"), 81, 8, l -> { });
        assertThat(listenerRows()).extracting(r -> r.get("local")).containsExactlyInAnyOrder("[fd00::2]:80", "10.0.0.2:81");
    }
}
