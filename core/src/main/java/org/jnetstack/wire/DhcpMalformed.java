package org.jnetstack.wire;


/** Why a BOOTP/DHCP message was rejected; {@link #id()} names the drop counter. */
public enum DhcpMalformed implements MalformedReason {
    /** Shorter than the 236-byte BOOTP header plus the 4-byte magic cookie (RFC 2131 §2). */
    TRUNCATED,
    /** op is neither BOOTREQUEST (1) nor BOOTREPLY (2). */
    BAD_OP,
    /** hlen larger than the 16-byte chaddr field. */
    BAD_HARDWARE_LENGTH,
    /** The magic cookie 99.130.83.99 is missing (RFC 2131 §3): a plain BOOTP message. */
    NO_MAGIC_COOKIE,
    /** An option whose length byte is missing or reaches past the end of its field (RFC 2132 §2). */
    OPTION_OVERRUN,
    /** Option 52 (overload) with a value other than 1, 2 or 3, or not one byte long (RFC 2132 §9.3). */
    BAD_OVERLOAD,
    /** A fixed-size option (message type, address, lease time...) with the wrong length. */
    BAD_OPTION_LENGTH,
    /** No option 53 (DHCP message type), or a value outside 1-8. */
    BAD_MESSAGE_TYPE;
}
