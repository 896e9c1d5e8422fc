package org.jnetstack.ip6;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jnetstack.config.StackConfig;
import org.jnetstack.internal.MemoryBudget;
import org.jnetstack.loop.Timer;
import org.jnetstack.stats.Counter;
import org.jnetstack.stats.Counters;
import org.jnetstack.wire.Bytes;
import org.jnetstack.wire.Icmpv6Message;
import org.jnetstack.wire.Ipv6Address;
import org.jnetstack.wire.Ipv6Extensions;
import org.jnetstack.wire.Ipv6Packet;

/**
 * IPv6 reassembly (RFC 8200 §4.5), bounded like IPv4's: datagrams in flight and bytes held, in
 * total and per source address ({@code StackConfig.reassembly*}) and within the stack's memory
 * budget, and 60 seconds per datagram.
 * A fragment that overlaps another drops the whole datagram (RFC 5722 §4); an exact duplicate is
 * ignored. On timeout, if the first fragment had arrived, an ICMPv6 Time Exceeded (code 1)
 * quoting it goes back. Atomic fragments never come here (RFC 6946: {@link Ipv6} delivers them
 * alone).
 */
public final class Ipv6Reassembly {
    /** RFC 8200 §4.5: fragments of one packet are held for at most 60 seconds. */
    static final long TIMEOUT_NANOS = 60_000_000_000L;
    /** Fragments one packet may have: a 64 KiB packet in 1280-byte fragments has 52; more is an attack on the bookkeeping. */
    static final int MAX_FRAGMENTS = 256;

    private final class Datagram {
        final Ipv6Interface ifc;
        final long srcHi;
        final long srcLo;
        final long dstHi;
        final long dstLo;
        final long id;
        /** The first fragment as received (header, unfragmentable part, fragment header, data): the head of the result and the quote on timeout. */
        byte[] first;
        int firstLength;
        /** Where the fragment header is in {@link #first}, and the next header field that names it. */
        int firstFragmentHeader;
        int firstNextHeaderField;
        byte[] data = new byte[1280];
        int total = -1;
        int[] starts = new int[8];
        int[] ends = new int[8];
        int ranges;
        int held;
        final Timer timer;

        Datagram(Ipv6Interface ifc, long srcHi, long srcLo, long dstHi, long dstLo, long id) {
            this.ifc = ifc;
            this.srcHi = srcHi;
            this.srcLo = srcLo;
            this.dstHi = dstHi;
            this.dstLo = dstLo;
            this.id = id;
            this.timer = ip.loop().newTimer(() -> expire(this));
        }

        /** The fragments, sorted and apart, cover [0, total). */
        boolean complete() {
            if (first == null || total < 0 || ranges == 0 || starts[0] != 0 || ends[ranges - 1] != total) {
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

    private final Ipv6 ip;
    private final int maxDatagrams;
    private final int maxBytes;
    private final int perSourceDatagrams;
    private final int perSourceBytes;
    private final List<Datagram> inFlight = new ArrayList<>();
    private final MemoryBudget memory;
    private byte[] out = new byte[Ipv6Packet.HEADER_LENGTH + 1280];
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

    Ipv6Reassembly(Ipv6 ip, Counters counters) {
        this.ip = ip;
        this.memory = MemoryBudget.of(ip.memory());
        StackConfig c = ip.config();
        maxDatagrams = c.reassemblyMaxDatagrams();
        maxBytes = c.reassemblyMaxBytes();
        perSourceDatagrams = c.reassemblyPerSourceDatagrams();
        perSourceBytes = c.reassemblyPerSourceBytes();
        String p = "ip6.frag.";
        fragments = counters.counter(p + "rx");
        reassembled = counters.counter(p + "reassembled");
        duplicates = counters.counter(p + "duplicates");
        dropOverlap = counters.counter(p + "drop.overlap");
        dropTimeout = counters.counter(p + "drop.timeout");
        dropLimit = counters.counter(p + "drop.limit");
        dropSourceLimit = counters.counter(p + "drop.source_limit");
        dropInconsistent = counters.counter(p + "drop.inconsistent");
        dropMemory = counters.counter(p + "drop.memory");
    }

    /** Bytes of buffer held for datagrams being reassembled. */
    public int bytesHeld() {
        return bytesHeld;
    }

    public int datagramsInFlight() {
        return inFlight.size();
    }

    /**
     * A fragment (not atomic) of the packet at {@code buf[off, off+len)}, its chain walked by
     * {@code ext}; a completed packet goes back to {@link Ipv6#input} without its fragment header.
     */
    void add(Ipv6Interface ifc, Ipv6Packet pkt, Ipv6Extensions ext, byte[] buf, int off, int len) {
        fragments.inc();
        long srcHi = pkt.sourceHi();
        long srcLo = pkt.sourceLo();
        long dstHi = pkt.destinationHi();
        long dstLo = pkt.destinationLo();
        long id = ext.fragmentId();
        Datagram d = find(ifc, srcHi, srcLo, dstHi, dstLo, id);
        int dataOff = ext.fragmentDataOffset();
        int dataLen = off + len - dataOff;
        int start = ext.fragmentOffset();
        int end = start + dataLen;
        if (d == null) {
            if (inFlight.size() >= maxDatagrams) {
                dropLimit.inc();
                return;
            }
            if (countFrom(srcHi, srcLo) >= perSourceDatagrams) {
                dropSourceLimit.inc();
                return;
            }
            d = new Datagram(ifc, srcHi, srcLo, dstHi, dstLo, id);
            inFlight.add(d);
            d.timer.schedule(TIMEOUT_NANOS);
        }
        if (!ext.moreFragments()) {
            if (d.total >= 0 && d.total != end || maxEnd(d) > end) {
                dropInconsistent.inc(); // two different ends, or data beyond the end
                drop(d);
                return;
            }
            d.total = end;
        } else if (d.total >= 0 && end > d.total) {
            dropInconsistent.inc();
            drop(d);
            return;
        }
        for (int i = 0; i < d.ranges; i++) {
            if (d.starts[i] == start && d.ends[i] == end) {
                duplicates.inc();
                return;
            }
            if (start < d.ends[i] && d.starts[i] < end) {
                dropOverlap.inc(); // RFC 5722 §4: the whole datagram is discarded
                drop(d);
                return;
            }
        }
        if (d.ranges == MAX_FRAGMENTS) {
            dropLimit.inc();
            drop(d);
            return;
        }
        if (!hold(d, start == 0 ? len : 0, end)) {
            return;
        }
        if (start == 0) {
            d.first = Arrays.copyOfRange(buf, off, off + len);
            d.firstLength = len;
            d.firstFragmentHeader = ext.fragmentHeaderOffset() - off;
            d.firstNextHeaderField = nextHeaderField(d.first, d.firstFragmentHeader);
        }
        System.arraycopy(buf, dataOff, d.data, start, dataLen);
        addRange(d, start, end);
        if (d.complete()) {
            finish(d);
        }
    }

    /** The offset of the next header field that names the header at {@code target}, walking the unfragmentable part. */
    private static int nextHeaderField(byte[] p, int target) {
        int field = 6;
        int pos = Ipv6Packet.HEADER_LENGTH;
        while (pos < target) {
            field = pos;
            pos += ((p[pos + 1] & 0xFF) + 1) * 8;
        }
        return field;
    }

    private Datagram find(Ipv6Interface ifc, long srcHi, long srcLo, long dstHi, long dstLo, long id) {
        for (int i = 0, n = inFlight.size(); i < n; i++) {
            Datagram d = inFlight.get(i);
            if (d.id == id && d.srcHi == srcHi && d.srcLo == srcLo && d.dstHi == dstHi && d.dstLo == dstLo && d.ifc == ifc) {
                return d;
            }
        }
        return null;
    }

    private int countFrom(long srcHi, long srcLo) {
        int n = 0;
        for (Datagram d : inFlight) {
            if (d.srcHi == srcHi && d.srcLo == srcLo) {
                n++;
            }
        }
        return n;
    }

    private int bytesFrom(long srcHi, long srcLo) {
        int n = 0;
        for (Datagram d : inFlight) {
            if (d.srcHi == srcHi && d.srcLo == srcLo) {
                n += d.held;
            }
        }
        return n;
    }

    private static int maxEnd(Datagram d) {
        int m = 0;
        for (int i = 0; i < d.ranges; i++) {
            m = Math.max(m, d.ends[i]);
        }
        return m;
    }

    /** Grows the datagram's buffer to hold {@code end} bytes (and a first fragment of {@code firstLen}), within the bounds. */
    private boolean hold(Datagram d, int firstLen, int end) {
        int size = d.data.length;
        while (size < end) {
            size = Math.min(Ipv6Extensions.MAX_PACKET, size * 2);
        }
        int grown = size + firstLen + (d.first == null ? 0 : d.firstLength);
        int more = grown - d.held;
        if (more > 0 && (bytesHeld + more > maxBytes || bytesFrom(d.srcHi, d.srcLo) + more > perSourceBytes)) {
            (bytesHeld + more > maxBytes ? dropLimit : dropSourceLimit).inc();
            drop(d);
            return false;
        }
        if (more > 0 && !memory.tryCharge(more)) {
            dropMemory.inc(); // the stack's memory budget is spent
            drop(d);
            return false;
        }
        if (size != d.data.length) {
            d.data = Arrays.copyOf(d.data, size);
        }
        bytesHeld += grown - d.held;
        d.held = grown;
        return true;
    }

    private static void addRange(Datagram d, int start, int end) {
        if (d.ranges == d.starts.length) {
            d.starts = Arrays.copyOf(d.starts, d.ranges * 2);
            d.ends = Arrays.copyOf(d.ends, d.ranges * 2);
        }
        // Kept sorted and one per fragment (not merged), so an exact duplicate is told from an overlap.
        int i = 0;
        while (i < d.ranges && d.starts[i] < start) {
            i++;
        }
        System.arraycopy(d.starts, i, d.starts, i + 1, d.ranges - i);
        System.arraycopy(d.ends, i, d.ends, i + 1, d.ranges - i);
        d.starts[i] = start;
        d.ends[i] = end;
        d.ranges++;
    }

    /** The unfragmentable part of the first fragment, then all the data: the packet as sent, without its fragment header. */
    private void finish(Datagram d) {
        int head = d.firstFragmentHeader;
        int payload = head - Ipv6Packet.HEADER_LENGTH + d.total;
        if (payload > Ipv6Extensions.MAX_PACKET) {
            dropInconsistent.inc();
            drop(d);
            return;
        }
        int len = head + d.total;
        if (out.length < len) {
            out = new byte[Math.max(len, Ipv6Packet.HEADER_LENGTH + Ipv6Extensions.MAX_PACKET)];
        }
        System.arraycopy(d.first, 0, out, 0, head);
        out[d.firstNextHeaderField] = d.first[head]; // what followed the fragment header
        Bytes.putU16(out, 4, payload);
        System.arraycopy(d.data, 0, out, head, d.total);
        reassembled.inc();
        Ipv6Interface ifc = d.ifc;
        drop(d);
        ip.input(ifc, out, 0, len, 0);
    }

    private void drop(Datagram d) {
        d.timer.cancel();
        bytesHeld -= d.held;
        memory.uncharge(d.held);
        d.held = 0;
        inFlight.remove(d);
    }

    /** RFC 8200 §4.5: 60 seconds passed; with the first fragment here, Time Exceeded code 1 quoting it. */
    private void expire(Datagram d) {
        dropTimeout.inc(); // a datagram dropped or completed earlier had its timer cancelled
        drop(d);
        if (d.first != null && !Ipv6Address.isMulticast(d.dstHi)) {
            ip.icmp().sendError(d.ifc, Icmpv6Message.TYPE_TIME_EXCEEDED, Icmpv6Message.CODE_REASSEMBLY_TIME_EXCEEDED, 0,
                    d.first, 0, d.firstLength, false);
        }
    }

    void clear(Ipv6Interface ifc) {
        for (Datagram d : List.copyOf(inFlight)) {
            if (d.ifc == ifc) {
                drop(d);
            }
        }
    }
}
