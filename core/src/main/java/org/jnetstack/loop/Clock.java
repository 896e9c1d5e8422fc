package org.jnetstack.loop;

/**
 * The time source of an {@link EventLoop}. All protocol timing reads this clock, never
 * {@code System.nanoTime()} directly, so that a {@link VirtualClock} can make a two-minute
 * TIME_WAIT take microseconds in a simulation.
 */
public interface Clock {
    /** Monotonic time in nanoseconds; only differences are meaningful. */
    long nanos();

    /** Wall-clock time in microseconds since the Unix epoch (for pcap timestamps and logs). */
    long epochMicros();

    /** True when time only moves because the loop advances it (simulation). */
    default boolean isVirtual() {
        return false;
    }
}
