package org.jnetstack.apps.appliance;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jnetstack.NetStack;
import org.jnetstack.ip6.Ipv6AddressInfo;
import org.jnetstack.ip6.Ipv6Interface;
import org.jnetstack.ip6.Ipv6NeighborInfo;
import org.jnetstack.ip6.Ipv6PrefixInfo;
import org.jnetstack.ip6.Ipv6RouterInfo;
import org.jnetstack.wire.Ipv6Address;

/**
 * The IPv6 half of the status page: addresses with their state and origin, default routers,
 * on-link prefixes, the neighbour cache, the DNS servers (advertised and from stateless DHCPv6, then
 * those DHCPv6 gave with its search list apart), as plain maps (loop thread).
 * Lifetimes are seconds left, -1 for infinite.
 */
final class Ipv6Snapshot {
    private Ipv6Snapshot() {
    }

    static Map<String, Object> take(NetStack stack) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("enabled", stack.ipv6() != null);
        List<Map<String, Object>> addresses = new ArrayList<>();
        for (Ipv6AddressInfo a : stack.ipv6Addresses()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("interface", a.iface());
            m.put("address", a.address() + "/" + a.prefixLength());
            m.put("state", lower(a.state()));
            m.put("origin", lower(a.origin()));
            m.put("validSeconds", a.validSeconds());
            m.put("preferredSeconds", a.preferredSeconds());
            addresses.add(m);
        }
        out.put("addresses", addresses);
        List<Map<String, Object>> routers = new ArrayList<>();
        for (Ipv6RouterInfo r : stack.ipv6Routers()) {
            routers.add(Map.of("interface", r.iface(), "address", r.address().toString(), "lifetimeSeconds", r.lifetimeSeconds()));
        }
        out.put("routers", routers);
        List<Map<String, Object>> prefixes = new ArrayList<>();
        for (Ipv6PrefixInfo p : stack.ipv6Prefixes()) {
            prefixes.add(Map.of("interface", p.iface(), "prefix", p.prefix() + "/" + p.prefixLength(), "validSeconds", p.validSeconds()));
        }
        out.put("prefixes", prefixes);
        List<Map<String, Object>> neighbors = new ArrayList<>();
        for (Ipv6NeighborInfo n : stack.ipv6Neighbors()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("interface", n.iface());
            m.put("ip", n.address().toString());
            m.put("mac", n.mac() == null ? null : n.mac().toString());
            m.put("state", lower(n.state()));
            m.put("router", n.router());
            neighbors.add(m);
        }
        out.put("neighbors", neighbors);
        out.put("dns", stack.ipv6DnsServers().stream().map(Ipv6Address::toString).toList());
        // What stateless DHCPv6 gave (RFC 3646), shown apart from what routers advertised.
        List<Ipv6Interface> ifcs = stack.ipv6() == null ? List.of() : stack.ipv6().interfaces();
        out.put("dhcpv6Dns", ifcs.stream().flatMap(i -> i.routers().dhcpv6DnsServers().stream()).map(Ipv6Address::toString)
                .distinct().toList());
        out.put("dhcpv6Domains", ifcs.stream().flatMap(i -> i.routers().dhcpv6Domains().stream()).distinct().toList());
        return out;
    }

    private static String lower(Enum<?> e) {
        return e.name().toLowerCase(java.util.Locale.ROOT);
    }
}
