package org.jnetstack.internal;

import org.jnetstack.wire.Checksum;
import org.jnetstack.wire.Ipv4Address;
import org.jnetstack.wire.Ipv6Address;

/**
 * Transport addresses of either family in the two-long form of {@link org.jnetstack.wire.Ipv6Address}
 * (high and low 64 bits), an IPv4 address as its IPv4-mapped form {@code ::ffff:a.b.c.d} (RFC 4291
 * §2.5.5.2), as Linux keeps them: TCP and UDP hold every address so, with no allocation, and ask
 * here which family a packet goes out in and which pseudo-header its checksum covers.
 */
public final class TransportAddresses {
    /** The low half of {@code ::ffff:0.0.0.0}. */
    public static final long V4_MAPPED_LO = 0x0000_ffff_0000_0000L;

    private TransportAddresses() {
    }

    /** The low half of IPv4 address {@code a} mapped (the high half is 0). */
    public static long mappedLo(int a) {
        return V4_MAPPED_LO | (a & 0xffff_ffffL);
    }

    /** Whether {@code hi:lo} is an IPv4 address (IPv4-mapped): it travels in IPv4. */
    public static boolean isV4(long hi, long lo) {
        return hi == 0 && (lo & 0xffff_ffff_0000_0000L) == V4_MAPPED_LO;
    }

    /**
     * Whether a packet to {@code dstHi:dstLo} is for a socket bound to {@code boundHi:boundLo}:
     * bound to none (0:0), any address of either family — IPv6 only if {@code v6Only}
     * (IPV6_V6ONLY, RFC 3493 §5.3); else that address alone.
     */
    public static boolean bindMatches(long boundHi, long boundLo, boolean v6Only, long dstHi, long dstLo) {
        if (boundHi == 0 && boundLo == 0) {
            return !v6Only || !isV4(dstHi, dstLo);
        }
        return boundHi == dstHi && boundLo == dstLo;
    }

    /** The IPv4 address of a mapped {@code lo}. */
    public static int v4(long lo) {
        return (int) lo;
    }

    /**
     * The partial sum of the pseudo-header a TCP or UDP checksum covers, by the family of the
     * addresses (both are of one family): IPv4's (RFC 9293 §3.1, RFC 768) for mapped addresses,
     * IPv6's (RFC 8200 §8.1) otherwise.
     */
    public static int pseudoHeader(long srcHi, long srcLo, long dstHi, long dstLo, int protocol, int length) {
        if (isV4(dstHi, dstLo)) {
            return Checksum.pseudoHeader((int) srcLo, (int) dstLo, protocol, length);
        }
        return Checksum.pseudoHeader6(srcHi, srcLo, dstHi, dstLo, protocol, length);
    }

    /** An address as people write it: dotted quad for IPv4(-mapped), RFC 5952 for IPv6. */
    public static String format(long hi, long lo) {
        return isV4(hi, lo) ? Ipv4Address.format(v4(lo)) : Ipv6Address.format(hi, lo);
    }

    /** An address with its port: {@code 10.0.0.1:80}, {@code [fd00::1]:80}. */
    public static String format(long hi, long lo, int port) {
        return isV4(hi, lo) ? format(hi, lo) + ":" + port : "[" + format(hi, lo) + "]:" + port;
    }
}
