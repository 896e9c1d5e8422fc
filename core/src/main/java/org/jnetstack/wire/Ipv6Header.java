package org.jnetstack.wire;

/**
 * What {@link Ipv6Packet#writeHeader} writes into the fixed 40-byte IPv6 header (RFC 8200 §3):
 * traffic class, flow label, payload length, next header, hop limit and the two addresses. A
 * reusable holder — the IPv6 layer keeps one and sets it for each packet — so building a header
 * allocates nothing; its setters return it for chaining.
 */
public final class Ipv6Header {
    private int trafficClass;
    private int flowLabel;
    private int payloadLength;
    private int nextHeader;
    private int hopLimit = 64;
    private long sourceHi;
    private long sourceLo;
    private long destinationHi;
    private long destinationLo;

    /** DSCP and ECN (RFC 2474, RFC 3168), 8 bits. */
    public Ipv6Header trafficClass(int trafficClass) {
        this.trafficClass = trafficClass & 0xFF;
        return this;
    }

    /** 20 bits (RFC 6437); 0 when the sender does not label flows. */
    public Ipv6Header flowLabel(int flowLabel) {
        this.flowLabel = flowLabel & 0xF_FFFF;
        return this;
    }

    /** Bytes after the fixed header: extension headers and the upper-layer payload. */
    public Ipv6Header payloadLength(int payloadLength) {
        this.payloadLength = payloadLength;
        return this;
    }

    /** The first extension header's or the upper layer's protocol number. */
    public Ipv6Header nextHeader(int nextHeader) {
        this.nextHeader = nextHeader;
        return this;
    }

    public Ipv6Header hopLimit(int hopLimit) {
        this.hopLimit = hopLimit;
        return this;
    }

    public Ipv6Header source(long hi, long lo) {
        this.sourceHi = hi;
        this.sourceLo = lo;
        return this;
    }

    public Ipv6Header destination(long hi, long lo) {
        this.destinationHi = hi;
        this.destinationLo = lo;
        return this;
    }

    public int trafficClass() {
        return trafficClass;
    }

    public int flowLabel() {
        return flowLabel;
    }

    public int payloadLength() {
        return payloadLength;
    }

    public int nextHeader() {
        return nextHeader;
    }

    public int hopLimit() {
        return hopLimit;
    }

    public long sourceHi() {
        return sourceHi;
    }

    public long sourceLo() {
        return sourceLo;
    }

    public long destinationHi() {
        return destinationHi;
    }

    public long destinationLo() {
        return destinationLo;
    }
}
