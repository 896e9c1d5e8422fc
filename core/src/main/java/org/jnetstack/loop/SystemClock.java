package org.jnetstack.loop;

/** Real time: {@link System#nanoTime()} and the wall clock. */
public final class SystemClock implements Clock {
    public static final SystemClock INSTANCE = new SystemClock();

    private final long epochMicrosAtStart;
    private final long nanosAtStart;

    private SystemClock() {
        java.time.Instant now = java.time.Instant.now();
        this.epochMicrosAtStart = now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
        this.nanosAtStart = System.nanoTime();
    }

    @Override
    public long nanos() {
        return System.nanoTime();
    }

    @Override
    public long epochMicros() {
        // Derived from the monotonic clock so that timestamps in one capture never go backwards.
        return epochMicrosAtStart + (System.nanoTime() - nanosAtStart) / 1_000;
    }
}
