package org.jnetstack.udp;

/** Receives datagrams for a {@link UdpEndpoint}, on the loop thread. */
@FunctionalInterface
public interface UdpHandler {
    /** A datagram from {@code srcIp:srcPort}: its payload is {@code buf[off, off+len)}, valid only during the call. */
    void onDatagram(UdpEndpoint endpoint, int srcIp, int srcPort, byte[] buf, int off, int len);

    /**
     * An ICMP error about a datagram this endpoint sent to {@code dstIp:dstPort} (for example
     * "Destination Port Unreachable", which java.net reports as PortUnreachableException).
     */
    default void onError(UdpEndpoint endpoint, int dstIp, int dstPort, int icmpType, int icmpCode, String reason) {
    }
}
