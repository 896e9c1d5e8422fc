package org.jnetstack.loop;

/**
 * The loop's single wait point when some device is a file descriptor (a TAP): blocks in
 * {@code poll(2)} on the device descriptors plus an eventfd that {@link #wakeup()} writes, so an
 * idle stack uses no CPU and a task from another thread still wakes the loop at once.
 */
interface FdWaiter extends AutoCloseable {
    /**
     * Waits until one of {@code fds[0..count)} is readable, {@link #wakeup()} is called, or
     * {@code timeoutNanos} passes (negative: wait without limit).
     */
    void await(int[] fds, int count, long timeoutNanos);

    /** Wakes a current or the next {@link #await}; safe from any thread. */
    void wakeup();

    @Override
    void close();
}
