package org.jnetstack.ip6;

/** Told of each valid Router Solicitation (RFC 4861 §6.1.1) an interface in the router role receives. Loop thread. */
@FunctionalInterface
public interface RouterSolicitationListener {
    /**
     * A router solicitation from {@code src} (:: when the host has no address yet) arrived on
     * {@code ifc}; its source link-layer address, if any, is already in the neighbour cache.
     */
    void routerSolicited(Ipv6Interface ifc, long srcHi, long srcLo);
}
