package org.jnetstack.wire;

/** Why a DHCPv6 message was rejected (RFC 8415 §8, §21); {@link #id()} names the drop counter. */
public enum Dhcpv6Malformed implements MalformedReason {
    /** Shorter than the 4-byte message header (type and transaction id, RFC 8415 §8). */
    TRUNCATED,
    /** An option whose 4-byte header or whose data reaches past the end of the message (RFC 8415 §21.1). */
    OPTION_OVERRUN,
    /** More options than {@link Dhcpv6Message#MAX_OPTIONS}: a walk that long is an attack on the parser. */
    TOO_MANY_OPTIONS,
    /** An option the client reads that appears twice (each may appear once at message level). */
    DUPLICATE_OPTION,
    /** A fixed-size option (Elapsed Time, Information Refresh Time, DNS servers...) of the wrong length. */
    BAD_OPTION_LENGTH,
    /** A Domain Search List that is not a sequence of uncompressed names (RFC 8415 §10, RFC 3646 §4). */
    BAD_DOMAIN_LIST
}
