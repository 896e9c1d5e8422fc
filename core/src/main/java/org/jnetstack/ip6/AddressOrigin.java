package org.jnetstack.ip6;

/** Where an interface address came from. */
public enum AddressOrigin {
    /** fe80::/64 with a stable interface identifier (RFC 4862 §5.3, RFC 7217). */
    LINK_LOCAL,
    /** Configured ({@code StackConfig.ipv6Addresses}, {@link Ipv6#addAddress}). */
    STATIC,
    /** Formed from a router-advertised prefix (RFC 4862 §5.5.3). */
    SLAAC
}
