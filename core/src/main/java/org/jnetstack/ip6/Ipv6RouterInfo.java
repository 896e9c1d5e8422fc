package org.jnetstack.ip6;

import org.jnetstack.wire.Ipv6Address;

/** A default router (RFC 4861 §6.3.4) with the seconds left of its lifetime. */
public record Ipv6RouterInfo(String iface, Ipv6Address address, long lifetimeSeconds) {
}
