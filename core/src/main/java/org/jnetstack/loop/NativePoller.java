package org.jnetstack.loop;

/**
 * {@link FdWaiter} on Linux: {@code poll(2)} over the device descriptors plus an eventfd,
 * through the Foreign Function &amp; Memory API.
 */
final class NativePoller {
    private NativePoller() {
    }

    static FdWaiter create() {
        // Implemented with the TAP device (issue #2, link devices).
        throw new UnsupportedOperationException("NativePoller not yet implemented");
    }
}
