package org.jnetstack.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An open-addressing map from long keys to objects: lookups allocate nothing (no boxing),
 * which matters on the per-packet path (connection and port tables). Not thread-safe.
 */
public final class LongMap<V> {
    private static final byte FREE = 0;
    private static final byte USED = 1;
    private static final byte DELETED = 2;

    private long[] keys;
    private Object[] values;
    private byte[] states;
    private int size;
    private int occupied;

    public LongMap() {
        this(16);
    }

    public LongMap(int capacity) {
        int cap = Integer.highestOneBit(Math.max(4, capacity) * 2 - 1);
        keys = new long[cap];
        values = new Object[cap];
        states = new byte[cap];
    }

    private static int mix(long k) {
        long h = k * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32));
    }

    @SuppressWarnings("unchecked")
    public V get(long key) {
        int mask = keys.length - 1;
        for (int i = mix(key) & mask; ; i = (i + 1) & mask) {
            byte s = states[i];
            if (s == FREE) {
                return null;
            }
            if (s == USED && keys[i] == key) {
                return (V) values[i];
            }
        }
    }

    public boolean containsKey(long key) {
        return get(key) != null;
    }

    /** Stores a non-null value; returns the previous one or null. */
    @SuppressWarnings("unchecked")
    public V put(long key, V value) {
        if (value == null) {
            throw new IllegalArgumentException("null value");
        }
        if ((occupied + 1) * 4 >= keys.length * 3) {
            rehash(size * 2 >= keys.length / 2 ? keys.length * 2 : keys.length);
        }
        int mask = keys.length - 1;
        int firstDeleted = -1;
        for (int i = mix(key) & mask; ; i = (i + 1) & mask) {
            byte s = states[i];
            if (s == FREE) {
                int slot = firstDeleted >= 0 ? firstDeleted : i;
                if (firstDeleted < 0) {
                    occupied++;
                }
                keys[slot] = key;
                values[slot] = value;
                states[slot] = USED;
                size++;
                return null;
            }
            if (s == DELETED) {
                if (firstDeleted < 0) {
                    firstDeleted = i;
                }
            } else if (keys[i] == key) {
                V old = (V) values[i];
                values[i] = value;
                return old;
            }
        }
    }

    @SuppressWarnings("unchecked")
    public V remove(long key) {
        int mask = keys.length - 1;
        for (int i = mix(key) & mask; ; i = (i + 1) & mask) {
            byte s = states[i];
            if (s == FREE) {
                return null;
            }
            if (s == USED && keys[i] == key) {
                V old = (V) values[i];
                values[i] = null;
                states[i] = DELETED;
                size--;
                return old;
            }
        }
    }

    public int size() {
        return size;
    }

    /** A copy of the values (iteration may then modify the map). */
    @SuppressWarnings("unchecked")
    public List<V> values() {
        List<V> out = new ArrayList<>(size);
        for (int i = 0; i < keys.length; i++) {
            if (states[i] == USED) {
                out.add((V) values[i]);
            }
        }
        return out;
    }

    public void clear() {
        Arrays.fill(states, FREE);
        Arrays.fill(values, null);
        size = 0;
        occupied = 0;
    }

    @SuppressWarnings("unchecked")
    private void rehash(int newCap) {
        long[] oldKeys = keys;
        Object[] oldValues = values;
        byte[] oldStates = states;
        keys = new long[newCap];
        values = new Object[newCap];
        states = new byte[newCap];
        size = 0;
        occupied = 0;
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldStates[i] == USED) {
                put(oldKeys[i], (V) oldValues[i]);
            }
        }
    }
}
