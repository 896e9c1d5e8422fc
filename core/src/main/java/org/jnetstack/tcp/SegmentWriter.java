package org.jnetstack.tcp;

import org.jnetstack.ip.Ipv6Output;
import org.jnetstack.internal.TransportAddresses;
import org.jnetstack.internal.SipHash;
import org.jnetstack.ip.Ipv4;
import org.jnetstack.link.LinkOffloads;
import org.jnetstack.wire.Bytes;
import org.jnetstack.wire.Checksum;
import org.jnetstack.wire.Ipv4Packet;
import org.jnetstack.wire.TcpHeader;
import org.jnetstack.wire.TcpOptions;
import org.jnetstack.wire.TcpSegment;

/**
 * Builds TCP segments into IP's transmit buffer and sends them: a connection's segments (payload
 * from its send buffer, checksum offloaded, or summed while copying), resets, and the bare
 * segments of TIME-WAIT records and SYN cookies. One options scratch shared by all senders:
 * everything runs on the loop thread, one segment at a time.
 *
 * <p>Both families go through here: the pseudo-header comes from
 * {@link TransportAddresses#pseudoHeader}, and the segment leaves through {@link Ipv4} for an
 * IPv4(-mapped) 4-tuple and through the {@link Ipv6Output} the IPv6 layer attached otherwise.
 * IPv4 segments carry DF unless path MTU discovery is off (RFC 1191 §3); IPv6 ones the
 * connection's traffic class and a flow label (RFC 6437 §3).
 */
final class SegmentWriter {
    private static final int PROTO_TCP = Ipv4Packet.PROTO_TCP; // also IPv6's next header for TCP

    private final Ipv4 ip;
    private final TcpCounters counters;
    private final int sumWhileCopying;
    private final TcpOptions txOptions = new TcpOptions();
    /** The header of a bare segment or reset (connections keep their own, {@link TcpConnection#header}). */
    private final TcpHeader bare = new TcpHeader();
    /** Keys the flow labels: an outsider can neither predict one nor aim collisions (RFC 6437 §3, §6). */
    private final SipHash flowLabelKey;
    /** DF on IPv4 segments that carry no connection's own setting (resets, TIME-WAIT and cookie replies). */
    private final boolean dontFragment;
    private Ipv6Output ip6;

    SegmentWriter(Ipv4 ip, TcpCounters counters, TcpConfig config, SipHash flowLabelKey) {
        this.ip = ip;
        this.counters = counters;
        this.sumWhileCopying = config.sumWhileCopying();
        this.dontFragment = config.pathMtuDiscovery();
        this.flowLabelKey = flowLabelKey;
    }

    /**
     * The flow label of an IPv6 4-tuple (RFC 6437 §3): a keyed hash of the addresses, ports and
     * protocol, folded to 20 bits and never 0 (0 means "no label"); the same for every segment of
     * a connection, different across connections.
     */
    int flowLabel(long localHi, long localLo, int localPort, long remoteHi, long remoteLo, int remotePort) {
        long h = flowLabelKey.hash(localHi, localLo, remoteHi, remoteLo, (long) localPort << 16 | remotePort, PROTO_TCP);
        int label = (int) (h ^ h >>> 20 ^ h >>> 40) & 0xF_FFFF;
        return label == 0 ? 1 : label;
    }

    void attachIpv6(Ipv6Output ip6) {
        this.ip6 = ip6;
    }

    boolean hasIpv6() {
        return ip6 != null;
    }

    /** The IPv6 output; a 4-tuple of IPv6 addresses exists only once it is attached. */
    Ipv6Output ip6() {
        if (ip6 == null) {
            throw new IllegalStateException("no IPv6 layer attached to TCP");
        }
        return ip6;
    }

    /** The options of the segment being built (cleared by the caller). */
    TcpOptions txOptions() {
        return txOptions;
    }

    /** The header for {@link #sendBare}, to be set by the caller. */
    TcpHeader bareHeader() {
        return bare;
    }

    /**
     * Sends one segment of {@code c} with the header {@code c.header} holds; payload bytes come
     * from its send buffer at {@code bufferOffset}. With the device's offloads the device completes
     * the checksum and, when {@code segmentSize > 0}, cuts this super-segment into segments of
     * {@code segmentSize} payload bytes.
     */
    void sendSegment(TcpConnection c, int bufferOffset, int len, int segmentSize) {
        FourTuple ft = c.tuple;
        boolean v4 = ft.isV4();
        byte[] tx = v4 ? ip.txBuffer() : ip6().txBuffer();
        int t = v4 ? Ipv4.TRANSPORT_OFFSET : ip6.transportOffset();
        TcpHeader h = c.header;
        int hl = h.length();
        int pseudo = TransportAddresses.pseudoHeader(ft.localHi, ft.localLo, ft.remoteHi, ft.remoteLo, PROTO_TCP, hl + len);
        LinkOffloads offloads = c.offloads;
        counters.txSegments.inc();
        if (offloads.txChecksum()) {
            if (len > 0) {
                c.sendBuffer.copyOut(bufferOffset, tx, t + hl, len);
            }
            TcpSegment.writeHeader(tx, t, h);
            Bytes.putU16(tx, t + TcpSegment.CHECKSUM_OFFSET, pseudo); // the device completes it
            if (v4) {
                ip.sendOffloaded((int) ft.localLo, (int) ft.remoteLo, PROTO_TCP, c.trafficClass(), c.config.pathMtuDiscovery(),
                        tx, t, hl + len, TcpSegment.CHECKSUM_OFFSET, segmentSize);
            } else {
                ip6.sendOffloaded(ft.localHi, ft.localLo, ft.remoteHi, ft.remoteLo, PROTO_TCP, c.trafficClass(), c.flowLabel,
                        tx, t, hl + len, TcpSegment.CHECKSUM_OFFSET, segmentSize);
            }
            return;
        }
        if (len >= sumWhileCopying) {
            // The payload is summed while it is copied out of the send buffer (one pass, not two);
            // the header is summed after it is written. hl is a multiple of 4, so the payload's
            // sum joins the header's without a byte swap (RFC 1071 §2(B)).
            int payloadSum = c.sendBuffer.copyOutAndSum(bufferOffset, tx, t + hl, len);
            TcpSegment.writeHeader(tx, t, h);
            int sum = Checksum.partial(tx, t, hl, pseudo);
            Bytes.putU16(tx, t + TcpSegment.CHECKSUM_OFFSET, Checksum.finish(Checksum.addPiece(sum, payloadSum, hl)));
        } else {
            if (len > 0) {
                c.sendBuffer.copyOut(bufferOffset, tx, t + hl, len);
            }
            TcpSegment.writeHeader(tx, t, h);
            Bytes.putU16(tx, t + TcpSegment.CHECKSUM_OFFSET, Checksum.finish(Checksum.partial(tx, t, hl + len, pseudo)));
        }
        if (v4) {
            ip.send((int) ft.localLo, (int) ft.remoteLo, PROTO_TCP, c.trafficClass(), c.config.pathMtuDiscovery(), tx, t, hl + len);
        } else {
            ip6.send(ft.localHi, ft.localLo, ft.remoteHi, ft.remoteLo, PROTO_TCP, c.trafficClass(), c.flowLabel, tx, t, hl + len);
        }
    }

    /**
     * A segment without payload with header {@code h} ({@link #bareHeader}), for TIME-WAIT records,
     * SYN cookies and resets: full checksum, no offload needed.
     */
    void sendBare(long localHi, long localLo, long remoteHi, long remoteLo, TcpHeader h) {
        boolean v4 = TransportAddresses.isV4(remoteHi, remoteLo);
        byte[] tx = v4 ? ip.txBuffer() : ip6().txBuffer();
        int t = v4 ? Ipv4.TRANSPORT_OFFSET : ip6.transportOffset();
        int hl = TcpSegment.writeHeader(tx, t, h);
        int pseudo = TransportAddresses.pseudoHeader(localHi, localLo, remoteHi, remoteLo, PROTO_TCP, hl);
        Bytes.putU16(tx, t + TcpSegment.CHECKSUM_OFFSET, Checksum.finish(Checksum.partial(tx, t, hl, pseudo)));
        counters.txSegments.inc();
        if (v4) {
            ip.send((int) localLo, (int) remoteLo, PROTO_TCP, 0, dontFragment, tx, t, hl);
        } else {
            ip6.send(localHi, localLo, remoteHi, remoteLo, PROTO_TCP, 0,
                    flowLabel(localHi, localLo, h.sourcePort(), remoteHi, remoteLo, h.destinationPort()), tx, t, hl);
        }
    }

    void sendBare(FourTuple ft, TcpHeader h) {
        sendBare(ft.localHi, ft.localLo, ft.remoteHi, ft.remoteLo, h);
    }

    /** A reset (RFC 9293 §3.10.7.1): SEQ {@code seq}, or with {@code withAck} ACK {@code ack}. */
    void sendRst(long localHi, long localLo, int localPort, long remoteHi, long remoteLo, int remotePort,
                 int seq, int ack, boolean withAck) {
        counters.txResets.inc();
        sendBare(localHi, localLo, remoteHi, remoteLo, bare.ports(localPort, remotePort)
                .segment(seq, withAck ? ack : 0, TcpSegment.RST | (withAck ? TcpSegment.ACK : 0), 0).options(null));
    }

    void sendRst(FourTuple ft, int seq, int ack, boolean withAck) {
        sendRst(ft.localHi, ft.localLo, ft.localPort, ft.remoteHi, ft.remoteLo, ft.remotePort, seq, ack, withAck);
    }
}
