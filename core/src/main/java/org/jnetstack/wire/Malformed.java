package org.jnetstack.wire;

/**
 * Why a header was rejected. Parsers return one of these instead of throwing, so the layer
 * above can count the drop under a stable name ({@link #id()}) and move on.
 */
public enum Malformed implements MalformedReason {
    /** Fewer bytes than the fixed header needs. */
    TRUNCATED,
    /** An 802.1Q / 802.1ad tag; we do not bridge VLANs. */
    VLAN_TAGGED,
    /** IP version field is not 4. */
    BAD_VERSION,
    /** Header length field too small or reaching past the available bytes. */
    BAD_HEADER_LENGTH,
    /** IPv4 total length smaller than the header or larger than the bytes received. */
    BAD_TOTAL_LENGTH,
    /** Internet checksum does not verify. */
    BAD_CHECKSUM,
    /** IPv4 fragment offset plus payload would exceed the 65535-byte datagram limit. */
    BAD_FRAGMENT_OFFSET,
    /** A length field (e.g. UDP length) outside its legal range. */
    BAD_LENGTH,
    /**
     * A malformed option list: TCP options of length 0/1 or running past the header; NDP options
     * of length 0 or running past the message (RFC 4861 §4.6); IPv6 extension header options
     * running past their header (RFC 8200 §4.2).
     */
    BAD_OPTION,
    /** A format we do not handle, e.g. ARP for something other than Ethernet/IPv4. */
    UNSUPPORTED_FORMAT,
    /** ARP operation other than request (1) or reply (2). */
    BAD_OPERATION,
    /** An NDP option whose length does not suit its type, e.g. RDNSS of even length (RFC 8106 §5.1); it is ignored. */
    BAD_OPTION_LENGTH,
    /** More IPv6 extension headers, options or padding than we accept (RFC 8504 §5.3; see Ipv6Extensions). */
    EXTENSION_LIMIT,
    /** An IPv6 Hop-by-Hop Options header anywhere but directly after the IPv6 header (RFC 8200 §4.1). */
    BAD_EXTENSION_ORDER,
    /** An IPv6 extension header option we do not know whose type says to discard the packet (RFC 8200 §4.2). */
    UNRECOGNIZED_OPTION,
    /** An IPv6 routing header with segments left: a host routes nothing, type 0 least of all (RFC 8200 §4.4, RFC 5095). */
    BAD_ROUTING_HEADER,
    /** A first IPv6 fragment that does not hold the whole header chain (RFC 7112 §5). */
    INCOMPLETE_CHAIN;
}
