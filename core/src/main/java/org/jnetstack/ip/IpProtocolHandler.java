package org.jnetstack.ip;

import org.jnetstack.wire.Bytes;
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

    /**
     * An ICMP error whose quoted datagram came from one of our addresses, {@code quotedSrc}, to
     * {@code quotedDst}; {@code buf[off, off+len)} are the quoted transport bytes (at least 8:
     * RFC 792). {@code mtu} is the MTU a "fragmentation needed" reports (RFC 1191 §4; already a
     * plateau below the quoted length when the router gave none), 0 for other errors. By default
     * the ports are passed on to {@link #icmpError(int, int, int, int, int, int)}. Valid only during
     * the call.
     */
    default void icmpError(int type, int code, int fromIp, int quotedSrc, int quotedDst, int mtu,
                           byte[] buf, int off, int len) {
        icmpError(type, code, fromIp, quotedDst, Bytes.u16(buf, off), Bytes.u16(buf, off + 2));
    }
}
