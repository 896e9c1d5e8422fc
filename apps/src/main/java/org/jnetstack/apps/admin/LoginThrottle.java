package org.jnetstack.apps.admin;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Slows password guessing without locking the owner out. Every attempt is recorded as a failure
 * before its password is checked ({@link #tryBegin}), so attempts made in parallel see each other;
 * a success clears the record ({@link #succeeded}). After {@link #FREE_PER_SOURCE} failures in a
 * row from one address, or {@link #FREE_GLOBAL} from all addresses together, the next attempt
 * must wait: 1 s, doubling with each further failure, capped at {@link #MAX_DELAY_MILLIS}. The
 * global record is what holds a guesser behind a NAT or the user-mode forward, where every client
 * has one address; its cap keeps the owner's wait to a few seconds once the guessing stops.
 * At most {@link #MAX_SOURCES} addresses are remembered (the oldest go first). Thread-safe.
 */
final class LoginThrottle {
    static final int FREE_PER_SOURCE = 3;
    static final int FREE_GLOBAL = 10;
    static final long MAX_DELAY_MILLIS = 4000;
    static final int MAX_SOURCES = 4096;
    private static final long NANOS_PER_MILLI = 1_000_000L;

    /** Consecutive failures, and when the next attempt may begin. */
    private record Failures(int count, long nextNanos) {
    }

    private final LongSupplier nanoClock;
    private Failures global = new Failures(0, Long.MIN_VALUE);
    private final Map<String, Failures> sources = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Failures> eldest) {
            return size() > MAX_SOURCES;
        }
    };

    LoginThrottle(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
    }

    /**
     * Begins an attempt from {@code source}: 0 when it may go on (it is then already counted as a
     * failure), else the milliseconds it must still wait (nothing is recorded).
     */
    synchronized long tryBegin(String source) {
        long now = nanoClock.getAsLong();
        Failures mine = sources.getOrDefault(source, new Failures(0, Long.MIN_VALUE));
        long wait = Math.max(left(global, now), left(mine, now));
        if (wait > 0) {
            return Math.max(1, (wait + NANOS_PER_MILLI - 1) / NANOS_PER_MILLI);
        }
        global = next(global, FREE_GLOBAL, now);
        sources.put(source, next(mine, FREE_PER_SOURCE, now));
        return 0;
    }

    /** The attempt begun by {@link #tryBegin} had the right password: the guessing record is cleared. */
    synchronized void succeeded(String source) {
        sources.remove(source);
        global = new Failures(0, Long.MIN_VALUE);
    }

    synchronized int sourcesKept() {
        return sources.size();
    }

    private static long left(Failures f, long now) {
        return f.count() == 0 ? 0 : f.nextNanos() - now;
    }

    private static Failures next(Failures f, int free, long now) {
        int count = f.count() == Integer.MAX_VALUE ? f.count() : f.count() + 1;
        long delay = 0;
        if (count >= free) {
            int doublings = Math.min(count - free, 20);
            delay = Math.min(MAX_DELAY_MILLIS, 1000L << doublings) * NANOS_PER_MILLI;
        }
        return new Failures(count, now + delay);
    }
}
