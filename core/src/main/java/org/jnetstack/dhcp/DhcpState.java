package org.jnetstack.dhcp;

/** The client states of RFC 2131 §4.4 (figure 5), plus PROBING (RFC 5227) and STOPPED. */
public enum DhcpState {
    /** Not started, or waiting to restart after a NAK or a declined address. */
    INIT,
    /** DISCOVER sent; waiting for an OFFER. */
    SELECTING,
    /** REQUEST for an offered address sent; waiting for ACK or NAK. */
    REQUESTING,
    /** Acknowledged; ARP-probing that nobody else uses the address (RFC 5227 §2.1). */
    PROBING,
    /** Starting with a remembered address: REQUEST broadcast without a server id (RFC 2131 §4.3.2). */
    REBOOTING,
    /** Configured and using the address. */
    BOUND,
    /** T1 passed: REQUEST unicast to the server that granted the lease. */
    RENEWING,
    /** T2 passed: REQUEST broadcast to any server. */
    REBINDING,
    /** Stopped or released; the client sends nothing more. */
    STOPPED
}
