package org.jnetstack.stats;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A named set of {@link Counter}s, in registration order. Each layer registers its counters
 * once (names like {@code ip.rx.drop.bad_checksum}) and increments the returned objects on the
 * hot path, which costs one field increment.
 */
public final class Counters {
    private final Map<String, Counter> byName = new LinkedHashMap<>();

    /** Returns the counter with that name, creating it at zero if needed. */
    public synchronized Counter counter(String name) {
        return byName.computeIfAbsent(name, Counter::new);
    }

    /** Adds every counter of {@code other} (by reference) to this set. */
    public synchronized void include(Counters other) {
        for (Counter c : other.all()) {
            byName.putIfAbsent(c.name(), c);
        }
    }

    public synchronized Iterable<Counter> all() {
        return java.util.List.copyOf(byName.values());
    }

    /** Current value of a counter, or 0 if no such counter exists. */
    public synchronized long get(String name) {
        Counter c = byName.get(name);
        return c == null ? 0 : c.get();
    }

    /** A copy of every value, in registration order. */
    public synchronized Map<String, Long> snapshot() {
        Map<String, Long> m = new LinkedHashMap<>();
        for (Counter c : byName.values()) {
            m.put(c.name(), c.get());
        }
        return Collections.unmodifiableMap(m);
    }

    /** Sum of all counters whose name starts with {@code prefix}. */
    public synchronized long sum(String prefix) {
        long s = 0;
        for (Counter c : byName.values()) {
            if (c.name().startsWith(prefix)) {
                s += c.get();
            }
        }
        return s;
    }

    @Override
    public synchronized String toString() {
        StringBuilder sb = new StringBuilder();
        for (Counter c : byName.values()) {
            if (c.get() != 0) {
                sb.append(c).append('\n');
            }
        }
        return sb.toString();
    }
}
