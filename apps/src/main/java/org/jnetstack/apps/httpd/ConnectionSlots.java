package org.jnetstack.apps.httpd;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;

/**
 * Connection slots of one server: at most {@code total} at once, and at most {@code perSource}
 * from one address. Only addresses holding a slot are remembered, so the map is bounded by
 * {@code total}. Thread-safe.
 */
final class ConnectionSlots {
    private final int total;
    private final int perSource;
    private final Map<InetAddress, Integer> bySource = new HashMap<>();
    private int used;

    ConnectionSlots(int total, int perSource) {
        this.total = total;
        this.perSource = perSource;
    }

    /** Takes a slot for a connection from {@code source}; false when the server or that source has none left. */
    synchronized boolean tryTake(InetAddress source) {
        int mine = bySource.getOrDefault(source, 0);
        if (used >= total || mine >= perSource) {
            return false;
        }
        used++;
        bySource.put(source, mine + 1);
        return true;
    }

    /** Whether {@code source} holds all the slots one source may. */
    synchronized boolean sourceFull(InetAddress source) {
        return bySource.getOrDefault(source, 0) >= perSource;
    }

    synchronized void release(InetAddress source) {
        used--;
        bySource.computeIfPresent(source, (a, n) -> n <= 1 ? null : n - 1);
    }

    synchronized int used() {
        return used;
    }
}
