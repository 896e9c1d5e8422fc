package org.jnetstack.wire;


/** Why a DNS message was rejected; {@link #id()} names the drop counter. */
public enum DnsMalformed implements MalformedReason {
    /** Shorter than the 12-byte header, or a section ends before the counts say it should. */
    TRUNCATED,
    /** A label type other than a length (00) or a pointer (11) (RFC 1035 §4.1.4; 01/10 are obsolete). */
    BAD_LABEL,
    /** A compression pointer that does not point strictly before the name part it appears in: a loop or a forward reference. */
    BAD_POINTER,
    /** A name longer than 255 bytes on the wire (RFC 1035 §2.3.4). */
    NAME_TOO_LONG,
    /** A name, or a record's fixed fields, running past the end of the message. */
    OVERRUN,
    /** RDATA that does not fit its type: an A record not 4 bytes, a name not filling a CNAME... */
    BAD_RDATA;
}
