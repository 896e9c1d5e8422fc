package org.jnetstack.tcp;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.jnetstack.internal.LongMap;

/**
 * Connections (or SYN requests, or TIME-WAIT records) by their full 4-tuple. The hash key is the
 * keyed 64-bit hash of (remote address, remote port, local port) of {@link TupleKeys}; entries that
 * share it hang off the first in a chain: those that differ only in the local address — which
 * happens only on a gateway's catch-all, where the guest's one source port may reach many
 * destinations on the same port — and, with negligible odds under a secret key, other tuples whose
 * keys collide. The common lookup stays one map probe and one compare of the tuple, and nothing
 * is allocated per segment. Bounded by its callers (connection, SYN queue and TIME-WAIT limits).
 */
final class TupleTable<T> {
    private final LongMap<T> heads = new LongMap<>();
    private final Function<T, FourTuple> tupleOf;
    private final UnaryOperator<T> nextOf;
    private final BiConsumer<T, T> setNext;
    /**
     * The entry the last successful lookup found: a stream of segments for one connection (a bulk
     * transfer, a conversation) finds it by one compare of the tuple, with no hash computed.
     */
    private T recent;
    private int size;

    /**
     * @param tupleOf an entry's 4-tuple
     * @param nextOf  the next entry with the same key (a field of the entry: no node objects)
     * @param setNext sets that field
     */
    TupleTable(Function<T, FourTuple> tupleOf, UnaryOperator<T> nextOf, BiConsumer<T, T> setNext) {
        this.tupleOf = tupleOf;
        this.nextOf = nextOf;
        this.setNext = setNext;
    }

    /** The entry of this 4-tuple, whose {@link TupleKeys#key} is {@code key}, or null. */
    T get(long key, long localHi, long localLo, long remoteHi, long remoteLo, int remotePort, int localPort) {
        T t = heads.get(key);
        while (t != null && !tupleOf.apply(t).is(localHi, localLo, remoteHi, remoteLo, remotePort, localPort)) {
            t = nextOf.apply(t);
        }
        if (t != null) {
            recent = t;
        }
        return t;
    }

    /**
     * The entry of this 4-tuple if it is the one the last successful lookup found, else null (then
     * look it up by {@link #get}). The whole tuple is compared, so a segment can only ever reach
     * the entry that is its own.
     */
    T recent(long localHi, long localLo, long remoteHi, long remoteLo, int remotePort, int localPort) {
        T t = recent;
        return t != null && tupleOf.apply(t).is(localHi, localLo, remoteHi, remoteLo, remotePort, localPort) ? t : null;
    }

    /** The entry with 4-tuple {@code ft}, or null. */
    T get(FourTuple ft) {
        return get(ft.key, ft.localHi, ft.localLo, ft.remoteHi, ft.remoteLo, ft.remotePort, ft.localPort);
    }

    /** Adds {@code t}; false (and nothing changed) if its 4-tuple is taken. */
    boolean add(T t) {
        FourTuple ft = tupleOf.apply(t);
        T head = heads.get(ft.key);
        if (head == null) {
            heads.put(ft.key, t);
        } else {
            if (get(ft) != null) {
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
        if (recent == t) {
            recent = null;
        }
        long key = tupleOf.apply(t).key;
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
