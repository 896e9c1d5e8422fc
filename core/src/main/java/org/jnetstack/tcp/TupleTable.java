package org.jnetstack.tcp;

import java.util.ArrayList;
import java.util.List;
import org.jnetstack.util.LongMap;

/**
 * Connections (or SYN requests) by their full 4-tuple. The hash key is the 64-bit
 * (remote address, remote port, local port) of {@link Tcp#key}; entries that share it and differ
 * only in the local address — which happens only on a gateway's catch-all, where the guest's
 * one source port may reach many destinations on the same port — hang off the first in a
 * chain. The common lookup stays one map probe and one compare, and nothing is allocated per
 * segment.
 */
final class TupleTable<T> {
    /** How an entry names its key and local address and links to the next entry with the same key. */
    interface Links<T> {
        long key(T t);

        int localIp(T t);

        T next(T t);

        void setNext(T t, T next);
    }

    private final LongMap<T> heads = new LongMap<>();
    private final Links<T> links;
    private int size;

    TupleTable(Links<T> links) {
        this.links = links;
    }

    /** The entry of this 4-tuple, or null. */
    T get(long key, int localIp) {
        T t = heads.get(key);
        while (t != null && links.localIp(t) != localIp) {
            t = links.next(t);
        }
        return t;
    }

    /** Some entry with this key (any local address), or null: for callers that do not know the local address. */
    T any(long key) {
        return heads.get(key);
    }

    /** Adds {@code t}; false (and nothing changed) if its 4-tuple is taken. */
    boolean add(T t) {
        long key = links.key(t);
        T head = heads.get(key);
        if (head == null) {
            heads.put(key, t);
        } else {
            if (get(key, links.localIp(t)) != null) {
                return false;
            }
            links.setNext(t, links.next(head));
            links.setNext(head, t);
        }
        size++;
        return true;
    }

    /** Removes {@code t} if present (by identity). */
    void remove(T t) {
        long key = links.key(t);
        T head = heads.get(key);
        if (head == t) {
            T next = links.next(t);
            if (next == null) {
                heads.remove(key);
            } else {
                heads.put(key, next);
            }
        } else {
            T prev = head;
            while (prev != null && links.next(prev) != t) {
                prev = links.next(prev);
            }
            if (prev == null) {
                return;
            }
            links.setNext(prev, links.next(t));
        }
        links.setNext(t, null);
        size--;
    }

    int size() {
        return size;
    }

    /** Every entry (a new list). */
    List<T> values() {
        List<T> all = new ArrayList<>(size);
        for (T head : heads.values()) {
            for (T t = head; t != null; t = links.next(t)) {
                all.add(t);
            }
        }
        return all;
    }
}
