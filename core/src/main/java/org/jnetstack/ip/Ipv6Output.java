package org.jnetstack.ip;

import org.jnetstack.link.LinkOffloads;

/**
 * Where TCP and UDP hand a datagram to be sent over IPv6: the hook the IPv6 layer fills. The
 * transport writes its header and payload into {@link #txBuffer()} at {@link #transportOffset()}
 * (room for the link, IPv6 and extension headers before it), checksum included unless offloaded,
 * and calls one of the sends; addresses in the two-long form of {@link org.jnetstack.wire.Ipv6Address}.
 * Loop thread only. IPv4 goes out through {@link Ipv4} as before.
 */
public interface Ipv6Output {
    /** The transmit buffer the transport writes into (one per stack, reused). */
    byte[] txBuffer();

    /** Where the transport header starts in {@link #txBuffer()}. */
    int transportOffset();

    /**
     * What the device towards {@code dst} does for transports ({@link LinkOffloads#NONE} unless
     * the IPv6 layer passes offloads on): what {@link #sendOffloaded} may then ask for.
     */
    default LinkOffloads offloadsFor(long dstHi, long dstLo) {
        return LinkOffloads.NONE;
    }

    /** The path MTU towards {@code dst} (1280 at least, RFC 8200 §5). */
    int mtuFor(long dstHi, long dstLo);

    /**
     * A Packet Too Big about a packet we sent to {@code dst}, validated by the transport against
     * its state (RFC 5927 §4.1): lowers the path MTU to {@code mtu}, never below 1280 (RFC 8201
     * §4). Returns the path MTU now in use.
     */
    int lowerPathMtu(long dstHi, long dstLo, long mtu);

    /**
     * Changes whenever a path MTU estimate is lowered ({@link PathMtuCache#changes()}): a
     * connection then looks at {@link #mtuFor} again. Constant by default.
     */
    default int pathMtuChanges() {
        return 0;
    }

    /**
     * Chooses the source address for {@code dst} (RFC 6724); false if there is no route or no
     * usable address. The choice is read from {@link #sourceHi()} and {@link #sourceLo()}, good
     * until the next call.
     */
    boolean selectSource(long dstHi, long dstLo);

    long sourceHi();

    long sourceLo();

    /**
     * Sends {@code buf[off, off+len)}, the transport bytes, with an IPv6 header: next header
     * {@code protocol}, traffic class {@code trafficClass}; fragmented if larger than the path MTU
     * allows. False if it could not be sent (no route, no neighbour yet and its queue full).
     */
    boolean send(long srcHi, long srcLo, long dstHi, long dstLo, int protocol, int trafficClass,
                 byte[] buf, int off, int len);

    /**
     * Like {@link #send}, with the checksum left to the device (the pseudo-header sum is at
     * {@code checksumOffset} of the transport bytes) and, when {@code segmentSize > 0}, the
     * segmentation too.
     */
    boolean sendOffloaded(long srcHi, long srcLo, long dstHi, long dstLo, int protocol, int trafficClass,
                          byte[] buf, int off, int len, int checksumOffset, int segmentSize);

    /**
     * Like {@link #send} with a 20-bit flow label (RFC 6437) in the header; by default the label
     * is left out (0).
     */
    default boolean send(long srcHi, long srcLo, long dstHi, long dstLo, int protocol, int trafficClass, int flowLabel,
                         byte[] buf, int off, int len) {
        return send(srcHi, srcLo, dstHi, dstLo, protocol, trafficClass, buf, off, len);
    }

    /** Like {@link #sendOffloaded} with a 20-bit flow label (RFC 6437); by default the label is left out (0). */
    default boolean sendOffloaded(long srcHi, long srcLo, long dstHi, long dstLo, int protocol, int trafficClass,
                                  int flowLabel, byte[] buf, int off, int len, int checksumOffset, int segmentSize) {
        return sendOffloaded(srcHi, srcLo, dstHi, dstLo, protocol, trafficClass, buf, off, len, checksumOffset, segmentSize);
    }
}
