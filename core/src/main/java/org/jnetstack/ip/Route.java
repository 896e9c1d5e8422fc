package org.jnetstack.ip;

import org.jnetstack.wire.Ipv4Address;

/** One entry of the route table: {@code network/prefix} reached via {@code gateway} (0: directly) on {@code iface}. */
public record Route(int network, int prefixLength, int gateway, NetInterface iface) {
    public boolean matches(int dst) {
        int mask = Ipv4Address.mask(prefixLength);
        return (dst & mask) == (network & mask);
    }

    public int nextHop(int dst) {
        return gateway != 0 ? gateway : dst;
    }

    @Override
    public String toString() {
        return Ipv4Address.format(network) + "/" + prefixLength
                + (gateway != 0 ? " via " + Ipv4Address.format(gateway) : "")
                + " dev " + iface.name();
    }
}
