package org.jnetstack.ip;

import org.jnetstack.wire.Ipv4Packet;

/** A transport protocol above IPv4 (UDP, TCP): registered with {@link Ipv4#register}. */
public interface IpProtocolHandler {
    /**
     * A datagram for us. {@code ip} is a view of its IPv4 header (already checked); the
     * transport bytes are {@code buf[off, off+len)}. Valid only during the call.
     * {@code checksumVerified}: the device vouched for the transport checksum (an offloading
     * TAP), so the transport skips verifying it.
     */
    void input(NetInterface iface, Ipv4Packet ip, byte[] buf, int off, int len, boolean checksumVerified);

    /**
     * An ICMP error about a datagram we sent (RFC 1122 §3.2.2.1: passed to the transport), with
     * what the quote tells: the datagram's destination and the ports in its first 4 bytes.
     */
    default void icmpError(int type, int code, int fromIp, int quotedDst, int quotedSrcPort, int quotedDstPort) {
    }
}
