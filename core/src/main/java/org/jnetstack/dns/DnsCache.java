package org.jnetstack.dns;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Answers kept for their TTL (RFC 1035 §7.4), negative ones included (RFC 2308 §5): bounded,
 * least recently used evicted first. Loop thread only.
 */
final class DnsCache {
    private record Cached(DnsResult result, long storedAt, long expiresAt) {
    }

    private final int capacity;
    private final LinkedHashMap<String, Cached> map;

    DnsCache(int capacity) {
        this.capacity = capacity;
        this.map = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Cached> eldest) {
                return size() > DnsCache.this.capacity;
            }
        };
    }

    private static String key(String name, int type) {
        return type + " " + name;
    }

    /** Stores {@code r} for {@code ttlNanos} (nothing for 0: a TTL of 0 means "use once", RFC 1035 §3.2.1). */
    void put(DnsResult r, long now, long ttlNanos) {
        if (capacity == 0 || ttlNanos <= 0) {
            return;
        }
        map.put(key(r.name(), r.type()), new Cached(r, now, now + ttlNanos));
    }

    /** The cached result with its TTL counted down, or null if absent or expired. */
    DnsResult get(String name, int type, long now) {
        String k = key(name, type);
        Cached e = map.get(k);
        if (e == null) {
            return null;
        }
        if (e.expiresAt - now <= 0) {
            map.remove(k);
            return null;
        }
        DnsResult r = e.result;
        long left = (e.expiresAt - now) / 1_000_000_000L;
        return new DnsResult(r.name(), r.type(), r.status(), r.addresses(), r.cnames(), left, r.server(), DnsResult.Source.CACHE);
    }

    void clear() {
        map.clear();
    }

    int size() {
        return map.size();
    }
}
