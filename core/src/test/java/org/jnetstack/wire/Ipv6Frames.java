package org.jnetstack.wire;

/** Test helpers for IPv6 frames: rebuild a capture's Ethernet and IPv6 headers with the writers. */
final class Ipv6Frames {
    static final int IP = EthernetFrame.HEADER_LENGTH;
    static final int PAYLOAD = IP + Ipv6Packet.HEADER_LENGTH;

    private Ipv6Frames() {
    }

    /**
     * A new frame as long as {@code capture} whose Ethernet and fixed IPv6 headers are written
     * with {@link EthernetFrame#write} and {@link Ipv6Packet#writeHeader} from the fields the
     * views read in the capture; the rest is zero, for the writer under test to fill.
     */
    static byte[] headersOf(byte[] capture) {
        EthernetFrame eth = new EthernetFrame().wrap(capture, 0, capture.length);
        Ipv6Packet ip = new Ipv6Packet().wrap(capture, IP, capture.length - IP);
        byte[] out = new byte[capture.length];
        EthernetFrame.write(out, 0, eth.destination(), eth.source(), eth.etherType());
        Ipv6Packet.writeHeader(out, IP, new Ipv6Header().trafficClass(ip.trafficClass()).flowLabel(ip.flowLabel())
                .payloadLength(ip.payloadLength()).nextHeader(ip.nextHeader()).hopLimit(ip.hopLimit())
                .source(ip.sourceHi(), ip.sourceLo()).destination(ip.destinationHi(), ip.destinationLo()));
        return out;
    }

    static Ipv6Packet ip(byte[] frame) {
        Ipv6Packet ip = new Ipv6Packet().wrap(frame, IP, frame.length - IP);
        if (ip.check() != null) {
            throw new AssertionError("not an IPv6 frame: " + ip.check());
        }
        return ip;
    }

    /** Fills the ICMPv6 checksum of the message at {@code off} (to the end of the frame) with the frame's addresses. */
    static void icmpChecksum(byte[] frame, int off) {
        Ipv6Packet ip = ip(frame);
        Icmpv6Message.writeChecksum(frame, off, frame.length - off, ip.sourceHi(), ip.sourceLo(),
                ip.destinationHi(), ip.destinationLo());
    }

    /** Checks the ICMPv6 message at {@code off} (to the end of the frame) with the frame's addresses. */
    static Malformed icmpCheck(Icmpv6Message m, byte[] frame, int off) {
        Ipv6Packet ip = ip(frame);
        return m.wrap(frame, off, frame.length - off).check(ip.sourceHi(), ip.sourceLo(), ip.destinationHi(), ip.destinationLo());
    }
}
