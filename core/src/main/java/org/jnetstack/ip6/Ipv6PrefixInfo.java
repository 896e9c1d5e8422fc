package org.jnetstack.ip6;

import org.jnetstack.wire.Ipv6Address;

/** An on-link prefix (RFC 4861 §6.3.4, or of a static address) with the seconds left of its lifetime, -1 infinite. */
public record Ipv6PrefixInfo(String iface, Ipv6Address prefix, int prefixLength, long validSeconds) {
}
