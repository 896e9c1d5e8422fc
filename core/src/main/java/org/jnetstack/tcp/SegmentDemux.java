package org.jnetstack.tcp;

import org.jnetstack.internal.IntMap;
import org.jnetstack.internal.TransportAddresses;
import org.jnetstack.ip.Ipv4;
import org.jnetstack.ip.NetInterface;
import org.jnetstack.ip6.Ipv6Interface;
import org.jnetstack.wire.Checksum;
import org.jnetstack.wire.Ipv4Packet;
import org.jnetstack.wire.Ipv6Address;
import org.jnetstack.wire.Ipv6Packet;
import org.jnetstack.wire.Malformed;
import org.jnetstack.wire.TcpOptions;
import org.jnetstack.wire.TcpSegment;

/**
 * Segments from IP to their owner: checked (header, options, checksum), then handed to their
 * connection, TIME-WAIT record, listener, the catch-all, or answered as for a closed port (RFC
 * 9293 §3.10.7.1). The data flows one way: what IP knows of the segment (its checksum already
 * verified by the device) arrives as an argument, and a segment's payload is copied into a
 * receive buffer only after the segment has been checked and found to carry the next bytes that
 * connection takes. One segment view and one options parser, reused: nothing allocated per segment.
 */
final class SegmentDemux {
    private final Tcp tcp;
    private final Ipv4 ip;
    private final TcpCounters counters;
    private final TupleTable<TcpConnection> connections;
    private final IntMap<TcpListener> listeners;
    private final TimeWaits timeWaits;
    private final PassiveOpens passiveOpens;
    private final TcpSegment rxSegment = new TcpSegment();
    private final TcpOptions rxOptions = new TcpOptions();
    /**
     * True while a connection processes a segment: the output that sets off (its ACK opening the
     * window, or the application writing from a callback it raised) waits for the end of the batch,
     * all other output goes at once (see {@link Sender#output}).
     */
    private boolean delivering;
    /** The interface and header of the IPv6 segment being dispatched (null between segments and for IPv4). */
    private Ipv6Interface rxIpv6Iface;
    private Ipv6Packet rxIpv6Packet;

    SegmentDemux(Tcp tcp, Ipv4 ip, TupleTable<TcpConnection> connections, IntMap<TcpListener> listeners,
            TimeWaits timeWaits, PassiveOpens passiveOpens) {
        this.tcp = tcp;
        this.ip = ip;
        this.counters = tcp.counters;
        this.connections = connections;
        this.listeners = listeners;
        this.timeWaits = timeWaits;
        this.passiveOpens = passiveOpens;
    }

    boolean delivering() {
        return delivering;
    }

    /**
     * A segment from IP: {@code checksumVerified} when the device vouched for its checksum (an
     * offloading TAP: verified by the kernel, or partial because the segment never left this
     * host's memory, so that verifying it again would reject it).
     *
     * <p>The checksum of a segment with a large payload ({@link TcpConfig#sumWhileCopying} bytes or
     * more) that its connection takes in order at once is verified while the payload is copied
     * into the receive buffer: one pass over the bytes instead of two. The order keeps that pass
     * and still copies nothing from a segment before it is checked: the header and options are
     * checked first (without the sum); the connection's {@link SegmentArrival#takesPayloadInOrder}
     * then checks the segment as its arrival will (RFC 9293 §3.10.7.4 acceptability, RST, SYN,
     * ACK, RFC 7323 PAWS), reading only; only then is the payload copied and summed into the free
     * space after the readable bytes, not made readable ({@link ReceiveBuffer#stageInOrder}). A bad
     * sum drops the segment, and the staged bytes stay free space: undoing costs nothing. A good
     * one goes to the connection, which commits the staged bytes where it would have copied them.
     * Fields read before the sum is known (ports, sequence numbers, options) may be corrupt; they
     * only choose where the bytes are staged, and decide nothing else.
     */
    void input(NetInterface ni, Ipv4Packet pkt, byte[] buf, int off, int len, boolean checksumVerified) {
        receive(ni, pkt, 0, TransportAddresses.mappedLo(pkt.source()), 0, TransportAddresses.mappedLo(pkt.destination()),
                buf, off, len, checksumVerified);
    }

    /**
     * A segment from the IPv6 layer, to one of our addresses, a group we joined, or (on a gateway,
     * {@link org.jnetstack.ip6.Ipv6#setAcceptAnyDestination}) any unicast address: addresses in
     * the two-long form, otherwise as {@link #input}.
     */
    void input6(Ipv6Interface ifc, Ipv6Packet pkt, byte[] buf, int off, int len, boolean checksumVerified) {
        if (Ipv6Address.isMulticast(pkt.destinationHi())) {
            counters.rxSegments.inc();
            counters.rxNotUnicast.inc(); // RFC 9293 §3.9.2.2: TCP is unicast only
            return;
        }
        rxIpv6Iface = ifc;
        rxIpv6Packet = pkt;
        try {
            receive(ifc.netInterface(), null, pkt.sourceHi(), pkt.sourceLo(), pkt.destinationHi(), pkt.destinationLo(),
                    buf, off, len, checksumVerified);
        } finally {
            rxIpv6Iface = null;
            rxIpv6Packet = null;
        }
    }

    /** {@code pkt}: the IPv4 header the segment came in, or null for IPv6. */
    private void receive(NetInterface ni, Ipv4Packet pkt, long srcHi, long srcLo, long dstHi, long dstLo,
                         byte[] buf, int off, int len, boolean checksumVerified) {
        counters.rxSegments.inc();
        TcpSegment seg = rxSegment.wrap(buf, off, len);
        boolean sumWhileCopying = !checksumVerified && len >= TcpSegment.MIN_HEADER_LENGTH + tcp.sumWhileCopying;
        Malformed m = check(seg, buf, off, len, srcHi, srcLo, dstHi, dstLo, !checksumVerified && !sumWhileCopying);
        if (m == null) {
            m = rxOptions.parse(seg);
        }
        TcpConnection staged = null;
        long k = 0;
        if (sumWhileCopying && m == null) {
            TcpConnection c = connections.recent(dstHi, dstLo, srcHi, srcLo, seg.sourcePort(), seg.destinationPort());
            if (c == null) {
                k = tcp.keys.key(srcHi, srcLo, seg.sourcePort(), seg.destinationPort());
                c = connections.get(k, dstHi, dstLo, srcHi, srcLo, seg.sourcePort(), seg.destinationPort());
            }
            if (c != null && seg.payloadLength() >= tcp.sumWhileCopying && c.arrival.takesPayloadInOrder(seg, rxOptions)) {
                staged = c;
                m = sumWhileStaging(c, buf, off, len, seg.headerLength()) ? null : Malformed.BAD_CHECKSUM;
            } else {
                m = check(seg, buf, off, len, srcHi, srcLo, dstHi, dstLo, true); // one more pass, over the checksum
            }
        } else if (sumWhileCopying) {
            m = check(seg, buf, off, len, srcHi, srcLo, dstHi, dstLo, true); // the checksum's verdict comes first, as for any segment
            if (m == null) {
                m = rxOptions.parse(seg);
            }
        }
        if (m != null) {
            counters.malformed(m).inc();
            return;
        }
        dispatch(ni, pkt, seg, k, srcHi, srcLo, dstHi, dstLo, staged);
    }

    /**
     * {@link TcpSegment#check} for either family: data offset, then (when {@code verifyChecksum})
     * the checksum over the family's pseudo-header and the segment, then the option list's structure.
     */
    private static Malformed check(TcpSegment seg, byte[] buf, int off, int len, long srcHi, long srcLo, long dstHi,
                                   long dstLo, boolean verifyChecksum) {
        Malformed m = seg.check(0, 0, false);
        if (m == Malformed.TRUNCATED || m == Malformed.BAD_HEADER_LENGTH || !verifyChecksum) {
            return m;
        }
        int sum = TransportAddresses.pseudoHeader(srcHi, srcLo, dstHi, dstLo, Ipv4Packet.PROTO_TCP, len);
        if (Checksum.finish(Checksum.partial(buf, off, len, sum)) != 0) {
            return Malformed.BAD_CHECKSUM;
        }
        return m;
    }

    /**
     * Copies the payload of the {@code len}-byte segment at {@code b[off]} (header {@code hl}
     * bytes) to {@code c}'s receive buffer, uncommitted, summing it on the way, and returns whether
     * the checksum over pseudo-header, header and payload is right (RFC 9293 §3.1). The header
     * length is a multiple of 4, so the payload's sum joins the header's as it is (RFC 1071 §2(B)).
     */
    private static boolean sumWhileStaging(TcpConnection c, byte[] b, int off, int len, int hl) {
        int payloadSum = c.receiveBuffer.stageInOrder(b, off + hl, len - hl);
        FourTuple ft = c.tuple;
        int sum = Checksum.partial(b, off, hl,
                TransportAddresses.pseudoHeader(ft.remoteHi, ft.remoteLo, ft.localHi, ft.localLo, Ipv4Packet.PROTO_TCP, len));
        return Checksum.finish(Checksum.addPiece(sum, payloadSum, hl)) == 0;
    }

    /**
     * A segment that passed its checks, to its connection, listener, catch-all, or the closed-port
     * answer. {@code k}: the tuple's {@link TupleKeys#key} if already computed, else 0 (computed
     * here only when the segment is not for the connection the last lookup found).
     */
    private void dispatch(NetInterface ni, Ipv4Packet pkt, TcpSegment seg, long k, long srcHi, long srcLo,
                          long dstHi, long dstLo, TcpConnection staged) {
        // Over IPv6 a segment to a foreign address reaches us only when the layer accepts any destination.
        boolean local = pkt != null ? ip.isLocalAddress(pkt.destination()) : !rxIpv6Iface.ipv6().isForeignUnicast(dstHi, dstLo);
        if (!local && !(passiveOpens.hasCatchAll() && (pkt == null || ip.isForeignUnicast(ni, pkt.destination())))) {
            // RFC 9293 §3.9.2.2 / RFC 1122 §4.2.3.10: TCP is unicast only.
            counters.rxNotUnicast.inc();
            return;
        }
        if (seg.isRst()) {
            counters.rxResets.inc();
        }
        int srcPort = seg.sourcePort();
        int dstPort = seg.destinationPort();
        TcpConnection c = staged != null ? staged : connections.recent(dstHi, dstLo, srcHi, srcLo, srcPort, dstPort);
        if (c == null) {
            if (k == 0) {
                k = tcp.keys.key(srcHi, srcLo, srcPort, dstPort);
            }
            c = connections.get(k, dstHi, dstLo, srcHi, srcLo, srcPort, dstPort);
        }
        if (c != null) {
            c.heardFromPeer();
            delivering = true;
            try {
                c.arrival.input(seg, rxOptions, staged != null);
            } finally {
                delivering = false;
            }
            return;
        }
        TimeWaits.Record tw = timeWaits.size() == 0 ? null : timeWaits.get(k, dstHi, dstLo, srcHi, srcLo, srcPort, dstPort);
        if (tw != null) {
            timeWaits.input(tw, seg, rxOptions);
            return;
        }
        if (local) {
            TcpListener l = listeners.get(dstPort);
            if (l != null && l.accepts(dstHi, dstLo)) {
                passiveOpens.listenInput(l, seg, rxOptions, srcHi, srcLo, dstHi, dstLo);
                return;
            }
        }
        if (passiveOpens.hasCatchAll() && (pkt != null ? passiveOpens.anyInput(ni, pkt, seg, k, pkt.source(), pkt.destination())
                : passiveOpens.anyInput6(rxIpv6Iface, rxIpv6Packet, seg, k))) {
            return;
        }
        closedInput(seg, srcHi, srcLo, dstHi, dstLo);
    }

    /** RFC 9293 §3.10.7.1: no connection — answer anything but a RST with a RST. */
    private void closedInput(TcpSegment seg, long srcHi, long srcLo, long dstHi, long dstLo) {
        if (seg.isRst()) {
            return;
        }
        if (seg.isAck()) {
            tcp.writer.sendRst(dstHi, dstLo, seg.destinationPort(), srcHi, srcLo, seg.sourcePort(),
                    seg.acknowledgmentNumber(), 0, false);
        } else {
            tcp.writer.sendRst(dstHi, dstLo, seg.destinationPort(), srcHi, srcLo, seg.sourcePort(), 0,
                    seg.sequenceNumber() + seg.sequenceLength(), true);
        }
    }
}
