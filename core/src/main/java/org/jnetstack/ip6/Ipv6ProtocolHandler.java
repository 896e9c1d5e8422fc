package org.jnetstack.ip6;

import org.jnetstack.wire.Ipv6Packet;

/** A transport above IPv6 (UDP, TCP): registered with {@link Ipv6#register} for its next-header value. */
public interface Ipv6ProtocolHandler {
    /**
     * A packet for us. {@code ip} views its fixed header (checked; addresses through
     * {@code sourceHi()}... — the source is a unicast address, the destination one of ours or a
     * group we joined); the upper-layer bytes, after any extension headers, are
     * {@code buf[off, off+len)}. Valid only during the call. {@code checksumVerified}: the device
     * vouched for the transport checksum.
     */
    void input(Ipv6Interface iface, Ipv6Packet ip, byte[] buf, int off, int len, boolean checksumVerified);

    /**
     * An ICMPv6 error about a packet we sent (RFC 4443 §2.4(d): passed to the upper layer), with
     * what its quote tells: the destination and the ports in the first 4 upper-layer bytes.
     * {@code mtu} is the Packet Too Big MTU (0 for other errors).
     */
    default void icmpError(int type, int code, long mtu, long quotedDstHi, long quotedDstLo, int quotedSrcPort, int quotedDstPort) {
    }
}
