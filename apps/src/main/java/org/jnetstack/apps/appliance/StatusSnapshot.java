package org.jnetstack.apps.appliance;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jnetstack.NetStack;
import org.jnetstack.ip.NetInterface;
import org.jnetstack.ip.Neighbors;
import org.jnetstack.ip.Route;
import org.jnetstack.tcp.TcpConnection;
import org.jnetstack.tcp.TcpListener;
import org.jnetstack.udp.UdpEndpoint;
import org.jnetstack.wire.Ipv4Address;
import org.jnetstack.wire.Ipv6Address;

/**
 * The protocol half of the status page, built on the loop thread from the stack's read-only
 * accessors into plain maps and lists (which serialize to JSON as they stand). Runs once per
 * status request, never per packet, so it may allocate freely.
 */
final class StatusSnapshot {
    private StatusSnapshot() {
    }

    static Map<String, Object> take(NetStack stack, Map<ApplianceService, ApplianceService.Running> services) {
        Map<String, Object> out = new LinkedHashMap<>();
        List<Map<String, Object>> ifaces = new ArrayList<>();
        List<Map<String, Object>> arp = new ArrayList<>();
        for (NetInterface ni : stack.interfaces()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", ni.name());
            m.put("mac", ni.mac().toString());
            m.put("mtu", ni.mtu());
            m.put("address", Ipv4Address.format(ni.address()));
            m.put("prefixLength", ni.prefixLength());
            m.put("netmask", Ipv4Address.format(ni.netmask()));
            m.put("broadcast", Ipv4Address.format(ni.broadcastAddress()));
            ifaces.add(m);
            for (Neighbors.Entry e : ni.neighbors().entries()) {
                Map<String, Object> a = new LinkedHashMap<>();
                a.put("interface", ni.name());
                a.put("ip", e.ip().toString());
                a.put("mac", e.mac() == null ? null : e.mac().toString());
                a.put("state", e.state());
                a.put("ageMillis", e.ageMillis());
                arp.add(a);
            }
        }
        out.put("interfaces", ifaces);
        List<Map<String, Object>> routes = new ArrayList<>();
        for (Route r : stack.routes()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("destination", Ipv4Address.format(r.network()) + "/" + r.prefixLength());
            m.put("gateway", r.gateway() == 0 ? null : Ipv4Address.format(r.gateway()));
            m.put("interface", r.iface() == null ? null : r.iface().name());
            routes.add(m);
        }
        out.put("routes", routes);
        out.put("arp", arp);
        out.put("ipv6", Ipv6Snapshot.take(stack));
        List<Map<String, Object>> listeners = new ArrayList<>();
        for (TcpListener l : stack.tcp().listeners()) {
            listeners.add(Map.of("local", bound(l.localHi(), l.localLo(), l.isV6Only(), l.port()), "queued", l.queued()));
        }
        List<Object> connections = new ArrayList<>();
        for (TcpConnection c : stack.tcp().connections()) {
            connections.add(c.info());
        }
        out.put("tcp", Map.of("listeners", listeners, "connections", connections));
        List<Map<String, Object>> udp = new ArrayList<>();
        for (UdpEndpoint e : stack.udp().endpoints()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("local", bound(e.localHi(), e.localLo(), e.isV6Only(), e.localPort()));
            m.put("peer", e.isConnected() ? endpoint(e.peerHi(), e.peerLo(), e.peerPort()) : null);
            m.put("queued", e.queued());
            m.put("received", e.receivedCount());
            m.put("dropped", e.droppedCount());
            udp.add(m);
        }
        out.put("udp", udp);
        out.put("counters", stack.counters().snapshot());
        services.forEach((s, r) -> out.put("service." + s.name(), r.status()));
        return out;
    }

    /**
     * An address and port in the two-long form (IPv4 as IPv4-mapped) as the TCP rows show them:
     * {@code 10.0.0.1:53}, {@code [fd00::1]:53} (RFC 5952 §6).
     */
    static String endpoint(long hi, long lo, int port) {
        return Ipv6Address.isV4Mapped(hi, lo) ? Ipv4Address.format((int) lo) + ":" + port
                : "[" + Ipv6Address.format(hi, lo) + "]:" + port;
    }

    /** A bound address: {@link #endpoint}, or for none {@code 0.0.0.0:port} (either family) or {@code [::]:port} (IPv6 only). */
    static String bound(long hi, long lo, boolean v6Only, int port) {
        if (Ipv6Address.isUnspecified(hi, lo)) {
            return (v6Only ? "[::]" : "0.0.0.0") + ":" + port;
        }
        return endpoint(hi, lo, port);
    }
}
