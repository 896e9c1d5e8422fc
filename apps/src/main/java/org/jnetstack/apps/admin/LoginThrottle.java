package org.jnetstack.apps.admin;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Slows password guessing: each client address may fail {@link #FREE_FAILURES} times, then must
 * wait before its next try — 1 s, doubling with each further failure up to 15 minutes. A success
 * clears the address. At most {@link #MAX_CLIENTS} addresses are remembered (the oldest go first),
 * so a flood of addresses cannot exhaust memory. Thread-safe.
 */
final class LoginThrottle {
    static final int FREE_FAILURES = 5;
    static final int MAX_CLIENTS = 4096;
    private static final long MAX_DELAY_NANOS = 15L * 60 * 1_000_000_000L;

    private record Failures(int count, long lockedUntilNanos) {
    }

    private final LongSupplier nanoClock;
    private final Map<String, Failures> clients = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Failures> eldest) {
            return size() > MAX_CLIENTS;
        }
    };

    LoginThrottle(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
    }

    /** Milliseconds {@code client} must still wait before trying again; 0 when it may try now. */
    synchronized long waitMillis(String client) {
        Failures f = clients.get(client);
        if (f == null) {
            return 0;
        }
        long left = f.lockedUntilNanos() - nanoClock.getAsLong();
        return left <= 0 ? 0 : Math.max(1, left / 1_000_000);
    }

    synchronized void failed(String client) {
        Failures f = clients.get(client);
        int count = f == null ? 1 : f.count() + 1;
        long delay = 0;
        if (count >= FREE_FAILURES) {
            int doublings = Math.min(count - FREE_FAILURES, 20);
            delay = Math.min(MAX_DELAY_NANOS, 1_000_000_000L << doublings);
        }
        clients.put(client, new Failures(count, nanoClock.getAsLong() + delay));
    }

    synchronized void succeeded(String client) {
        clients.remove(client);
    }
}
