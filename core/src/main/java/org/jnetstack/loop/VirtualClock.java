package org.jnetstack.loop;

/**
 * Simulated time. It moves only when {@link #advanceTo} is called, which an idle
 * {@link EventLoop} does itself, jumping straight to the next timer deadline. Runs are
 * therefore deterministic and much faster than real time.
 */
public final class VirtualClock implements Clock {
    /** 2026-01-01T00:00:00Z: a fixed epoch, so that pcap files of a simulation are reproducible. */
    public static final long DEFAULT_EPOCH_MICROS = 1_767_225_600_000_000L;

    private volatile long now;
    private final long epochMicros;

    public VirtualClock() {
        this(0L, DEFAULT_EPOCH_MICROS);
    }

    public VirtualClock(long startNanos, long epochMicros) {
        this.now = startNanos;
        this.epochMicros = epochMicros;
    }

    @Override
    public long nanos() {
        return now;
    }

    @Override
    public long epochMicros() {
        return epochMicros + now / 1_000;
    }

    @Override
    public boolean isVirtual() {
        return true;
    }

    /** Moves time forward to {@code t}; time never goes backwards. */
    public void advanceTo(long t) {
        if (t > now) {
            now = t;
        }
    }

    public void advance(long nanos) {
        if (nanos < 0) {
            throw new IllegalArgumentException("time cannot go backwards: " + nanos);
        }
        now += nanos;
    }
}
