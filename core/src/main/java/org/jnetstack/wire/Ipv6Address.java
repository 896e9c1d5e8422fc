package org.jnetstack.wire;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * An IPv6 address (RFC 4291). On the hot path an address travels as two {@code long}s,
 * {@code hi} (bytes 0–7) and {@code lo} (bytes 8–15), each in network order (::1 is hi 0,
 * lo 1), so nothing is allocated per packet; this record is the public, printable form, and
 * the static methods answer questions about the two-long form.
 *
 * <p>An IPv4 address {@code a} is carried as the IPv4-mapped address ::ffff:a (RFC 4291
 * §2.5.5.2), as Linux does internally.
 */
public record Ipv6Address(long hi, long lo) {
    public static final Ipv6Address UNSPECIFIED = new Ipv6Address(0, 0);
    public static final Ipv6Address LOOPBACK = new Ipv6Address(0, 1);
    /** ff02::1, all nodes on the link (RFC 4291 §2.7.1). */
    public static final Ipv6Address ALL_NODES = new Ipv6Address(0xff02_0000_0000_0000L, 1);
    /** ff02::2, all routers on the link. */
    public static final Ipv6Address ALL_ROUTERS = new Ipv6Address(0xff02_0000_0000_0000L, 2);
    /** ff02::16, where MLDv2 reports go (RFC 3810 §5.2.14). */
    public static final Ipv6Address ALL_MLDV2_ROUTERS = new Ipv6Address(0xff02_0000_0000_0000L, 0x16);
    /** fe80::/64, the link-local prefix's high half (RFC 4291 §2.5.6). */
    public static final long LINK_LOCAL_HI = 0xfe80_0000_0000_0000L;
    private static final long SOLICITED_NODE_HI = 0xff02_0000_0000_0000L;
    private static final long SOLICITED_NODE_LO = 0x0000_0001_ff00_0000L;
    private static final long V4_MAPPED_LO = 0x0000_ffff_0000_0000L;

    /** Scopes of RFC 4291 §2.7 (multicast) and RFC 6724 §3.1 (unicast, by prefix). */
    public static final int SCOPE_INTERFACE_LOCAL = 1;
    public static final int SCOPE_LINK_LOCAL = 2;
    public static final int SCOPE_SITE_LOCAL = 5;
    public static final int SCOPE_GLOBAL = 14;

    private static final String FORMS = "expected an IPv6 address like fd00::1, fe80::1:2ff:fe03:405,"
            + " 2001:db8:0:0:0:0:0:1 or ::ffff:192.0.2.1 (eight groups of 1-4 hex digits, '::' once for"
            + " a run of zero groups, an IPv4 dotted quad as the last 32 bits)";

    /**
     * Parses the text forms of RFC 4291 §2.2: eight hex groups, "::" once for a run of zero
     * groups, a dotted-quad tail. A zone ("%eth0") is not accepted here.
     *
     * @throws IllegalArgumentException naming the input and the accepted forms
     */
    public static Ipv6Address parse(String s) {
        if (s == null) {
            throw new IllegalArgumentException("invalid IPv6 address null: " + FORMS);
        }
        String t = s.trim();
        String msg = "invalid IPv6 address '" + s + "': " + FORMS;
        int[] groups = new int[8];
        int n = 0;
        int gap = -1;
        int i = 0;
        if (t.startsWith("::")) {
            gap = 0;
            i = 2;
        } else if (t.startsWith(":")) {
            throw new IllegalArgumentException(msg);
        }
        while (i < t.length()) {
            int end = t.indexOf(':', i);
            String part = end < 0 ? t.substring(i) : t.substring(i, end);
            if (part.indexOf('.') >= 0) {
                if (end >= 0 || n > 6) {
                    throw new IllegalArgumentException(msg);
                }
                int v4;
                try {
                    v4 = Ipv4Address.parseBits(part);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(msg);
                }
                groups[n++] = v4 >>> 16;
                groups[n++] = v4 & 0xffff;
                i = t.length();
                break;
            }
            if (part.isEmpty() || part.length() > 4 || n == 8) {
                throw new IllegalArgumentException(msg);
            }
            int g = 0;
            for (int k = 0; k < part.length(); k++) {
                int d = Character.digit(part.charAt(k), 16);
                if (d < 0) {
                    throw new IllegalArgumentException(msg);
                }
                g = g << 4 | d;
            }
            groups[n++] = g;
            if (end < 0) {
                i = t.length();
            } else if (end + 1 < t.length() && t.charAt(end + 1) == ':') {
                if (gap >= 0) {
                    throw new IllegalArgumentException(msg);
                }
                gap = n;
                i = end + 2;
            } else {
                if (end + 1 == t.length()) {
                    throw new IllegalArgumentException(msg);
                }
                i = end + 1;
            }
        }
        if (gap < 0 ? n != 8 : n > 7) {
            throw new IllegalArgumentException(msg);
        }
        int[] full = new int[8];
        if (gap < 0) {
            full = groups;
        } else {
            int tail = n - gap;
            System.arraycopy(groups, 0, full, 0, gap);
            System.arraycopy(groups, gap, full, 8 - tail, tail);
        }
        long hi = 0;
        long lo = 0;
        for (int k = 0; k < 4; k++) {
            hi = hi << 16 | full[k];
            lo = lo << 16 | full[k + 4];
        }
        return new Ipv6Address(hi, lo);
    }

    /** An {@link Inet6Address} as itself, an {@link Inet4Address} as its IPv4-mapped form. */
    public static Ipv6Address of(InetAddress a) {
        byte[] b = a.getAddress();
        if (a instanceof Inet4Address) {
            return v4Mapped(Ipv4Address.read(b, 0));
        }
        return new Ipv6Address(Bytes.getI64(b, 0), Bytes.getI64(b, 8));
    }

    /** This address as an {@link Inet6Address} (an IPv4-mapped one becomes an {@link Inet4Address}, as the JDK does). */
    public InetAddress toInetAddress() {
        byte[] b = new byte[16];
        write(b, 0, hi, lo);
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** ::ffff:a, the IPv4-mapped form of IPv4 address {@code a}. */
    public static Ipv6Address v4Mapped(int a) {
        return new Ipv6Address(0, V4_MAPPED_LO | (a & 0xffff_ffffL));
    }

    public static long readHi(byte[] buf, int off) {
        return Bytes.getI64(buf, off);
    }

    public static long readLo(byte[] buf, int off) {
        return Bytes.getI64(buf, off + 8);
    }

    public static void write(byte[] buf, int off, long hi, long lo) {
        Bytes.putI64(buf, off, hi);
        Bytes.putI64(buf, off + 8, lo);
    }

    public static boolean isUnspecified(long hi, long lo) {
        return hi == 0 && lo == 0;
    }

    public static boolean isLoopback(long hi, long lo) {
        return hi == 0 && lo == 1;
    }

    /** ff00::/8. */
    public static boolean isMulticast(long hi) {
        return hi >>> 56 == 0xff;
    }

    /** fe80::/10. */
    public static boolean isLinkLocal(long hi) {
        return hi >>> 54 == 0xfe80L >>> 6;
    }

    /** fc00::/7, unique local addresses (RFC 4193). */
    public static boolean isUniqueLocal(long hi) {
        return hi >>> 57 == 0xfcL >>> 1;
    }

    /** ::ffff:0:0/96. */
    public static boolean isV4Mapped(long hi, long lo) {
        return hi == 0 && (lo & 0xffff_ffff_0000_0000L) == V4_MAPPED_LO;
    }

    /** The IPv4 address inside an IPv4-mapped address. */
    public static int v4(long lo) {
        return (int) lo;
    }

    /** ff02::1:ffXX:XXXX, the solicited-node group of an address (RFC 4291 §2.7.1): its high half. */
    public static long solicitedNodeHi() {
        return SOLICITED_NODE_HI;
    }

    /** The solicited-node group's low half: the address's low 24 bits after ::1:ff00:0. */
    public static long solicitedNodeLo(long lo) {
        return SOLICITED_NODE_LO | (lo & 0xff_ffffL);
    }

    /** The Ethernet address a multicast group maps to: 33:33 and its low 32 bits (RFC 2464 §7). */
    public static long multicastMac(long lo) {
        return 0x3333_0000_0000L | (lo & 0xffff_ffffL);
    }

    /**
     * The scope of an address: a multicast address's scope field, or for unicast link-local
     * (fe80::/10 and the loopback address) or global (RFC 6724 §3.1).
     */
    public static int scope(long hi, long lo) {
        if (isMulticast(hi)) {
            return (int) (hi >>> 48) & 0xf;
        }
        if (isLinkLocal(hi) || isLoopback(hi, lo)) {
            return SCOPE_LINK_LOCAL;
        }
        return SCOPE_GLOBAL;
    }

    /** True if the first {@code prefixLength} bits (0–128) of the two addresses are equal. */
    public static boolean samePrefix(long hi, long lo, long prefixHi, long prefixLo, int prefixLength) {
        return commonPrefixLength(hi, lo, prefixHi, prefixLo) >= prefixLength;
    }

    /** How many leading bits two addresses share, 0–128 (RFC 6724 §2.2's CommonPrefixLen). */
    public static int commonPrefixLength(long hi1, long lo1, long hi2, long lo2) {
        long x = hi1 ^ hi2;
        if (x != 0) {
            return Long.numberOfLeadingZeros(x);
        }
        return 64 + Long.numberOfLeadingZeros(lo1 ^ lo2);
    }

    /** The high half of the mask for a prefix length 0–128. */
    public static long maskHi(int prefixLength) {
        checkPrefixLength(prefixLength);
        return prefixLength == 0 ? 0 : prefixLength >= 64 ? -1L : -1L << (64 - prefixLength);
    }

    /** The low half of the mask for a prefix length 0–128. */
    public static long maskLo(int prefixLength) {
        checkPrefixLength(prefixLength);
        return prefixLength <= 64 ? 0 : -1L << (128 - prefixLength);
    }

    /** @throws IllegalArgumentException unless 0 ≤ {@code prefixLength} ≤ 128 */
    public static int checkPrefixLength(int prefixLength) {
        if (prefixLength < 0 || prefixLength > 128) {
            throw new IllegalArgumentException("invalid IPv6 prefix length " + prefixLength
                    + ": expected a number from 0 to 128, like /64");
        }
        return prefixLength;
    }

    public static String format(long hi, long lo) {
        return new Ipv6Address(hi, lo).toString();
    }

    /**
     * RFC 5952 §4: lower-case hex, leading zeros dropped, the longest run of two or more zero
     * groups (the first of equals) as "::", and the IPv4-mapped form with a dotted quad (§5).
     */
    @Override
    public String toString() {
        if (isV4Mapped(hi, lo)) {
            return "::ffff:" + Ipv4Address.format(v4(lo));
        }
        int[] g = new int[8];
        for (int k = 0; k < 4; k++) {
            g[k] = (int) (hi >>> (48 - 16 * k)) & 0xffff;
            g[k + 4] = (int) (lo >>> (48 - 16 * k)) & 0xffff;
        }
        int bestStart = -1;
        int bestLen = 1;
        for (int k = 0; k < 8;) {
            if (g[k] != 0) {
                k++;
                continue;
            }
            int e = k;
            while (e < 8 && g[e] == 0) {
                e++;
            }
            if (e - k > bestLen) {
                bestStart = k;
                bestLen = e - k;
            }
            k = e;
        }
        StringBuilder sb = new StringBuilder(39);
        for (int k = 0; k < 8; k++) {
            if (k == bestStart) {
                sb.append("::");
                k += bestLen - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(g[k]));
        }
        return sb.toString();
    }
}
