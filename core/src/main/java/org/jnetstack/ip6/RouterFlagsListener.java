package org.jnetstack.ip6;

/**
 * Hears the "managed" and "other configuration" flags of each router advertisement a host's
 * interface takes (RFC 4861 §4.2): a DHCPv6 client starts from them. Loop thread.
 */
@FunctionalInterface
public interface RouterFlagsListener {
    void onRouterFlags(Ipv6Interface ifc, boolean managed, boolean other);
}
