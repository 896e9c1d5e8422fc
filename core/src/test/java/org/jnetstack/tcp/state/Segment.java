package org.jnetstack.tcp.state;

import java.util.ArrayList;
import java.util.List;
import org.jnetstack.wire.TcpOptions;
import org.jnetstack.wire.TcpSegment;

/**
 * A TCP segment the stack sent, parsed off the wire by {@link ScriptedPeer}: header fields, the
 * payload, the options a test asserts on, and a one-line form for failure messages.
 *
 * @param sack SACK blocks as [left, right) pairs in the order sent (RFC 2018 §4: most recent first)
 * @param windowScale the window scale option's shift, or -1 without one
 * @param mss the MSS option, or -1 without one
 */
record Segment(int srcPort, int dstPort, int seq, int ack, int flags, int window, byte[] payload,
               int mss, int windowScale, boolean sackPermitted, List<int[]> sack) {

    static Segment parse(TcpSegment t) {
        TcpOptions o = new TcpOptions();
        if (o.parse(t) != null) {
            throw new AssertionError("the stack sent malformed TCP options");
        }
        List<int[]> blocks = new ArrayList<>();
        for (int i = 0; i < o.sackBlockCount(); i++) {
            blocks.add(new int[] {o.sackLeft(i), o.sackRight(i)});
        }
        byte[] payload = java.util.Arrays.copyOfRange(t.buffer(), t.payloadOffset(), t.payloadOffset() + t.payloadLength());
        return new Segment(t.sourcePort(), t.destinationPort(), t.sequenceNumber(), t.acknowledgmentNumber(),
                t.flags(), t.window(), payload, o.hasMss() ? o.mss() : -1,
                o.hasWindowScale() ? o.windowScale() : -1, o.sackPermitted(), blocks);
    }

    boolean has(int flag) {
        return (flags & flag) != 0;
    }

    /** Sequence space the segment takes: payload plus one each for SYN and FIN. */
    int sequenceLength() {
        return payload.length + (has(TcpSegment.SYN) ? 1 : 0) + (has(TcpSegment.FIN) ? 1 : 0);
    }

    static String flagNames(int flags) {
        StringBuilder sb = new StringBuilder();
        String[] names = {"FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR"};
        for (int i = 0; i < names.length; i++) {
            if ((flags & (1 << i)) != 0) {
                sb.append(sb.isEmpty() ? "" : "|").append(names[i]);
            }
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("<SEQ=" + Integer.toUnsignedString(seq) + "><ACK="
                + Integer.toUnsignedString(ack) + "><CTL=" + flagNames(flags) + "><WND=" + window + ">");
        if (payload.length > 0) {
            sb.append("<LEN=").append(payload.length).append('>');
        }
        for (int[] b : sack) {
            sb.append("<SACK=").append(Integer.toUnsignedString(b[0])).append('-').append(Integer.toUnsignedString(b[1])).append('>');
        }
        return sb.toString();
    }
}
