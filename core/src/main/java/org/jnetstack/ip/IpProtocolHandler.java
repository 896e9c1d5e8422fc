package org.jnetstack.ip;

import org.jnetstack.wire.Ipv4Packet;

/** A transport protocol above IPv4 (UDP, TCP): registered with {@link Ipv4#register}. */
public interface IpProtocolHandler {
    /**
     * A datagram for us. {@code ip} is a view of its IPv4 header (already checked); the
     * transport bytes are {@code buf[off, off+len)}. Valid only during the call.
     */
    void input(NetInterface iface, Ipv4Packet ip, byte[] buf, int off, int len);

    /**
     * An ICMP error about a datagram we sent (RFC 1122 §3.2.2.1: passed to the transport).
     * {@code buf[off, off+len)} holds the quoted IPv4 header and at least 8 bytes after it.
     */
    default void icmpError(int type, int code, int fromIp, byte[] buf, int off, int len) {
    }
}
