package org.jnetstack.tcp;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.ToIntFunction;
import java.util.function.ToLongFunction;
import java.util.function.UnaryOperator;
import org.jnetstack.internal.LongMap;

/**
 * Connections (or SYN requests) by their full 4-tuple. The hash key is the 64-bit
 * (remote address, remote port, local port) of {@link Tcp#key}; entries that share it and differ
 * only in the local address — which happens only on a gateway's catch-all, where the guest's
 * one source port may reach many destinations on the same port — hang off the first in a
 * chain. The common lookup stays one map probe and one compare, and nothing is allocated per
 * segment.
 */
final class TupleTable<T> {
    private final LongMap<T> heads = new LongMap<>();
    private final ToLongFunction<T> keyOf;
    private final ToIntFunction<T> localIpOf;
    private final UnaryOperator<T> nextOf;
    private final BiConsumer<T, T> setNext;
    private int size;

    /**
     * @param keyOf     an entry's {@link Tcp#key}
     * @param localIpOf its local address
     * @param nextOf    the next entry with the same key (a field of the entry: no node objects)
     * @param setNext   sets that field
     */
    TupleTable(ToLongFunction<T> keyOf, ToIntFunction<T> localIpOf, UnaryOperator<T> nextOf, BiConsumer<T, T> setNext) {
        this.keyOf = keyOf;
        this.localIpOf = localIpOf;
        this.nextOf = nextOf;
        this.setNext = setNext;
    }

    /** The entry of this 4-tuple, or null. */
    T get(long key, int localIp) {
        T t = heads.get(key);
        while (t != null && localIpOf.applyAsInt(t) != localIp) {
            t = nextOf.apply(t);
        }
        return t;
    }

    /** Some entry with this key (any local address), or null: for callers that do not know the local address. */
    T any(long key) {
        return heads.get(key);
    }

    /** Adds {@code t}; false (and nothing changed) if its 4-tuple is taken. */
    boolean add(T t) {
        long key = keyOf.applyAsLong(t);
        T head = heads.get(key);
        if (head == null) {
            heads.put(key, t);
        } else {
            if (get(key, localIpOf.applyAsInt(t)) != null) {
                return false;
            }
            setNext.accept(t, nextOf.apply(head));
            setNext.accept(head, t);
        }
        size++;
        return true;
    }

    /** Removes {@code t} if present (by identity). */
    void remove(T t) {
        long key = keyOf.applyAsLong(t);
        T head = heads.get(key);
        if (head == t) {
            T next = nextOf.apply(t);
            if (next == null) {
                heads.remove(key);
            } else {
                heads.put(key, next);
            }
        } else {
            T prev = head;
            while (prev != null && nextOf.apply(prev) != t) {
                prev = nextOf.apply(prev);
            }
            if (prev == null) {
                return;
            }
            setNext.accept(prev, nextOf.apply(t));
        }
        setNext.accept(t, null);
        size--;
    }

    int size() {
        return size;
    }

    /** Every entry (a new list). */
    List<T> values() {
        List<T> all = new ArrayList<>(size);
        for (T head : heads.values()) {
            for (T t = head; t != null; t = nextOf.apply(t)) {
                all.add(t);
            }
        }
        return all;
    }
}
