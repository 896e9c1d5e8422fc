package org.jnetstack.udp;

/** Receives datagrams for a {@link UdpEndpoint}, on the loop thread. */
@FunctionalInterface
public interface UdpHandler {
    /** A datagram from {@code srcIp:srcPort}: its payload is {@code buf[off, off+len)}, valid only during the call. */
    void onDatagram(UdpEndpoint endpoint, int srcIp, int srcPort, byte[] buf, int off, int len);

    /**
     * A datagram over IPv6 from {@code srcHi:srcLo} (the two-long form of
     * {@link org.jnetstack.wire.Ipv6Address}) port {@code srcPort}; ignored unless overridden.
     * Answer with {@link UdpEndpoint#send(org.jnetstack.wire.Ipv6Address, int, byte[], int, int)}.
     */
    default void onDatagram6(UdpEndpoint endpoint, long srcHi, long srcLo, int srcPort, byte[] buf, int off, int len) {
    }

    /**
     * An ICMP error about a datagram this endpoint sent to {@code dstIp:dstPort} (for example
     * "Destination Port Unreachable", which java.net reports as PortUnreachableException).
     */
    default void onError(UdpEndpoint endpoint, int dstIp, int dstPort, int icmpType, int icmpCode, String reason) {
    }

    /**
     * An ICMPv6 error about a datagram this endpoint sent to {@code dstHi:dstLo} port
     * {@code dstPort} (for example Destination Unreachable code 4, "Port unreachable", RFC 4443 §3.1).
     */
    default void onError6(UdpEndpoint endpoint, long dstHi, long dstLo, int dstPort, int icmpType, int icmpCode,
                          String reason) {
    }
}
