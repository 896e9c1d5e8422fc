package org.jnetstack.link;

/**
 * Receives Ethernet frames from a {@link LinkDevice}. The bytes {@code [off, off+len)} of
 * {@code buf} are valid only during the call: a handler that keeps a frame copies it.
 * Called on the event-loop thread.
 */
@FunctionalInterface
public interface FrameHandler {
    void onFrame(byte[] buf, int off, int len);
}
