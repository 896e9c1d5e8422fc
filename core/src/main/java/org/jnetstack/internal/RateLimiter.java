package org.jnetstack.internal;

import org.jnetstack.loop.Clock;

/**
 * A token bucket: {@code ratePerSecond} tokens a second, holding at most {@code burst}.
 * Used to limit ICMP replies and errors (RFC 1812 §4.3.2.8). Challenge ACKs use
 * {@link RandomizedRateLimiter}: a budget an outsider can count is a side channel.
 */
public final class RateLimiter {
    private final Clock clock;
    private final double ratePerNano;
    private final double burst;
    private double tokens;
    private long last;

    public RateLimiter(Clock clock, double ratePerSecond, int burst) {
        if (ratePerSecond <= 0 || burst <= 0) {
            throw new IllegalArgumentException("rate and burst must be positive");
        }
        this.clock = clock;
        this.ratePerNano = ratePerSecond / 1e9;
        this.burst = burst;
        this.tokens = burst;
        this.last = clock.nanos();
    }

    /** Takes one token if available. */
    public boolean tryAcquire() {
        long now = clock.nanos();
        long elapsed = now - last;
        if (elapsed > 0) {
            tokens = Math.min(burst, tokens + elapsed * ratePerNano);
            last = now;
        }
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        return false;
    }
}
