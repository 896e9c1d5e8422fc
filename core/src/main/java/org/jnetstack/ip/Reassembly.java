package org.jnetstack.ip;

import org.jnetstack.internal.FragmentReassembler;
import org.jnetstack.internal.MemoryBudget;
import org.jnetstack.internal.TransportAddresses;
import org.jnetstack.stats.Counter;
import org.jnetstack.stats.Counters;
import org.jnetstack.wire.IcmpMessage;
import org.jnetstack.wire.Ipv4Packet;

/**
 * IPv4 reassembly (RFC 791 §3.2, RFC 815) on the machinery both families share
 * ({@link FragmentReassembler}), with hard bounds: datagrams in flight, bytes held, and time — in
 * total and per source address (so a fragment flood from one address cannot take the slots and
 * bytes another needs), and within the stack's memory budget. A fragment that partly overlaps one
 * already held makes the whole datagram suspect (overlap attacks, cf. RFC 5722 for IPv6), so the
 * datagram is dropped; a fragment wholly inside data held (a retransmitted or duplicated fragment)
 * is ignored. On timeout the memory is freed and, if the first fragment had arrived, an ICMP
 * "fragment reassembly time exceeded" goes back (RFC 1122 §3.3.2).
 */
public final class Reassembly {
    /** Room in front of the payload for the (first fragment's) header, so the result is contiguous. */
    private static final int HEADER_ROOM = 60;

    private final Ipv4 ip;
    private final FragmentReassembler core;
    private final Ipv4Packet view = new Ipv4Packet();
    private final Counter dropBadLength;

    Reassembly(Ipv4 ip, Counters counters) {
        this.ip = ip;
        var c = ip.config();
        this.core = new FragmentReassembler(ip.loop(), MemoryBudget.of(ip.memory()),
                new FragmentReassembler.Rules(c.reassemblyMaxDatagrams(), c.reassemblyMaxBytes(), c.reassemblyPerSourceDatagrams(),
                        c.reassemblyPerSourceBytes(), c.reassemblyTimeout().toNanos(), HEADER_ROOM, 1480, Ipv4.MAX_DATAGRAM,
                        Integer.MAX_VALUE, false),
                new FragmentReassembler.Family() {
                    @Override
                    public boolean complete(FragmentReassembler.Datagram d) {
                        return deliver(d);
                    }

                    @Override
                    public void expired(FragmentReassembler.Datagram d) {
                        timedOut(d);
                    }
                }, counters, "ip.frag.");
        dropBadLength = counters.counter("ip.frag.drop.bad_length");
    }

    /** Datagrams currently being reassembled. */
    public int datagramsInFlight() {
        return core.datagramsInFlight();
    }

    /** Bytes of reassembly buffers currently allocated (what {@code reassemblyMaxBytes} bounds). */
    public int bytesHeld() {
        return core.bytesHeld();
    }

    /** Bytes of reassembly buffer held for datagrams from {@code src}. */
    public int bytesFrom(int src) {
        return core.bytesFrom(0, TransportAddresses.mappedLo(src));
    }

    void add(NetInterface ni, Ipv4Packet pkt, byte[] buf, int off, int len) {
        int start = pkt.fragmentOffset();
        int plen = pkt.payloadLength();
        boolean more = pkt.moreFragments();
        if (plen == 0 || (more && (plen & 7) != 0)) {
            // RFC 791: all fragments but the last carry a multiple of 8 octets.
            core.counted();
            dropBadLength.inc();
            return;
        }
        // RFC 791: fragments belong together by (source, destination, protocol, identification).
        FragmentReassembler.Datagram d = core.add(ni, 0, TransportAddresses.mappedLo(pkt.source()), 0,
                TransportAddresses.mappedLo(pkt.destination()), pkt.protocol(), pkt.identification(), start, start + plen, more,
                0, buf, pkt.payloadOffset());
        if (d == null) {
            return;
        }
        if (start == 0) {
            d.firstHeaderLength = pkt.headerLength();
            System.arraycopy(buf, off, d.data, HEADER_ROOM - d.firstHeaderLength, d.firstHeaderLength);
        }
        core.completeIfDone(d);
    }

    private boolean deliver(FragmentReassembler.Datagram d) {
        int hl = d.firstHeaderLength;
        int hOff = HEADER_ROOM - hl;
        int totalLength = hl + d.total;
        byte[] b = d.data;
        // Present it as an unfragmented datagram: total length, no MF, offset 0, fresh checksum.
        b[hOff + 2] = (byte) (totalLength >>> 8);
        b[hOff + 3] = (byte) totalLength;
        b[hOff + 6] = (byte) (b[hOff + 6] & 0x40); // keep DF only
        b[hOff + 7] = 0;
        b[hOff + 10] = 0;
        b[hOff + 11] = 0;
        int sum = org.jnetstack.wire.Checksum.compute(b, hOff, hl);
        b[hOff + 10] = (byte) (sum >>> 8);
        b[hOff + 11] = (byte) sum;
        Ipv4Packet whole = view.wrap(b, hOff, totalLength);
        ip.deliver((NetInterface) d.iface, whole, b, hOff, false); // checked as a whole: no device vouched for it
        return true;
    }

    private void timedOut(FragmentReassembler.Datagram d) {
        if (d.firstHeaderLength > 0) {
            int hOff = HEADER_ROOM - d.firstHeaderLength;
            int quoted = d.firstHeaderLength + Math.min(8, d.heldFromStart());
            ip.icmp().sendError((NetInterface) d.iface, IcmpMessage.TYPE_TIME_EXCEEDED, IcmpMessage.CODE_REASSEMBLY_TIME_EXCEEDED, 0,
                    d.data, hOff, quoted);
        }
    }
}
