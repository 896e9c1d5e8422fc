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
}
