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

    void onFrame(byte[] buf, int off, int len);

    /**
     * A frame with flags from the device ({@link #RX_CHECKSUM_VERIFIED}). Handlers that do not
     * use the flags get the plain call; middleware that passes frames on must pass the flags too.
     */
    default void onFrame(byte[] buf, int off, int len, int flags) {
        onFrame(buf, off, len);
    }
}
