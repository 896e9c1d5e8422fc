package org.jnetstack.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.stats.Counter;
import org.jnetstack.stats.Counters;

/**
 * The machinery both IP families reassemble with (RFC 815's hole tracking, RFC 791 §3.2 and RFC
 * 8200 §4.5): datagrams keyed by interface, source, destination, protocol and identification;
 * the ranges held; a timer per datagram; and hard bounds — datagrams in flight and bytes of buffer
 * in total and per source address, and the stack's {@link MemoryBudget}. Each refusal is counted
 * under the family's prefix ({@code ip.frag.} or {@code ip6.frag.}).
 *
 * <p>What a family decides: whether only an exact copy of a fragment is a harmless duplicate
 * (IPv6: any other overlap drops the datagram, RFC 5722 §4) or any fragment inside data held is
 * (IPv4), how many fragments one datagram may have, room in front of the payload for the header,
 * and what happens on completion and on timeout ({@link Family}). Loop thread only.
 */
public final class FragmentReassembler {
    /** One family's part: deliver a completed datagram, answer a timed-out one. */
    public interface Family {
        /** {@code d} is complete (and already removed): deliver it; false if it turned out inconsistent (counted). */
        boolean complete(Datagram d);

        /** {@code d} timed out (and is already removed): a Time Exceeded if the family sends one. */
        void expired(Datagram d);
    }

    /**
     * The bounds and rules of one family.
     *
     * @param headroom       bytes in front of the payload in {@link Datagram#data}, for the header (IPv4)
     * @param initialSize    the payload bytes a new datagram's buffer starts with
     * @param maxSize        the largest payload a datagram may have
     * @param maxFragments   fragments one datagram may be made of (more drops it)
     * @param exactDuplicatesOnly true: a fragment is a duplicate only if it matches a held one exactly
     */
    public record Rules(int maxDatagrams, int maxBytes, int perSourceDatagrams, int perSourceBytes, long timeoutNanos,
                        int headroom, int initialSize, int maxSize, int maxFragments, boolean exactDuplicatesOnly) {
    }

    /** A datagram being reassembled; the family reads the key and the data, and keeps its first fragment's facts here. */
    public final class Datagram {
        public final Object iface;
        public final long srcHi;
        public final long srcLo;
        public final long dstHi;
        public final long dstLo;
        public final int protocol;
        public final long id;
        /** The payload at {@link Rules#headroom}, {@link #total} bytes once complete. */
        public byte[] data;
        /** Payload length, known once the last fragment arrived; -1 before. */
        public int total = -1;
        /** The family's copy of the first fragment (IPv6), counted in what the datagram holds; null if none. */
        public byte[] first;
        /** The family's notes on the first fragment (header length; offsets inside {@link #first}); 0 until it came. */
        public int firstHeaderLength;
        public int firstAux;
        int[] starts = new int[8];
        int[] ends = new int[8];
        int ranges;
        int held;
        final org.jnetstack.loop.Timer timer;

        Datagram(Object iface, long srcHi, long srcLo, long dstHi, long dstLo, int protocol, long id) {
            this.iface = iface;
            this.srcHi = srcHi;
            this.srcLo = srcLo;
            this.dstHi = dstHi;
            this.dstLo = dstLo;
            this.protocol = protocol;
            this.id = id;
            this.data = new byte[rules.headroom + rules.initialSize];
            this.timer = loop.newTimer(() -> expire(this));
        }

        /** Bytes held without a gap from payload offset 0 (what a Time Exceeded may quote). */
        public int heldFromStart() {
            return ranges > 0 && starts[0] == 0 ? ends[0] : 0;
        }

        /** The ranges, sorted and apart, cover [0, total) and the first fragment's facts are in. */
        boolean complete() {
            if (total < 0 || ranges == 0 || starts[0] != 0 || ends[ranges - 1] != total || firstHeaderLength == 0) {
                return false;
            }
            for (int i = 0; i + 1 < ranges; i++) {
                if (ends[i] != starts[i + 1]) {
                    return false;
                }
            }
            return true;
        }
    }

    private final EventLoop loop;
    private final MemoryBudget memory;
    private final Rules rules;
    private final Family family;
    private final List<Datagram> inFlight = new ArrayList<>();
    private int bytesHeld;

    private final Counter fragments;
    private final Counter reassembled;
    private final Counter duplicates;
    private final Counter dropOverlap;
    private final Counter dropTimeout;
    private final Counter dropLimit;
    private final Counter dropSourceLimit;
    private final Counter dropInconsistent;
    private final Counter dropMemory;

    /** {@code prefix} names the counters: {@code "ip.frag."} gives {@code ip.frag.rx}, {@code ip.frag.drop.limit}, ... */
    public FragmentReassembler(EventLoop loop, MemoryBudget memory, Rules rules, Family family, Counters counters, String prefix) {
        this.loop = loop;
        this.memory = memory;
        this.rules = rules;
        this.family = family;
        fragments = counters.counter(prefix + "rx");
        reassembled = counters.counter(prefix + "reassembled");
        duplicates = counters.counter(prefix + "duplicates");
        dropOverlap = counters.counter(prefix + "drop.overlap");
        dropTimeout = counters.counter(prefix + "drop.timeout");
        dropLimit = counters.counter(prefix + "drop.limit");
        dropSourceLimit = counters.counter(prefix + "drop.source_limit");
        dropInconsistent = counters.counter(prefix + "drop.inconsistent");
        dropMemory = counters.counter(prefix + "drop.memory");
    }

    public int datagramsInFlight() {
        return inFlight.size();
    }

    /** Bytes of reassembly buffer held now (what {@code reassemblyMaxBytes} bounds). */
    public int bytesHeld() {
        return bytesHeld;
    }

    /** Bytes of reassembly buffer held for datagrams from {@code srcHi:srcLo}. */
    public int bytesFrom(long srcHi, long srcLo) {
        return fromSource(srcHi, srcLo, true);
    }

    /** Bytes held for, or (with {@code bytes} false) datagrams from, {@code srcHi:srcLo}. */
    private int fromSource(long srcHi, long srcLo, boolean bytes) {
        int n = 0;
        for (int i = 0, c = inFlight.size(); i < c; i++) {
            Datagram d = inFlight.get(i);
            if (d.srcHi == srcHi && d.srcLo == srcLo) {
                n += bytes ? d.held : 1;
            }
        }
        return n;
    }

    /** Counts a fragment the family rejected before it came here (a bad length), so {@code rx} counts every fragment. */
    public void counted() {
        fragments.inc();
    }

    /**
     * Takes the fragment with payload {@code buf[dataOff, dataOff + (end - start))} at payload
     * offset {@code start}. {@code firstBytes} is what the family will keep of it if it is the
     * first ({@link Datagram#first}; 0 otherwise), charged with the buffer. Returns the datagram
     * it went into — the family then notes its first fragment's facts and calls {@link #completeIfDone}
     * — or null if it was a duplicate or was dropped (counted; a drop takes the datagram with it).
     */
    public Datagram add(Object iface, long srcHi, long srcLo, long dstHi, long dstLo, int protocol, long id,
                        int start, int end, boolean more, int firstBytes, byte[] buf, int dataOff) {
        fragments.inc();
        Datagram d = find(iface, srcHi, srcLo, dstHi, dstLo, protocol, id);
        if (d == null) {
            if (inFlight.size() >= rules.maxDatagrams) {
                dropLimit.inc();
                return null;
            }
            if (fromSource(srcHi, srcLo, false) >= rules.perSourceDatagrams) {
                dropSourceLimit.inc();
                return null;
            }
            d = new Datagram(iface, srcHi, srcLo, dstHi, dstLo, protocol, id);
            inFlight.add(d);
            d.timer.schedule(rules.timeoutNanos);
        }
        if (!more) {
            if ((d.total >= 0 && d.total != end) || (d.ranges > 0 && d.ends[d.ranges - 1] > end)) {
                return drop(d, dropInconsistent); // two different ends, or data beyond the end
            }
            d.total = end;
        } else if (d.total >= 0 && end > d.total) {
            return drop(d, dropInconsistent);
        }
        for (int i = 0; i < d.ranges; i++) {
            boolean duplicate = rules.exactDuplicatesOnly ? d.starts[i] == start && d.ends[i] == end
                    : d.starts[i] <= start && end <= d.ends[i];
            if (duplicate) {
                duplicates.inc(); // never applied over what we hold
                return null;
            }
            if (start < d.ends[i] && d.starts[i] < end) {
                return drop(d, dropOverlap);
            }
        }
        if (d.ranges >= rules.maxFragments) {
            return drop(d, dropLimit);
        }
        // The bound is on memory: the buffer each datagram allocates, not just the payload it holds
        // (one tiny fragment at the far end needs a buffer that large).
        int needed = rules.headroom + end;
        int length = needed > d.data.length
                ? Math.max(needed, Math.min(d.data.length * 2, rules.headroom + rules.maxSize)) : d.data.length;
        int grown = length + (d.first == null ? 0 : d.first.length) + firstBytes;
        int growth = grown - d.held;
        if (bytesHeld + growth > rules.maxBytes) {
            return drop(d, dropLimit);
        }
        if (bytesFrom(d.srcHi, d.srcLo) + growth > rules.perSourceBytes) {
            return drop(d, dropSourceLimit);
        }
        if (growth > 0 && !memory.tryCharge(growth)) {
            return drop(d, dropMemory); // the stack's memory budget is spent
        }
        if (growth < 0) {
            memory.uncharge(-growth);
        }
        if (length != d.data.length) {
            d.data = Arrays.copyOf(d.data, length);
        }
        System.arraycopy(buf, dataOff, d.data, rules.headroom + start, end - start);
        bytesHeld += growth;
        d.held = grown;
        insertRange(d, start, end);
        return d;
    }

    /** Delivers {@code d} through the family if it is complete. */
    public void completeIfDone(Datagram d) {
        if (!d.complete()) {
            return;
        }
        remove(d);
        (family.complete(d) ? reassembled : dropInconsistent).inc();
    }

    private Datagram find(Object iface, long srcHi, long srcLo, long dstHi, long dstLo, int protocol, long id) {
        for (int i = 0, n = inFlight.size(); i < n; i++) {
            Datagram d = inFlight.get(i);
            if (d.id == id && d.srcLo == srcLo && d.srcHi == srcHi && d.dstLo == dstLo && d.dstHi == dstHi
                    && d.protocol == protocol && d.iface == iface) {
                return d;
            }
        }
        return null;
    }

    private void insertRange(Datagram d, int start, int end) {
        int i = 0;
        while (i < d.ranges && d.starts[i] < start) {
            i++;
        }
        if (d.ranges == d.starts.length) {
            d.starts = Arrays.copyOf(d.starts, d.ranges * 2);
            d.ends = Arrays.copyOf(d.ends, d.ranges * 2);
        }
        System.arraycopy(d.starts, i, d.starts, i + 1, d.ranges - i);
        System.arraycopy(d.ends, i, d.ends, i + 1, d.ranges - i);
        d.starts[i] = start;
        d.ends[i] = end;
        d.ranges++;
        if (rules.exactDuplicatesOnly) {
            return; // one range per fragment, so an exact duplicate is told from an overlap
        }
        // Merge neighbours that touch, so a datagram's ranges stay few.
        int w = 0;
        for (int r = 1; r < d.ranges; r++) {
            if (d.starts[r] == d.ends[w]) {
                d.ends[w] = d.ends[r];
            } else {
                w++;
                d.starts[w] = d.starts[r];
                d.ends[w] = d.ends[r];
            }
        }
        d.ranges = w + 1;
    }

    private Datagram drop(Datagram d, Counter why) {
        why.inc();
        remove(d);
        return null;
    }

    private void expire(Datagram d) {
        dropTimeout.inc();
        remove(d);
        family.expired(d);
    }

    /** Lets {@code d} go: timer, buffer bytes, budget. */
    private void remove(Datagram d) {
        d.timer.cancel();
        if (inFlight.remove(d)) {
            bytesHeld -= d.held;
            memory.uncharge(d.held);
            d.held = 0;
        }
    }

    /** Drops every datagram that came in on {@code iface} (it went away). */
    public void clear(Object iface) {
        for (Datagram d : List.copyOf(inFlight)) {
            if (d.iface == iface) {
                remove(d);
            }
        }
    }
}
