package org.jnetstack.ip6;

import org.jnetstack.wire.Bytes;
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

    /**
     * An ICMPv6 error whose quoted packet came from one of our addresses, {@code quotedSrc}, to
     * {@code quotedDst}; {@code buf[off, off+len)} are the quoted upper-layer bytes (at least 8).
     * {@code mtu} is the Packet Too Big MTU (0 for other errors). By default the ports are passed
     * on to {@link #icmpError(int, int, long, long, long, int, int)}. Valid only during the call.
     */
    default void icmpError(int type, int code, long mtu, long quotedSrcHi, long quotedSrcLo, long quotedDstHi, long quotedDstLo,
                           byte[] buf, int off, int len) {
        icmpError(type, code, mtu, quotedDstHi, quotedDstLo, Bytes.u16(buf, off), Bytes.u16(buf, off + 2));
    }

    /**
     * Whether a Packet Too Big may lower the path MTU of the quoted packet's destination (RFC 5927
     * §4.1: only a quote of a packet we could have sent; RFC 8201 §5.2 leaves the check to the
     * upper layer). A transport that keeps state, like TCP, checks the quote against it and
     * lowers the path MTU itself; by default the packet is taken as ours (the quoted source is
     * already checked to be one of our addresses) and the IPv6 layer lowers it.
     */
    default boolean validatesPacketTooBig() {
        return false;
    }
}
