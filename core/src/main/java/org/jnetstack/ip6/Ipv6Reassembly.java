package org.jnetstack.ip6;

import java.util.Arrays;
import org.jnetstack.config.StackConfig;
import org.jnetstack.internal.FragmentReassembler;
import org.jnetstack.internal.MemoryBudget;
import org.jnetstack.stats.Counters;
import org.jnetstack.wire.Bytes;
import org.jnetstack.wire.Icmpv6Message;
import org.jnetstack.wire.Ipv6Address;
import org.jnetstack.wire.Ipv6Extensions;
import org.jnetstack.wire.Ipv6Packet;

/**
 * IPv6 reassembly (RFC 8200 §4.5) on the machinery both families share
 * ({@link FragmentReassembler}), bounded like IPv4's: datagrams in flight and bytes held, in total
 * and per source address ({@code StackConfig.reassembly*}) and within the stack's memory budget,
 * and {@code StackConfig.ipv6ReassemblyTimeout} (60 s) per packet. A fragment that overlaps
 * another drops the whole packet (RFC 5722 §4); an exact duplicate is ignored. On timeout, if the
 * first fragment had arrived, an ICMPv6 Time Exceeded (code 1) quoting it goes back. Atomic
 * fragments never come here (RFC 6946: {@link Ipv6} delivers them alone).
 */
public final class Ipv6Reassembly {
    /** Fragments one packet may have: a 64 KiB packet in 1280-byte fragments has 52; more is an attack on the bookkeeping. */
    static final int MAX_FRAGMENTS = 256;

    private final Ipv6 ip;
    private final FragmentReassembler core;
    private byte[] out = new byte[Ipv6Packet.HEADER_LENGTH + 1280];

    Ipv6Reassembly(Ipv6 ip, Counters counters) {
        this.ip = ip;
        StackConfig c = ip.config();
        this.core = new FragmentReassembler(ip.loop(), MemoryBudget.of(ip.memory()),
                new FragmentReassembler.Rules(c.reassemblyMaxDatagrams(), c.reassemblyMaxBytes(), c.reassemblyPerSourceDatagrams(),
                        c.reassemblyPerSourceBytes(), c.ipv6ReassemblyTimeout().toNanos(), 0, 1280, Ipv6Extensions.MAX_PACKET,
                        MAX_FRAGMENTS, true),
                new FragmentReassembler.Family() {
                    @Override
                    public boolean complete(FragmentReassembler.Datagram d) {
                        return deliver(d);
                    }

                    @Override
                    public void expired(FragmentReassembler.Datagram d) {
                        timedOut(d);
                    }
                }, counters, "ip6.frag.");
    }

    /** Bytes of buffer held for datagrams being reassembled. */
    public int bytesHeld() {
        return core.bytesHeld();
    }

    public int datagramsInFlight() {
        return core.datagramsInFlight();
    }

    /**
     * A fragment (not atomic) of the packet at {@code buf[off, off+len)}, its chain walked by
     * {@code ext}; a completed packet goes back to {@link Ipv6#input} without its fragment header.
     */
    void add(Ipv6Interface ifc, Ipv6Packet pkt, Ipv6Extensions ext, byte[] buf, int off, int len) {
        int dataOff = ext.fragmentDataOffset();
        int start = ext.fragmentOffset();
        int end = start + off + len - dataOff;
        // RFC 8200 §4.5: fragments belong together by source, destination and identification.
        FragmentReassembler.Datagram d = core.add(ifc, pkt.sourceHi(), pkt.sourceLo(), pkt.destinationHi(), pkt.destinationLo(),
                0, ext.fragmentId(), start, end, ext.moreFragments(), start == 0 ? len : 0, buf, dataOff);
        if (d == null) {
            return;
        }
        if (start == 0) {
            // The first fragment as received: the head of the result and the quote on timeout.
            d.first = Arrays.copyOfRange(buf, off, off + len);
            d.firstHeaderLength = ext.fragmentHeaderOffset() - off;
            d.firstAux = nextHeaderField(d.first, d.firstHeaderLength);
        }
        core.completeIfDone(d);
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

    /** The unfragmentable part of the first fragment, then all the data: the packet as sent, without its fragment header. */
    private boolean deliver(FragmentReassembler.Datagram d) {
        int head = d.firstHeaderLength;
        int payload = head - Ipv6Packet.HEADER_LENGTH + d.total;
        if (payload > Ipv6Extensions.MAX_PACKET) {
            return false;
        }
        int len = head + d.total;
        if (out.length < len) {
            out = new byte[Math.max(len, Ipv6Packet.HEADER_LENGTH + Ipv6Extensions.MAX_PACKET)];
        }
        System.arraycopy(d.first, 0, out, 0, head);
        out[d.firstAux] = d.first[head]; // what followed the fragment header
        Bytes.putU16(out, 4, payload);
        System.arraycopy(d.data, 0, out, head, d.total);
        ip.input((Ipv6Interface) d.iface, out, 0, len, 0);
        return true;
    }

    /** RFC 8200 §4.5: the time passed; with the first fragment here, Time Exceeded code 1 quoting it. */
    private void timedOut(FragmentReassembler.Datagram d) {
        if (d.first != null && !Ipv6Address.isMulticast(d.dstHi)) {
            ip.icmp().sendError((Ipv6Interface) d.iface, Icmpv6Message.TYPE_TIME_EXCEEDED, Icmpv6Message.CODE_REASSEMBLY_TIME_EXCEEDED, 0,
                    d.first, 0, d.first.length, false);
        }
    }

    void clear(Ipv6Interface ifc) {
        core.clear(ifc);
    }
}
