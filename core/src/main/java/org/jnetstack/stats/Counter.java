package org.jnetstack.stats;

/**
 * One counter. Written only by the event-loop thread (no atomics needed); read from any
 * thread, where a value may be a moment stale.
 */
public final class Counter {
    private final String name;
    private long value;

    Counter(String name) {
        this.name = name;
    }

    public String name() {
        return name;
    }

    public void inc() {
        value++;
    }

    public void add(long n) {
        value += n;
    }

    public long get() {
        return value;
    }

    @Override
    public String toString() {
        return name + "=" + value;
    }
}
