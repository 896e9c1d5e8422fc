package org.jnetstack.internal;

import java.util.List;

/** An int-keyed view of {@link LongMap}: no boxing on lookup. Not thread-safe. */
public final class IntMap<V> {
    private final LongMap<V> map;

    public IntMap() {
        this(16);
    }

    public IntMap(int capacity) {
        map = new LongMap<>(capacity);
    }

    public V get(int key) {
        return map.get(key);
    }

    public boolean containsKey(int key) {
        return map.containsKey(key);
    }

    public V put(int key, V value) {
        return map.put(key, value);
    }

    public V remove(int key) {
        return map.remove(key);
    }

    public int size() {
        return map.size();
    }

    public List<V> values() {
        return map.values();
    }

    public void clear() {
        map.clear();
    }
}
