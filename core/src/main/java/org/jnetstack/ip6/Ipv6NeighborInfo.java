package org.jnetstack.ip6;

import org.jnetstack.wire.Ipv6Address;
import org.jnetstack.wire.MacAddress;

/** A neighbour cache entry (RFC 4861 §5.1) as the admin page shows it; {@code mac} null while INCOMPLETE. */
public record Ipv6NeighborInfo(String iface, Ipv6Address address, MacAddress mac, NeighborState state, boolean router) {
}
