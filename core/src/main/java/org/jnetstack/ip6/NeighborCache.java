package org.jnetstack.ip6;

import java.util.ArrayList;
import java.util.List;
import org.jnetstack.internal.MemoryBudget;
import org.jnetstack.link.LinkDevice;
import org.jnetstack.loop.Timer;
import org.jnetstack.stats.Counter;
import org.jnetstack.stats.Counters;
import org.jnetstack.wire.EthernetFrame;
import org.jnetstack.wire.Ipv6Packet;
import org.jnetstack.wire.Ipv6Address;
import org.jnetstack.wire.MacAddress;

/**
 * The neighbour cache of one interface (RFC 4861 §7.2–7.3): address resolution with multicast
 * solicitations, neighbour unreachability detection through the INCOMPLETE, REACHABLE, STALE,
 * DELAY and PROBE states, and the packets waiting for a neighbour. Everything here is bounded:
 * {@code StackConfig.ndMaxEntries} entries (a full cache evicts the least recently confirmed
 * entry not being resolved, else refuses), {@code ndQueuePerNeighbor} packets per unresolved
 * neighbour (the oldest dropped) and {@code ndQueueTotalBytes} for all, each held byte charged to
 * the stack's memory budget; each drop is counted.
 *
 * <p>Entries not being resolved are kept on a list from least to most recently learnt or
 * confirmed, so eviction takes its head in constant time; an evicted entry is reused for the
 * new neighbour, so a flood of solicitations from ever new addresses allocates nothing.
 */
public final class NeighborCache {
    /** RFC 4861 §10: multicast solicitations before resolution fails. */
    static final int MAX_MULTICAST_SOLICIT = 3;
    /** RFC 4861 §10: unicast probes before a neighbour is declared unreachable. */
    static final int MAX_UNICAST_SOLICIT = 3;
    /** RFC 4861 §10: DELAY_FIRST_PROBE_TIME. */
    static final long DELAY_FIRST_PROBE_NANOS = 5_000_000_000L;
    /** Room in front of a held packet for the Ethernet header and a device's own header. */
    private static final int HELD_HEADROOM = LinkDevice.TX_HEADROOM + EthernetFrame.HEADER_LENGTH;

    private final Ipv6Interface ifc;
    private final int maxEntries;
    private final int queuePerNeighbor;
    private final int queueTotalBytes;
    /** Hash chains keyed by the address; a lookup allocates nothing. */
    private final Entry[] table;
    private int size;
    private int heldBytes;
    private final MemoryBudget memory;
    /** Entries that may be evicted (not INCOMPLETE), least recently learnt or confirmed first. */
    private Entry oldest;
    private Entry newest;

    private final Counter resolveFailed;
    private final Counter unreachable;
    private final Counter queueOverflow;
    private final Counter queueMemory;
    private final Counter queueUnresolved;
    private final Counter cacheFull;
    private final Counter evicted;
    private final Counter queueBudget;

    /** One neighbour (RFC 4861 §5.1 Neighbor Cache entry). */
    final class Entry {
        long hi;
        long lo;
        Entry next;
        /** Neighbours on the eviction list; {@code listed} while on it. */
        Entry older;
        Entry newer;
        boolean listed;
        NeighborState state = NeighborState.INCOMPLETE;
        long mac = -1;
        boolean router;
        long reachableUntil;
        int probes;
        final Timer timer;
        byte[][] held;
        int heldCount;

        Entry(long hi, long lo) {
            this.hi = hi;
            this.lo = lo;
            this.timer = ifc.ip().loop().newTimer(() -> onTimer(this));
        }

        /** Makes a removed entry the fresh INCOMPLETE entry of another neighbour. */
        void reuse(long h, long l) {
            hi = h;
            lo = l;
            next = null;
            state = NeighborState.INCOMPLETE;
            mac = -1;
            router = false;
            reachableUntil = 0;
            probes = 0;
        }
    }

    NeighborCache(Ipv6Interface ifc, Counters counters) {
        this.ifc = ifc;
        var cfg = ifc.ip().config();
        this.maxEntries = cfg.ndMaxEntries();
        this.queuePerNeighbor = cfg.ndQueuePerNeighbor();
        this.queueTotalBytes = cfg.ndQueueTotalBytes();
        this.memory = MemoryBudget.of(ifc.ip().memory());
        this.table = new Entry[Integer.highestOneBit(Math.max(16, maxEntries) * 2 - 1) << 1];
        resolveFailed = counters.counter("nd.resolve.failed");
        unreachable = counters.counter("nd.unreachable");
        queueOverflow = counters.counter("nd.queue.drop.overflow");
        queueMemory = counters.counter("nd.queue.drop.memory");
        queueUnresolved = counters.counter("nd.queue.drop.unresolved");
        cacheFull = counters.counter("nd.cache.full");
        evicted = counters.counter("nd.cache.evicted");
        queueBudget = counters.counter("nd.queue.drop.memory_budget");
    }

    private int slot(long hi, long lo) {
        long h = (hi * 0x9E3779B97F4A7C15L) ^ (lo * 0xC2B2AE3D27D4EB4FL);
        return (int) (h ^ (h >>> 29)) & (table.length - 1);
    }

    private Entry get(long hi, long lo) {
        for (Entry e = table[slot(hi, lo)]; e != null; e = e.next) {
            if (e.hi == hi && e.lo == lo) {
                return e;
            }
        }
        return null;
    }

    /** Entries now (bounded by {@code StackConfig.ndMaxEntries}). */
    public int size() {
        return size;
    }

    /** Bytes of packets held for unresolved neighbours. */
    public int heldBytes() {
        return heldBytes;
    }

    /** The link-layer address known for {@code hi:lo}, or -1 (none, or still INCOMPLETE). Changes nothing. */
    public long lookup(long hi, long lo) {
        Entry e = get(hi, lo);
        return e == null ? -1 : e.mac;
    }

    /** The state of the entry for {@code hi:lo}, or null if there is none. */
    public NeighborState state(long hi, long lo) {
        Entry e = get(hi, lo);
        return e == null ? null : currentState(e);
    }

    /** REACHABLE turns STALE when its time has passed (RFC 4861 §7.3.3), looked at when used rather than by a timer. */
    private NeighborState currentState(Entry e) {
        if (e.state == NeighborState.REACHABLE && ifc.ip().loop().clock().nanos() - e.reachableUntil >= 0) {
            e.state = NeighborState.STALE;
        }
        return e.state;
    }

    /**
     * Sends the IPv6 packet at {@code buf[ipOff, ipOff+ipLen)} (room for the Ethernet header in
     * front) to neighbour {@code hi:lo}: at once if its address is known (a STALE entry goes to
     * DELAY, RFC 4861 §7.3.3), else held — copied — while it is solicited.
     */
    void send(long hi, long lo, byte[] buf, int ipOff, int ipLen) {
        Entry e = resolved(hi, lo);
        if (e != null) {
            ifc.netInterface().sendFrame(e.mac, EthernetFrame.TYPE_IPV6, buf, ipOff, ipLen);
            return;
        }
        holdOrSolicit(hi, lo, buf, ipOff, ipLen);
    }

    /**
     * As {@link #send} for a packet whose transport checksum the device completes and, with
     * {@code segmentSize > 0}, whose TCP payload it cuts: false, and nothing sent or held, while
     * the neighbour's address is unknown (the caller then finishes the packet itself).
     */
    boolean sendOffloaded(long hi, long lo, byte[] buf, int ipOff, int ipLen, int checksumOffset, int segmentSize) {
        Entry e = resolved(hi, lo);
        if (e == null) {
            return false;
        }
        ifc.netInterface().sendFrameOffloaded(e.mac, EthernetFrame.TYPE_IPV6, buf, ipOff, ipLen, Ipv6Packet.HEADER_LENGTH,
                checksumOffset, segmentSize);
        return true;
    }

    /**
     * As {@link #send}, but a device may keep {@code buf} (a large frame between two stacks in one
     * process, {@link org.jnetstack.link.LinkDevice#sendExchanging}): returns the buffer the caller
     * owns afterwards, {@code buf} or its replacement of at least the same size.
     */
    byte[] sendExchanging(long hi, long lo, byte[] buf, int ipOff, int ipLen) {
        Entry e = resolved(hi, lo);
        if (e != null) {
            return ifc.netInterface().sendFrameExchanging(e.mac, EthernetFrame.TYPE_IPV6, buf, ipOff, ipLen);
        }
        holdOrSolicit(hi, lo, buf, ipOff, ipLen);
        return buf;
    }

    /** The entry for {@code hi, lo} if its link-layer address is known (STALE moves to DELAY, §7.3.3), else null. */
    private Entry resolved(long hi, long lo) {
        Entry e = get(hi, lo);
        if (e == null || e.mac < 0) {
            return null;
        }
        if (currentState(e) == NeighborState.STALE) {
            e.state = NeighborState.DELAY;
            e.timer.schedule(DELAY_FIRST_PROBE_NANOS);
        }
        return e;
    }

    /** A packet for a neighbour not yet resolved: held (copied), with a solicitation for a new entry. */
    private void holdOrSolicit(long hi, long lo, byte[] buf, int ipOff, int ipLen) {
        Entry e = get(hi, lo);
        if (e == null) {
            e = create(hi, lo);
            if (e == null) {
                queueUnresolved.inc();
                return;
            }
            hold(e, buf, ipOff, ipLen);
            e.probes = 1;
            e.timer.schedule(ifc.retransNanos());
            solicit(e, Ipv6Address.readHi(buf, ipOff + 8), Ipv6Address.readLo(buf, ipOff + 8), true);
            return;
        }
        hold(e, buf, ipOff, ipLen);
    }

    /** A new INCOMPLETE (or, with {@code mac}, STALE) entry, or null when the cache is full of entries being resolved. */
    private Entry create(long hi, long lo) {
        Entry e;
        if (size < maxEntries) {
            e = new Entry(hi, lo);
        } else if (oldest != null) {
            e = oldest;
            evicted.inc();
            remove(e, null);
            e.reuse(hi, lo);
        } else {
            cacheFull.inc(); // every entry is being resolved: packets wait on them
            return null;
        }
        int s = slot(hi, lo);
        e.next = table[s];
        table[s] = e;
        size++;
        return e;
    }

    /** Puts {@code e} at the newest end of the eviction list (it left INCOMPLETE, or was confirmed). */
    private void touch(Entry e) {
        if (e.listed) {
            if (newest == e) {
                return;
            }
            unlist(e);
        }
        e.listed = true;
        e.older = newest;
        e.newer = null;
        if (newest != null) {
            newest.newer = e;
        } else {
            oldest = e;
        }
        newest = e;
    }

    private void unlist(Entry e) {
        if (!e.listed) {
            return;
        }
        if (e.older != null) {
            e.older.newer = e.newer;
        } else {
            oldest = e.newer;
        }
        if (e.newer != null) {
            e.newer.older = e.older;
        } else {
            newest = e.older;
        }
        e.older = null;
        e.newer = null;
        e.listed = false;
    }

    private void remove(Entry e, Icmpv6 icmp) {
        int s = slot(e.hi, e.lo);
        Entry prev = null;
        for (Entry x = table[s]; x != null; prev = x, x = x.next) {
            if (x == e) {
                if (prev == null) {
                    table[s] = x.next;
                } else {
                    prev.next = x.next;
                }
                size--;
                break;
            }
        }
        unlist(e);
        e.timer.cancel();
        dropHeld(e, icmp);
    }

    private void hold(Entry e, byte[] buf, int ipOff, int ipLen) {
        int cost = HELD_HEADROOM + ipLen;
        if (cost > queueTotalBytes) {
            queueMemory.inc();
            return;
        }
        if (e.held == null) {
            e.held = new byte[Math.min(queuePerNeighbor, 4)][];
        }
        if (e.heldCount == queuePerNeighbor) {
            // RFC 4861 §7.2.2: when the queue overflows, the oldest packet is replaced.
            release(e.held[0].length);
            System.arraycopy(e.held, 1, e.held, 0, e.heldCount - 1);
            e.held[--e.heldCount] = null;
            queueOverflow.inc();
        }
        while (heldBytes + cost > queueTotalBytes && dropOldestHeldAnywhere()) {
            queueMemory.inc();
        }
        if (!memory.tryCharge(cost)) {
            queueBudget.inc(); // the stack's memory budget is spent
            return;
        }
        if (e.heldCount == e.held.length) {
            e.held = java.util.Arrays.copyOf(e.held, Math.min(queuePerNeighbor, e.held.length * 2));
        }
        byte[] copy = new byte[cost];
        System.arraycopy(buf, ipOff, copy, HELD_HEADROOM, ipLen);
        e.held[e.heldCount++] = copy;
        heldBytes += cost;
    }

    private boolean dropOldestHeldAnywhere() {
        for (Entry head : table) {
            for (Entry e = head; e != null; e = e.next) {
                if (e.heldCount > 0) {
                    release(e.held[0].length);
                    System.arraycopy(e.held, 1, e.held, 0, e.heldCount - 1);
                    e.held[--e.heldCount] = null;
                    return true;
                }
            }
        }
        return false;
    }

    /** Held bytes going back: to this cache's bound and to the stack's budget. */
    private void release(int bytes) {
        heldBytes -= bytes;
        memory.uncharge(bytes);
    }

    /** Sends what waited for {@code e} now that its address is known. */
    private void flush(Entry e) {
        int n = e.heldCount;
        byte[][] h = e.held;
        e.held = null;
        e.heldCount = 0;
        for (int i = 0; i < n; i++) {
            release(h[i].length);
            ifc.netInterface().sendFrame(e.mac, EthernetFrame.TYPE_IPV6, h[i], HELD_HEADROOM, h[i].length - HELD_HEADROOM);
        }
    }

    /** Drops what waited for {@code e}, each counted and, given {@code icmp}, reported (RFC 4861 §7.2.2: address unreachable). */
    private void dropHeld(Entry e, Icmpv6 icmp) {
        int n = e.heldCount;
        byte[][] h = e.held;
        e.held = null;
        e.heldCount = 0;
        for (int i = 0; i < n; i++) {
            release(h[i].length);
            queueUnresolved.inc();
            if (icmp != null) {
                icmp.localUnreachable(ifc, h[i], HELD_HEADROOM, h[i].length - HELD_HEADROOM);
            }
        }
    }

    private void onTimer(Entry e) {
        switch (e.state) {
            case INCOMPLETE -> {
                if (e.probes >= MAX_MULTICAST_SOLICIT) {
                    // RFC 4861 §7.2.2: resolution failed; what waited is reported unreachable to its sender.
                    resolveFailed.inc();
                    remove(e, ifc.ip().icmp());
                    return;
                }
                e.probes++;
                e.timer.schedule(ifc.retransNanos());
                solicit(e, 0, 0, true);
            }
            case DELAY -> {
                // RFC 4861 §7.3.3: no confirmation within DELAY_FIRST_PROBE_TIME: probe by unicast.
                e.state = NeighborState.PROBE;
                e.probes = 1;
                e.timer.schedule(ifc.retransNanos());
                solicit(e, 0, 0, false);
            }
            case PROBE -> {
                if (e.probes >= MAX_UNICAST_SOLICIT) {
                    unreachable.inc();
                    remove(e, null);
                    return;
                }
                e.probes++;
                e.timer.schedule(ifc.retransNanos());
                solicit(e, 0, 0, false);
            }
            default -> {
            }
        }
    }

    /**
     * Solicits {@code e}: to its solicited-node group while resolving, to itself when probing
     * (RFC 4861 §7.2.2). The source is the one of the packet that prompted it when that is ours
     * ({@code srcHi:srcLo}, :: for none), else the link-local address.
     */
    private void solicit(Entry e, long srcHi, long srcLo, boolean multicast) {
        ifc.ndp().sendSolicitation(e.hi, e.lo, srcHi, srcLo, multicast);
    }

    /**
     * A neighbour told us its link-layer address in a Source Link-Layer Address option (NS,
     * RS, RA, Redirect; RFC 4861 §7.2.3, §6.3.4): creates a STALE entry, or makes an existing
     * one STALE if the address changed; an INCOMPLETE one sends what waited.
     */
    void learned(long hi, long lo, long mac, boolean isRouter) {
        Entry e = get(hi, lo);
        if (e == null) {
            e = create(hi, lo);
            if (e == null) {
                return;
            }
            e.mac = mac;
            e.state = NeighborState.STALE;
            touch(e);
        } else if (e.mac != mac) {
            boolean wasIncomplete = e.state == NeighborState.INCOMPLETE;
            e.mac = mac;
            e.state = NeighborState.STALE;
            e.timer.cancel();
            touch(e);
            if (wasIncomplete) {
                flush(e);
            }
        }
        if (isRouter) {
            e.router = true;
        }
    }

    /** A Neighbor Advertisement for {@code hi:lo} (RFC 4861 §7.2.5), {@code mac} -1 without a Target Link-Layer option. */
    void advertised(long hi, long lo, long mac, boolean solicited, boolean override, boolean isRouter) {
        Entry e = get(hi, lo);
        if (e == null) {
            return; // §7.2.5: no entry, the advertisement is silently discarded
        }
        if (e.state == NeighborState.INCOMPLETE) {
            if (mac < 0) {
                return;
            }
            e.mac = mac;
            e.router = isRouter;
            e.timer.cancel();
            if (solicited) {
                reachable(e);
            } else {
                e.state = NeighborState.STALE;
                touch(e);
            }
            flush(e);
            return;
        }
        boolean changed = mac >= 0 && mac != e.mac;
        if (!override && changed) {
            if (currentState(e) == NeighborState.REACHABLE) {
                e.state = NeighborState.STALE;
            }
            return;
        }
        if (changed) {
            e.mac = mac;
        }
        if (solicited) {
            e.timer.cancel();
            reachable(e);
        } else if (changed) {
            e.timer.cancel();
            e.state = NeighborState.STALE;
        }
        e.router = isRouter;
    }

    private void reachable(Entry e) {
        touch(e);
        e.state = NeighborState.REACHABLE;
        e.probes = 0;
        e.reachableUntil = ifc.ip().loop().clock().nanos() + ifc.reachableNanos();
    }

    /** True if {@code hi:lo} is known as a router (RFC 4861 §7.2.5 IsRouter). */
    boolean isRouter(long hi, long lo) {
        Entry e = get(hi, lo);
        return e != null && e.router;
    }

    /** Drops every entry and held packet (the interface went away). */
    void clear() {
        for (int i = 0; i < table.length; i++) {
            for (Entry e = table[i]; e != null; e = e.next) {
                e.timer.cancel();
                dropHeld(e, null);
                e.listed = false;
                e.older = null;
                e.newer = null;
            }
            table[i] = null;
        }
        oldest = null;
        newest = null;
        size = 0;
    }

    /** The entries now, for display. */
    public List<Ipv6NeighborInfo> list() {
        List<Ipv6NeighborInfo> out = new ArrayList<>(size);
        for (Entry head : table) {
            for (Entry e = head; e != null; e = e.next) {
                out.add(new Ipv6NeighborInfo(ifc.name(), new Ipv6Address(e.hi, e.lo), e.mac < 0 ? null : new MacAddress(e.mac),
                        currentState(e), e.router));
            }
        }
        return out;
    }
}
