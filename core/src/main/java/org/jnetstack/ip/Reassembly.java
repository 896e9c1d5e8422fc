package org.jnetstack.ip;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jnetstack.internal.MemoryBudget;
import org.jnetstack.loop.Timer;
import org.jnetstack.stats.Counter;
import org.jnetstack.stats.Counters;
import org.jnetstack.wire.IcmpMessage;
import org.jnetstack.wire.Ipv4Packet;

/**
 * IPv4 reassembly (RFC 791 §3.2, RFC 815), with hard bounds: datagrams in flight, bytes held,
 * and time — in total and per source address (so a fragment flood from one address cannot take
 * the slots and bytes another needs), and within the stack's memory budget. A fragment that partly overlaps one already held makes the whole datagram
 * suspect (overlap attacks, cf. RFC 5722 for IPv6), so the datagram is dropped; an exact
 * duplicate (a retransmitted or duplicated fragment) is ignored. On timeout the memory is
 * freed and, if the first fragment had arrived, an ICMP "fragment reassembly time exceeded"
 * goes back (RFC 1122 §3.3.2).
 */
public final class Reassembly {
    /** Room in front of the payload for the (first fragment's) header, so the result is contiguous. */
    private static final int HEADER_ROOM = 60;

    private final class Datagram {
        final NetInterface iface;
        final int src;
        final int dst;
        final int protocol;
        final int id;
        byte[] data = new byte[HEADER_ROOM + 1480];
        int headerLength; // 0 until the first fragment arrived
        int total = -1; // payload length, known once the last fragment arrived
        int[] starts = new int[8];
        int[] ends = new int[8];
        int ranges;
        int held; // bytes of buffer this datagram accounts for (0 until its first fragment is stored)
        final Timer timer;

        Datagram(NetInterface iface, int src, int dst, int protocol, int id) {
            this.iface = iface;
            this.src = src;
            this.dst = dst;
            this.protocol = protocol;
            this.id = id;
            this.timer = ip.loop().newTimer(() -> expire(this));
        }

        boolean complete() {
            return headerLength > 0 && total >= 0 && ranges == 1 && starts[0] == 0 && ends[0] == total;
        }
    }

    private final Ipv4 ip;
    private final List<Datagram> inFlight = new ArrayList<>();
    private final Ipv4Packet view = new Ipv4Packet();
    private int bytesHeld;

    private final Counter fragments;
    private final Counter reassembled;
    private final Counter duplicates;
    private final Counter dropOverlap;
    private final Counter dropTimeout;
    private final Counter dropLimit;
    private final Counter dropBadLength;
    private final Counter dropInconsistent;
    private final Counter dropSourceLimit;
    private final Counter dropMemory;

    Reassembly(Ipv4 ip, Counters counters) {
        this.ip = ip;
        fragments = counters.counter("ip.frag.rx");
        reassembled = counters.counter("ip.frag.reassembled");
        duplicates = counters.counter("ip.frag.duplicates");
        dropOverlap = counters.counter("ip.frag.drop.overlap");
        dropTimeout = counters.counter("ip.frag.drop.timeout");
        dropLimit = counters.counter("ip.frag.drop.limit");
        dropBadLength = counters.counter("ip.frag.drop.bad_length");
        dropInconsistent = counters.counter("ip.frag.drop.inconsistent");
        dropSourceLimit = counters.counter("ip.frag.drop.source_limit");
        dropMemory = counters.counter("ip.frag.drop.memory");
    }

    /** Datagrams currently being reassembled. */
    public int datagramsInFlight() {
        return inFlight.size();
    }

    /** Bytes of reassembly buffers currently allocated (what {@code reassemblyMaxBytes} bounds). */
    public int bytesHeld() {
        return bytesHeld;
    }

    private Datagram find(int src, int dst, int protocol, int id) {
        for (int i = 0; i < inFlight.size(); i++) {
            Datagram d = inFlight.get(i);
            // RFC 791: fragments belong together by (source, destination, protocol, identification).
            if (d.src == src && d.dst == dst && d.protocol == protocol && d.id == id) {
                return d;
            }
        }
        return null;
    }

    void add(NetInterface ni, Ipv4Packet pkt, byte[] buf, int off, int len) {
        fragments.inc();
        int start = pkt.fragmentOffset();
        int plen = pkt.payloadLength();
        boolean more = pkt.moreFragments();
        int end = start + plen;
        if (plen == 0 || (more && (plen & 7) != 0)) {
            // RFC 791: all fragments but the last carry a multiple of 8 octets.
            dropBadLength.inc();
            return;
        }
        Datagram d = find(pkt.source(), pkt.destination(), pkt.protocol(), pkt.identification());
        if (d == null) {
            if (inFlight.size() >= ip.config().reassemblyMaxDatagrams()) {
                dropLimit.inc();
                return;
            }
            if (datagramsFrom(pkt.source()) >= ip.config().reassemblyPerSourceDatagrams()) {
                dropSourceLimit.inc();
                return;
            }
            d = new Datagram(ni, pkt.source(), pkt.destination(), pkt.protocol(), pkt.identification());
            inFlight.add(d);
            d.timer.schedule(ip.config().reassemblyTimeout().toNanos());
        }
        if (!more) {
            if ((d.total >= 0 && d.total != end) || (d.ranges > 0 && d.ends[d.ranges - 1] > end)) {
                dropInconsistent.inc();
                remove(d);
                return;
            }
            d.total = end;
        } else if (d.total >= 0 && end > d.total) {
            dropInconsistent.inc();
            remove(d);
            return;
        }
        for (int i = 0; i < d.ranges; i++) {
            if (d.starts[i] <= start && end <= d.ends[i]) {
                // Wholly inside data we hold: a duplicate. Ignored, never applied over what we have.
                duplicates.inc();
                return;
            }
            if (start < d.ends[i] && d.starts[i] < end) {
                dropOverlap.inc();
                remove(d);
                return;
            }
        }
        // The bound is on memory: the buffer each datagram allocates, not just the payload it holds
        // (one tiny fragment at offset 65000 needs a 64 KiB buffer).
        int needed = HEADER_ROOM + end;
        int grown = needed > d.data.length
                ? Math.max(needed, Math.min(d.data.length * 2, HEADER_ROOM + Ipv4.MAX_DATAGRAM)) : d.data.length;
        if (bytesHeld - d.held + grown > ip.config().reassemblyMaxBytes()) {
            dropLimit.inc();
            remove(d);
            return;
        }
        if (bytesFrom(d.src) - d.held + grown > ip.config().reassemblyPerSourceBytes()) {
            dropSourceLimit.inc();
            remove(d);
            return;
        }
        if (grown != d.held && !MemoryBudget.of(ip.memory()).tryCharge(grown - d.held)) {
            dropMemory.inc();
            remove(d);
            return;
        }
        if (grown != d.data.length) {
            d.data = Arrays.copyOf(d.data, grown);
        }
        System.arraycopy(buf, pkt.payloadOffset(), d.data, HEADER_ROOM + start, plen);
        bytesHeld += grown - d.held;
        d.held = grown;
        if (start == 0) {
            d.headerLength = pkt.headerLength();
            System.arraycopy(buf, off, d.data, HEADER_ROOM - d.headerLength, d.headerLength);
        }
        insertRange(d, start, end);
        if (d.complete()) {
            finish(d);
        }
    }

    private static void insertRange(Datagram d, int start, int end) {
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
        // Merge neighbours that touch, so a complete datagram is one range.
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

    private void finish(Datagram d) {
        remove(d);
        reassembled.inc();
        int hOff = HEADER_ROOM - d.headerLength;
        int totalLength = d.headerLength + d.total;
        byte[] b = d.data;
        // Present it as an unfragmented datagram: total length, no MF, offset 0, fresh checksum.
        b[hOff + 2] = (byte) (totalLength >>> 8);
        b[hOff + 3] = (byte) totalLength;
        b[hOff + 6] = (byte) (b[hOff + 6] & 0x40); // keep DF only
        b[hOff + 7] = 0;
        b[hOff + 10] = 0;
        b[hOff + 11] = 0;
        int sum = org.jnetstack.wire.Checksum.compute(b, hOff, d.headerLength);
        b[hOff + 10] = (byte) (sum >>> 8);
        b[hOff + 11] = (byte) sum;
        Ipv4Packet whole = view.wrap(b, hOff, totalLength);
        ip.deliver(d.iface, whole, b, hOff, false); // checked as a whole: no device vouched for it
    }

    private void expire(Datagram d) {
        dropTimeout.inc();
        remove(d);
        if (d.headerLength > 0) {
            int hOff = HEADER_ROOM - d.headerLength;
            int quoted = d.headerLength + Math.min(8, d.ranges > 0 && d.starts[0] == 0 ? d.ends[0] : 0);
            ip.icmp().sendError(d.iface, IcmpMessage.TYPE_TIME_EXCEEDED, IcmpMessage.CODE_REASSEMBLY_TIME_EXCEEDED, 0,
                    d.data, hOff, quoted);
        }
    }

    private void remove(Datagram d) {
        d.timer.cancel();
        if (inFlight.remove(d)) {
            bytesHeld -= d.held;
            MemoryBudget.of(ip.memory()).uncharge(d.held);
            d.held = 0;
        }
    }

    private int datagramsFrom(int src) {
        int n = 0;
        for (int i = 0; i < inFlight.size(); i++) {
            if (inFlight.get(i).src == src) {
                n++;
            }
        }
        return n;
    }

    /** Bytes of reassembly buffer held for datagrams from {@code src}. */
    public int bytesFrom(int src) {
        int n = 0;
        for (int i = 0; i < inFlight.size(); i++) {
            Datagram d = inFlight.get(i);
            if (d.src == src) {
                n += d.held;
            }
        }
        return n;
    }
}
