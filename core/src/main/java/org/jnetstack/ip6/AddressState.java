package org.jnetstack.ip6;

/** The states of an interface address (RFC 4862 §2). */
public enum AddressState {
    /** Being checked by duplicate address detection: not used as a source, packets to it dropped. */
    TENTATIVE,
    /** Usable without restriction. */
    PREFERRED,
    /** Past its preferred lifetime: existing communication continues, new prefers others (RFC 6724 rule 3). */
    DEPRECATED,
    /** Detection found another node with it: never used (RFC 4862 §5.4.5). */
    DUPLICATE
}
