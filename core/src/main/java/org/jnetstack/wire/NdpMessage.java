package org.jnetstack.wire;

/**
 * Fields of the Neighbor Discovery messages (RFC 4861 §4.1–4.5), read in place: {@code off} is
 * where the ICMPv6 message starts (its type byte). Call them after {@link Icmpv6Message#check}
 * accepted the message, which guarantees the fixed part each reader needs.
 */
public final class NdpMessage {
    /** Fixed parts, without options (RFC 4861 §4.1–4.5). */
    public static final int RS_LENGTH = 8;
    public static final int RA_LENGTH = 16;
    public static final int NS_LENGTH = 24;
    public static final int NA_LENGTH = 24;
    public static final int REDIRECT_LENGTH = 40;
    /** Neighbor Discovery messages are sent with hop limit 255 and accepted only with it (RFC 4861 §6.1, §7.1). */
    public static final int HOP_LIMIT = 255;

    private static final int TARGET = 8;
    private static final int REDIRECT_DESTINATION = 24;
    private static final int NA_ROUTER = 0x80;
    private static final int NA_SOLICITED = 0x40;
    private static final int NA_OVERRIDE = 0x20;
    private static final int RA_MANAGED = 0x80;
    private static final int RA_OTHER = 0x40;

    private NdpMessage() {
    }

    /** NS, NA and Redirect: the target address (RFC 4861 §4.3, §4.4, §4.5). */
    public static long targetHi(byte[] b, int off) {
        return Bytes.getI64(b, off + TARGET);
    }

    public static long targetLo(byte[] b, int off) {
        return Bytes.getI64(b, off + TARGET + 8);
    }

    /** NA flags (RFC 4861 §4.4): R, the sender is a router. */
    public static boolean naRouter(byte[] b, int off) {
        return (b[off + 4] & NA_ROUTER) != 0;
    }

    /** S: sent in response to a Neighbor Solicitation. */
    public static boolean naSolicited(byte[] b, int off) {
        return (b[off + 4] & NA_SOLICITED) != 0;
    }

    /** O: the advertisement should override an existing cache entry. */
    public static boolean naOverride(byte[] b, int off) {
        return (b[off + 4] & NA_OVERRIDE) != 0;
    }

    /** RA (RFC 4861 §4.2): the hop limit hosts should use, 0 if unspecified. */
    public static int raCurHopLimit(byte[] b, int off) {
        return Bytes.u8(b, off + 4);
    }

    /** M: addresses are available via DHCPv6. */
    public static boolean raManaged(byte[] b, int off) {
        return (b[off + 5] & RA_MANAGED) != 0;
    }

    /** O: other configuration is available via DHCPv6. */
    public static boolean raOther(byte[] b, int off) {
        return (b[off + 5] & RA_OTHER) != 0;
    }

    /** Seconds this router may be a default router; 0: it is not one. */
    public static int raRouterLifetime(byte[] b, int off) {
        return Bytes.u16(b, off + 6);
    }

    /** Milliseconds, 0 if unspecified. */
    public static long raReachableTime(byte[] b, int off) {
        return Bytes.u32(b, off + 8);
    }

    /** Milliseconds between retransmitted Neighbor Solicitations, 0 if unspecified. */
    public static long raRetransTimer(byte[] b, int off) {
        return Bytes.u32(b, off + 12);
    }

    /** Redirect (RFC 4861 §4.5): the destination that is redirected to the target. */
    public static long redirectDestinationHi(byte[] b, int off) {
        return Bytes.getI64(b, off + REDIRECT_DESTINATION);
    }

    public static long redirectDestinationLo(byte[] b, int off) {
        return Bytes.getI64(b, off + REDIRECT_DESTINATION + 8);
    }

    /** Where the options start in an RS, RA, NS, NA or Redirect at {@code off}; -1 for other types. */
    public static int optionsOffset(int type, int off) {
        return switch (type) {
            case Icmpv6Message.TYPE_ROUTER_SOLICITATION -> off + RS_LENGTH;
            case Icmpv6Message.TYPE_ROUTER_ADVERTISEMENT -> off + RA_LENGTH;
            case Icmpv6Message.TYPE_NEIGHBOR_SOLICITATION -> off + NS_LENGTH;
            case Icmpv6Message.TYPE_NEIGHBOR_ADVERTISEMENT -> off + NA_LENGTH;
            case Icmpv6Message.TYPE_REDIRECT -> off + REDIRECT_LENGTH;
            default -> -1;
        };
    }
}
