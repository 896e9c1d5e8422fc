package org.jnetstack.apps.serial;

/**
 * The password checks all of a bridge's clients share: {@code burst} at once, then one per
 * {@code interval}, whatever the number of connections (a token bucket kept as the time it
 * would be full again, as GCRA does). A check that finds no room waits for it; nothing is
 * refused, so a correct password is late at most by the checks queued before it, never locked
 * out. A correct password gives its check back. Loop thread only.
 */
final class LoginThrottle {
    private final int burst;
    private final long interval;
    /** When the bucket is full again if nothing more is taken; before it, (tat - now) / interval checks are spent. */
    private long tat;

    LoginThrottle(int burst, long intervalNanos, long now) {
        if (burst < 1 || intervalNanos < 1) {
            throw new IllegalArgumentException("login throttle needs a burst and an interval of at least 1");
        }
        this.burst = burst;
        this.interval = intervalNanos;
        this.tat = now;
    }

    /** Takes one check if there is room now. */
    boolean tryTake(long now) {
        long t = Math.max(tat, now);
        if (t - now > (long) (burst - 1) * interval) {
            return false;
        }
        tat = t + interval;
        return true;
    }

    /** The earliest time {@link #tryTake} succeeds. */
    long nextAt(long now) {
        return Math.max(now, tat - (long) (burst - 1) * interval);
    }

    /** Gives one check back (a correct password). */
    void refund(long now) {
        tat = Math.max(now, tat - interval);
    }
}
