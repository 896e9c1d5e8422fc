package org.jnetstack.ip6;

import java.util.ArrayList;
import java.util.List;
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
 * {@code StackConfig.ndMaxEntries} entries (a full cache evicts the oldest entry not being
 * resolved, else refuses), {@code ndQueuePerNeighbor} packets per unresolved neighbour (the
 * oldest dropped) and {@code ndQueueTotalBytes} for all; each drop is counted.
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
    private long created;

    private final Counter resolveFailed;
    private final Counter unreachable;
    private final Counter queueOverflow;
    private final Counter queueMemory;
    private final Counter queueUnresolved;
    private final Counter cacheFull;
    private final Counter evicted;

    /** One neighbour (RFC 4861 §5.1 Neighbor Cache entry). */
    final class Entry {
        final long hi;
        final long lo;
        Entry next;
        NeighborState state = NeighborState.INCOMPLETE;
        long mac = -1;
        boolean router;
        long reachableUntil;
        int probes;
        final long order = ++created;
        final Timer timer;
        byte[][] held;
        int heldCount;

        Entry(long hi, long lo) {
            this.hi = hi;
            this.lo = lo;
            this.timer = ifc.ip().loop().newTimer(() -> onTimer(this));
        }
    }

    NeighborCache(Ipv6Interface ifc, Counters counters) {
        this.ifc = ifc;
        var cfg = ifc.ip().config();
        this.maxEntries = cfg.ndMaxEntries();
        this.queuePerNeighbor = cfg.ndQueuePerNeighbor();
        this.queueTotalBytes = cfg.ndQueueTotalBytes();
        this.table = new Entry[Integer.highestOneBit(Math.max(16, maxEntries) * 2 - 1) << 1];
        resolveFailed = counters.counter("nd.resolve.failed");
        unreachable = counters.counter("nd.unreachable");
        queueOverflow = counters.counter("nd.queue.drop.overflow");
        queueMemory = counters.counter("nd.queue.drop.memory");
        queueUnresolved = counters.counter("nd.queue.drop.unresolved");
        cacheFull = counters.counter("nd.cache.full");
        evicted = counters.counter("nd.cache.evicted");
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
        if (size >= maxEntries && !evictOldest()) {
            cacheFull.inc();
            return null;
        }
        Entry e = new Entry(hi, lo);
        int s = slot(hi, lo);
        e.next = table[s];
        table[s] = e;
        size++;
        return e;
    }

    /** Evicts the oldest entry that is not INCOMPLETE (packets wait on those); false if all are. */
    private boolean evictOldest() {
        Entry oldest = null;
        for (Entry head : table) {
            for (Entry e = head; e != null; e = e.next) {
                if (e.state != NeighborState.INCOMPLETE && (oldest == null || e.order < oldest.order)) {
                    oldest = e;
                }
            }
        }
        if (oldest == null) {
            return false;
        }
        evicted.inc();
        remove(oldest, null);
        return true;
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
            heldBytes -= e.held[0].length;
            System.arraycopy(e.held, 1, e.held, 0, e.heldCount - 1);
            e.heldCount--;
            queueOverflow.inc();
        }
        while (heldBytes + cost > queueTotalBytes && dropOldestHeldAnywhere()) {
            queueMemory.inc();
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
                    heldBytes -= e.held[0].length;
                    System.arraycopy(e.held, 1, e.held, 0, e.heldCount - 1);
                    e.held[--e.heldCount] = null;
                    return true;
                }
            }
        }
        return false;
    }

    /** Sends what waited for {@code e} now that its address is known. */
    private void flush(Entry e) {
        int n = e.heldCount;
        byte[][] h = e.held;
        e.held = null;
        e.heldCount = 0;
        for (int i = 0; i < n; i++) {
            heldBytes -= h[i].length;
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
            heldBytes -= h[i].length;
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
        } else if (e.mac != mac) {
            boolean wasIncomplete = e.state == NeighborState.INCOMPLETE;
            e.mac = mac;
            e.state = NeighborState.STALE;
            e.timer.cancel();
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
            }
            table[i] = null;
        }
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
