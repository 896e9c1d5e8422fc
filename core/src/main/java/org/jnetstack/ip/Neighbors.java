package org.jnetstack.ip;

import java.lang.System.Logger.Level;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.jnetstack.config.StackConfig;
import org.jnetstack.internal.IntMap;
import org.jnetstack.internal.MemoryBudget;
import org.jnetstack.loop.Timer;
import org.jnetstack.stats.Counter;
import org.jnetstack.stats.Counters;
import org.jnetstack.wire.ArpPacket;
import org.jnetstack.wire.Ipv4Address;
import org.jnetstack.wire.MacAddress;
import org.jnetstack.wire.Malformed;

/**
 * The ARP cache of one interface (RFC 826, RFC 1122 §2.3.2): resolved entries age out; an
 * unresolved address is requested again with exponential backoff while a bounded queue of
 * packets waits for it; when retries run out the waiting packets are reported to their senders
 * as "host unreachable".
 */
public final class Neighbors {
    private static final System.Logger LOG = System.getLogger(Neighbors.class.getName());

    /** A snapshot of one entry, for display. */
    public record Entry(Ipv4Address ip, MacAddress mac, String state, long ageMillis) {
    }

    private final class Neighbor {
        final int ip;
        long mac = -1;
        boolean permanent; // set by putStatic: ARP traffic never changes it
        long updated;
        int attempts;
        ArrayDeque<byte[]> waiting;
        int waitingBytes;
        final Timer timer;

        Neighbor(int ip) {
            this.ip = ip;
            this.timer = iface.loop().newTimer(() -> onTimer(this));
        }

        boolean resolved() {
            return mac >= 0;
        }
    }

    private final NetInterface iface;
    private final Ipv4 ip;
    private final StackConfig config;
    private final IntMap<Neighbor> table = new IntMap<>();
    private final ArpPacket arp = new ArpPacket();

    private final Counter rx;
    private final Counter rxRequests;
    private final Counter rxReplies;
    private final Counter txRequests;
    private final Counter txReplies;
    private final Counter resolveFailed;
    private final Counter queueDropped;
    private final Counter queueDroppedMemory;
    private final Counter conflicts;
    private final Counter evicted;
    private final Counter rxDropNotForUs;
    /** Registered up front: naming a counter per malformed packet would allocate on the receive path. */
    private final Counter[] rxMalformed = new Counter[Malformed.values().length];
    /** Bytes held in all wait queues of this interface. */
    private int held;
    private ArpObserver observer;

    Neighbors(NetInterface iface, Ipv4 ip, Counters counters) {
        this.iface = iface;
        this.ip = ip;
        this.config = ip.config();
        rx = counters.counter("arp.rx.packets");
        rxRequests = counters.counter("arp.rx.requests");
        rxReplies = counters.counter("arp.rx.replies");
        rxDropNotForUs = counters.counter("arp.rx.ignored");
        for (Malformed m : Malformed.values()) {
            rxMalformed[m.ordinal()] = counters.counter("arp.rx.drop." + m.id());
        }
        txRequests = counters.counter("arp.tx.requests");
        txReplies = counters.counter("arp.tx.replies");
        resolveFailed = counters.counter("arp.resolve.failed");
        queueDropped = counters.counter("arp.queue.dropped");
        queueDroppedMemory = counters.counter("arp.queue.drop.memory");
        conflicts = counters.counter("arp.address_conflicts");
        evicted = counters.counter("arp.evicted");
    }

    /** The MAC for {@code ipAddr} if resolved and fresh, else -1. */
    public long lookup(int ipAddr) {
        Neighbor n = table.get(ipAddr);
        return n != null && n.resolved() ? n.mac : -1;
    }

    /** Starts (or continues) resolution of {@code ipAddr} without holding a packet for it. */
    void resolve(int ipAddr) {
        Neighbor n = table.get(ipAddr);
        if (n == null) {
            n = newEntry(ipAddr);
        }
        if (!n.resolved() && !n.timer.isScheduled()) {
            n.attempts = 0;
            request(n);
        }
    }

    /** Copies the packet into the address's wait queue and starts (or continues) resolution. */
    void resolveAndHold(int ipAddr, byte[] buf, int off, int len) {
        Neighbor n = table.get(ipAddr);
        if (n == null) {
            n = newEntry(ipAddr);
        }
        if (n.waiting == null) {
            n.waiting = new ArrayDeque<>(4);
        }
        byte[] frame = Arrays.copyOfRange(buf, off - org.jnetstack.wire.EthernetFrame.HEADER_LENGTH, off + len);
        // RFC 1122 §2.3.2.2: keep the most recent packets; drop the oldest.
        while (!n.waiting.isEmpty() && (n.waiting.size() >= config.arpQueuePerAddress()
                || n.waitingBytes + frame.length > config.arpQueueBytes()
                || held + frame.length > config.arpQueueTotalBytes())) {
            byte[] old = n.waiting.poll();
            n.waitingBytes -= old.length;
            held -= old.length;
            MemoryBudget.of(ip.memory()).uncharge(old.length);
            queueDropped.inc();
        }
        if (held + frame.length > config.arpQueueTotalBytes()) {
            queueDropped.inc(); // other addresses hold the budget
        } else if (!MemoryBudget.of(ip.memory()).tryCharge(frame.length)) {
            queueDroppedMemory.inc(); // the stack's memory budget is spent
        } else {
            n.waiting.add(frame);
            n.waitingBytes += frame.length;
            held += frame.length;
        }
        if (!n.resolved() && !n.timer.isScheduled()) {
            n.attempts = 0;
            request(n);
        }
    }

    private Neighbor newEntry(int ipAddr) {
        if (table.size() >= config.arpMaxEntries()) {
            evictOldest();
        }
        Neighbor n = new Neighbor(ipAddr);
        table.put(ipAddr, n);
        return n;
    }

    private void evictOldest() {
        Neighbor oldest = null;
        for (Neighbor n : table.values()) {
            if (n.resolved() && !n.permanent && (oldest == null || n.updated - oldest.updated < 0)) {
                oldest = n;
            }
        }
        if (oldest == null) {
            // Only unresolved entries: drop the one with the most attempts spent.
            oldest = table.values().stream().max(Comparator.comparingInt(x -> x.attempts)).orElseThrow();
        }
        remove(oldest);
        evicted.inc();
    }

    private void remove(Neighbor n) {
        n.timer.cancel();
        table.remove(n.ip);
        releaseWaiting(n);
    }

    /** Takes the wait queue out of {@code n}, returning its bytes to the budget. */
    private ArrayDeque<byte[]> releaseWaiting(Neighbor n) {
        ArrayDeque<byte[]> w = n.waiting;
        n.waiting = null;
        held -= n.waitingBytes;
        MemoryBudget.of(ip.memory()).uncharge(n.waitingBytes);
        n.waitingBytes = 0;
        return w;
    }

    /** Bytes waiting for address resolution on this interface. */
    public int heldBytes() {
        return held;
    }

    private void request(Neighbor n) {
        txRequests.inc();
        iface.sendArp(MacAddress.BROADCAST.bits(), ArpPacket.OP_REQUEST, 0L, iface.address(), n.ip);
        long timeout = config.arpRequestTimeout().toNanos() << Math.min(n.attempts, 16);
        n.attempts++;
        n.timer.schedule(timeout);
    }

    private void onTimer(Neighbor n) {
        if (n.resolved()) {
            // Aged out (RFC 1122 §2.3.2.1): forget it; the next packet resolves again.
            remove(n);
            return;
        }
        if (n.attempts <= config.arpRetries()) {
            request(n);
            return;
        }
        resolveFailed.inc();
        ArrayDeque<byte[]> waiting = releaseWaiting(n);
        remove(n);
        if (waiting != null) {
            for (byte[] frame : waiting) {
                int ipOff = org.jnetstack.wire.EthernetFrame.HEADER_LENGTH;
                ip.icmp().localError(org.jnetstack.wire.IcmpMessage.TYPE_DEST_UNREACHABLE,
                        org.jnetstack.wire.IcmpMessage.CODE_HOST_UNREACHABLE, iface.address(), frame, ipOff, frame.length - ipOff);
            }
        }
    }

    private void learn(Neighbor n, long mac) {
        n.mac = mac;
        n.updated = iface.loop().clock().nanos();
        n.attempts = 0;
        n.timer.schedule(config.arpCacheTimeout().toNanos());
        ArrayDeque<byte[]> waiting = releaseWaiting(n);
        if (waiting != null) {
            for (byte[] frame : waiting) {
                int ipOff = org.jnetstack.wire.EthernetFrame.HEADER_LENGTH;
                iface.sendFrame(mac, org.jnetstack.wire.EthernetFrame.TYPE_IPV4, frame, ipOff, frame.length - ipOff);
            }
        }
    }

    void input(byte[] buf, int off, int len) {
        rx.inc();
        Malformed m = arp.wrap(buf, off, len).check();
        if (m != null) {
            rxMalformed[m.ordinal()].inc();
            return;
        }
        int op = arp.operation();
        (op == ArpPacket.OP_REQUEST ? rxRequests : rxReplies).inc();
        int senderIp = arp.senderIp();
        long senderMac = arp.senderMac();
        int targetIp = arp.targetIp();
        if (observer != null) {
            observer.onArp(op, senderIp, senderMac, targetIp);
        }
        int me = iface.address();
        if (me != 0 && senderIp == me && senderMac != iface.macBits()) {
            conflicts.inc();
            LOG.log(Level.WARNING, "address conflict on {0}: {1} is also used by {2}", iface.name(),
                    Ipv4Address.format(me), MacAddress.format(senderMac));
            return;
        }
        if (senderIp == 0 || senderIp == -1 || MacAddress.isMulticast(senderMac)) {
            // An ARP probe (RFC 5227 §2.1.1) or nonsense: nothing to learn. A probe for our
            // address still deserves an answer below.
            if (senderIp != 0 || op != ArpPacket.OP_REQUEST || targetIp != me || me == 0) {
                rxDropNotForUs.inc();
                return;
            }
        } else {
            // RFC 826 "merge": update an existing entry; add one if the packet is for us.
            Neighbor n = table.get(senderIp);
            if (n != null) {
                if (!n.permanent) {
                    learn(n, senderMac);
                }
            } else if (targetIp == me && me != 0) {
                learn(newEntry(senderIp), senderMac);
            }
        }
        if (op == ArpPacket.OP_REQUEST && targetIp == me && me != 0) {
            txReplies.inc();
            int replyTo = senderIp == 0 ? 0 : senderIp;
            iface.sendArp(senderMac, ArpPacket.OP_REPLY, senderMac, me, replyTo);
        } else if (op == ArpPacket.OP_REQUEST && iface.isProxyArp(targetIp) && senderIp != 0) {
            txReplies.inc();
            iface.sendArp(senderMac, ArpPacket.OP_REPLY, senderMac, targetIp, senderIp);
        } else if (op == ArpPacket.OP_REQUEST && targetIp != me) {
            rxDropNotForUs.inc();
        }
    }

    /** Gratuitous ARP (RFC 5227 §3): tells the link our address is here, and at which MAC. */
    void announce() {
        txRequests.inc();
        iface.sendArp(MacAddress.BROADCAST.bits(), ArpPacket.OP_REQUEST, 0L, iface.address(), iface.address());
    }

    /**
     * Sends an ARP probe for {@code target} (RFC 5227 §2.1.1): a request with sender address
     * 0.0.0.0, so no host's cache learns anything from it, asking who owns the address.
     */
    public void probe(int target) {
        txRequests.inc();
        iface.sendArp(MacAddress.BROADCAST.bits(), ArpPacket.OP_REQUEST, 0L, 0, target);
    }

    /** Sets the one observer of received ARP packets (null removes it). */
    public void observe(ArpObserver observer) {
        this.observer = observer;
    }

    /** Adds or replaces a static entry (never ages out unless replaced). */
    public void putStatic(int ipAddr, MacAddress mac) {
        Neighbor n = table.get(ipAddr);
        if (n == null) {
            n = newEntry(ipAddr);
        }
        learn(n, mac.bits());
        n.permanent = true;
        n.timer.cancel();
    }

    void clear() {
        for (Neighbor n : table.values()) {
            n.timer.cancel();
            releaseWaiting(n);
        }
        table.clear();
    }

    public int size() {
        return table.size();
    }

    /** The current entries (loop thread). */
    public List<Entry> entries() {
        long now = iface.loop().clock().nanos();
        List<Entry> out = new ArrayList<>();
        for (Neighbor n : table.values()) {
            out.add(new Entry(new Ipv4Address(n.ip), n.resolved() ? new MacAddress(n.mac) : null,
                    n.permanent ? "permanent" : n.resolved() ? "reachable" : "incomplete", n.resolved() ? (now - n.updated) / 1_000_000 : 0));
        }
        out.sort(Comparator.comparingLong(e -> e.ip().bits() & 0xFFFFFFFFL));
        return out;
    }
}
