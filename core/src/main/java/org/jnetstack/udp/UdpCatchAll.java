package org.jnetstack.udp;

/**
 * Receives the datagrams no endpoint takes, on the loop thread: a gateway's catch-all
 * ({@link Udp#openAny}). Unlike {@link UdpHandler} it is told the destination too, which on a
 * gateway may be any address.
 */
@FunctionalInterface
public interface UdpCatchAll {
    /** A datagram from {@code srcIp:srcPort} to {@code dstIp:dstPort}; {@code buf[off, off+len)} is valid only during the call. */
    void onDatagram(int srcIp, int srcPort, int dstIp, int dstPort, byte[] buf, int off, int len);

    /**
     * A datagram over IPv6 no endpoint takes, from {@code srcHi:srcLo} port {@code srcPort} to
     * {@code dstHi:dstLo} port {@code dstPort} (the two-long form of
     * {@link org.jnetstack.wire.Ipv6Address}); dropped unless overridden.
     */
    default void onDatagram6(long srcHi, long srcLo, int srcPort, long dstHi, long dstLo, int dstPort,
                             byte[] buf, int off, int len) {
    }
}
