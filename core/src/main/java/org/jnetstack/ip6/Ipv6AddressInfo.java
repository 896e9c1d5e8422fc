package org.jnetstack.ip6;

import org.jnetstack.wire.Ipv6Address;

/**
 * An interface address as the admin page and {@code info()} show it. Lifetimes in seconds from
 * the moment of the snapshot, -1 for infinite.
 */
public record Ipv6AddressInfo(String iface, Ipv6Address address, int prefixLength, AddressState state,
                              AddressOrigin origin, long validSeconds, long preferredSeconds) {
    @Override
    public String toString() {
        return address + "/" + prefixLength + " " + state.name().toLowerCase() + " " + origin.name().toLowerCase();
    }
}
