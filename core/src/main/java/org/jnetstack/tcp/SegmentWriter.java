package org.jnetstack.tcp;

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
 */
final class SegmentWriter {
    private final Ipv4 ip;
    private final TcpCounters counters;
    private final int sumWhileCopying;
    private final TcpOptions txOptions = new TcpOptions();
    /** The header of a bare segment or reset (connections keep their own, {@link TcpConnection#header}). */
    private final TcpHeader bare = new TcpHeader();

    SegmentWriter(Ipv4 ip, TcpCounters counters, int sumWhileCopying) {
        this.ip = ip;
        this.counters = counters;
        this.sumWhileCopying = sumWhileCopying;
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
        byte[] tx = ip.txBuffer();
        int t = Ipv4.TRANSPORT_OFFSET;
        TcpHeader h = c.header;
        int hl = h.length();
        LinkOffloads offloads = c.offloads;
        counters.txSegments.inc();
        if (offloads.txChecksum()) {
            if (len > 0) {
                c.sendBuffer.copyOut(bufferOffset, tx, t + hl, len);
            }
            TcpSegment.writeHeader(tx, t, h);
            TcpSegment.fillPartialChecksum(tx, t, hl + len, c.localIp, c.remoteIp);
            ip.sendOffloaded(c.localIp, c.remoteIp, Ipv4Packet.PROTO_TCP, c.trafficClass(), tx, t, hl + len, TcpSegment.CHECKSUM_OFFSET, segmentSize);
            return;
        }
        if (len >= sumWhileCopying) {
            // The payload is summed while it is copied out of the send buffer (one pass, not two);
            // the header is summed after it is written. hl is a multiple of 4, so the payload's
            // sum joins the header's without a byte swap (RFC 1071 §2(B)).
            int payloadSum = c.sendBuffer.copyOutAndSum(bufferOffset, tx, t + hl, len);
            TcpSegment.writeHeader(tx, t, h);
            int sum = Checksum.partial(tx, t, hl, Checksum.pseudoHeader(c.localIp, c.remoteIp, Ipv4Packet.PROTO_TCP, hl + len));
            Bytes.putU16(tx, t + TcpSegment.CHECKSUM_OFFSET, Checksum.finish(Checksum.addPiece(sum, payloadSum, hl)));
        } else {
            if (len > 0) {
                c.sendBuffer.copyOut(bufferOffset, tx, t + hl, len);
            }
            TcpSegment.write(tx, t, h, len, c.localIp, c.remoteIp);
        }
        ip.send(c.localIp, c.remoteIp, Ipv4Packet.PROTO_TCP, c.trafficClass(), false, tx, t, hl + len);
    }

    /**
     * A segment without payload with header {@code h} ({@link #bareHeader}), for TIME-WAIT records,
     * SYN cookies and resets: full checksum, no offload needed.
     */
    void sendBare(int localIp, int remoteIp, TcpHeader h) {
        byte[] tx = ip.txBuffer();
        int t = Ipv4.TRANSPORT_OFFSET;
        int hl = TcpSegment.write(tx, t, h, 0, localIp, remoteIp);
        counters.txSegments.inc();
        ip.send(localIp, remoteIp, Ipv4Packet.PROTO_TCP, 0, false, tx, t, hl);
    }

    /** A reset (RFC 9293 §3.10.7.1): SEQ {@code seq}, or with {@code withAck} ACK {@code ack}. */
    void sendRst(int localIp, int localPort, int remoteIp, int remotePort, int seq, int ack, boolean withAck) {
        counters.txResets.inc();
        sendBare(localIp, remoteIp, bare.ports(localPort, remotePort)
                .segment(seq, withAck ? ack : 0, TcpSegment.RST | (withAck ? TcpSegment.ACK : 0), 0).options(null));
    }
}
