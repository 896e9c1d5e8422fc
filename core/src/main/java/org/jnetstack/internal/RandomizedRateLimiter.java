package org.jnetstack.internal;

import java.util.random.RandomGenerator;
import org.jnetstack.loop.Clock;

/**
 * A budget of events per second whose size is drawn anew, at random, each second: between half
 * and one and a half times {@code meanPerSecond} (at least one). Linux limits challenge ACKs this
 * way since 4.7 (RFC 5961 §7): an attacker who exhausts a fixed global budget can count what is
 * left of it and so observe other connections' events (CVE-2016-5696); with a random budget the
 * count tells it nothing. Seconds are those of the loop's clock. Single-threaded; allocation-free.
 */
public final class RandomizedRateLimiter {
    private static final long SECOND = 1_000_000_000L;

    private final Clock clock;
    private final int meanPerSecond;
    private final RandomGenerator random;
    private long second = Long.MIN_VALUE;
    private int left;

    /** {@code random} should be a stream of this limiter's own (its draws are not secret, but are private). */
    public RandomizedRateLimiter(Clock clock, int meanPerSecond, RandomGenerator random) {
        if (meanPerSecond < 1) {
            throw new IllegalArgumentException("rate must be positive: " + meanPerSecond);
        }
        this.clock = clock;
        this.meanPerSecond = meanPerSecond;
        this.random = random;
    }

    /** Takes one event from this second's budget if any is left. */
    public boolean tryAcquire() {
        long now = Math.floorDiv(clock.nanos(), SECOND);
        if (now != second) {
            second = now;
            left = Math.max(1, meanPerSecond / 2 + random.nextInt(meanPerSecond));
        }
        if (left > 0) {
            left--;
            return true;
        }
        return false;
    }

    /** This second's budget left (tests). */
    int left() {
        return left;
    }
}
