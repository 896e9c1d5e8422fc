package org.jnetstack.link;

/**
 * Receives Ethernet frames from a {@link LinkDevice}. The bytes {@code [off, off+len)} of
 * {@code buf} are valid only during the call: a handler that keeps a frame copies it.
 * Called on the event-loop thread.
 */
@FunctionalInterface
public interface FrameHandler {
    /**
     * Frame flag: the device vouches for the frame's transport (TCP/UDP) checksum, so the stack
     * need not verify it (see {@link LinkOffloads#rxChecksum()}).
     */
    int RX_CHECKSUM_VERIFIED = 1;

    /**
     * Frame flag: the transport (TCP/UDP) checksum field holds only the pseudo-header sum, for
     * whoever sends the frame on to complete: a frame from an offloading TAP or an offloading
     * stack, passed on by a {@link VirtualSwitch} to a port that takes offloaded frames. The
     * transport header follows the IP header directly (see {@link OffloadFrames}).
     */
    int CHECKSUM_PARTIAL = 2;

    /**
     * Frame flag: the frame is a TCP super-segment (IPv4 or IPv6, with {@link #CHECKSUM_PARTIAL})
     * to be cut into segments of {@link #gsoSize} payload bytes before it meets a wire.
     */
    int GSO_TCP = 4;

    /** The flags that say a frame is not yet fit for a wire. */
    int OFFLOADED = CHECKSUM_PARTIAL | GSO_TCP;

    /** The segment size of a {@link #GSO_TCP} frame, carried in the flags' upper 16 bits. */
    static int gsoSize(int flags) {
        return flags >>> 16;
    }

    /** Flags of a TCP super-segment cut at {@code segmentSize} (1-65535) payload bytes. */
    static int gso(int segmentSize) {
        return CHECKSUM_PARTIAL | GSO_TCP | (segmentSize << 16);
    }

    void onFrame(byte[] buf, int off, int len);

    /**
     * A frame with flags from the device ({@link #RX_CHECKSUM_VERIFIED}, {@link #CHECKSUM_PARTIAL},
     * {@link #GSO_TCP}; a frame with either of the last two always has the first). Handlers that
     * do not use the flags get the plain call; middleware that passes frames on must pass the
     * flags too.
     */
    default void onFrame(byte[] buf, int off, int len, int flags) {
        onFrame(buf, off, len);
    }
}
