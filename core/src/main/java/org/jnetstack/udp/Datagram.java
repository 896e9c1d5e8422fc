package org.jnetstack.udp;

import java.net.InetAddress;
import org.jnetstack.internal.TransportAddresses;
import org.jnetstack.wire.Ipv6Address;

/**
 * A queued datagram (endpoints opened without a handler): who sent it, and a copy of its payload.
 * The source is held in the two-long form of {@link Ipv6Address} for either family (an IPv4
 * source as IPv4-mapped {@code ::ffff:a.b.c.d}); {@code dstIp} is the IPv4 destination, 0 over IPv6.
 */
public record Datagram(long srcHi, long srcLo, int srcPort, int dstIp, byte[] data) {
    /** A datagram from the IPv4 address {@code srcIp}. */
    public Datagram(int srcIp, int srcPort, int dstIp, byte[] data) {
        this(0, TransportAddresses.mappedLo(srcIp), srcPort, dstIp, data);
    }

    /** Whether it came over IPv4. */
    public boolean isIpv4() {
        return TransportAddresses.isV4(srcHi, srcLo);
    }

    /** The IPv4 source; 0 for a datagram that came over IPv6 (see {@link #srcHi}, {@link #srcLo}). */
    public int srcIp() {
        return isIpv4() ? TransportAddresses.v4(srcLo) : 0;
    }

    /** The source as java.net sees it: an {@code Inet4Address} for IPv4, an {@code Inet6Address} otherwise. */
    public InetAddress source() {
        return new Ipv6Address(srcHi, srcLo).toInetAddress(); // an IPv4-mapped one comes out as Inet4Address
    }

    /** Whether the source is {@code hi:lo} port {@code port} (IPv4 as IPv4-mapped). */
    public boolean isFrom(long hi, long lo, int port) {
        return srcHi == hi && srcLo == lo && srcPort == port;
    }
}
