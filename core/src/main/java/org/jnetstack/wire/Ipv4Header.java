package org.jnetstack.wire;

/**
 * What {@link Ipv4Packet#writeHeader} writes into an option-less IPv4 header (RFC 791 §3.1): type of
 * service, total length, identification, flags and fragment offset, time to live, protocol and the
 * two addresses. Version, header length and checksum are the writer's. A reusable holder — IP keeps
 * one and sets it for each datagram — so building a header allocates nothing; its setters return it
 * for chaining.
 */
public final class Ipv4Header {
    private int tos;
    private int totalLength;
    private int identification;
    private int flagsAndOffset;
    private int ttl = 64;
    private int protocol;
    private int source;
    private int destination;

    /** The whole second byte: DSCP and ECN (RFC 2474, RFC 3168). */
    public Ipv4Header tos(int tos) {
        this.tos = tos;
        return this;
    }

    /** Header plus payload, in bytes. */
    public Ipv4Header totalLength(int totalLength) {
        this.totalLength = totalLength;
        return this;
    }

    public Ipv4Header identification(int identification) {
        this.identification = identification;
        return this;
    }

    /** {@link Ipv4Packet#FLAG_DF} and {@link Ipv4Packet#FLAG_MF} OR'ed with the fragment offset in bytes / 8. */
    public Ipv4Header flagsAndOffset(int flagsAndOffset) {
        this.flagsAndOffset = flagsAndOffset;
        return this;
    }

    public Ipv4Header ttl(int ttl) {
        this.ttl = ttl;
        return this;
    }

    /** {@link Ipv4Packet#PROTO_TCP}, {@link Ipv4Packet#PROTO_UDP}, {@link Ipv4Packet#PROTO_ICMP}, ... */
    public Ipv4Header protocol(int protocol) {
        this.protocol = protocol;
        return this;
    }

    public Ipv4Header addresses(int source, int destination) {
        this.source = source;
        this.destination = destination;
        return this;
    }

    public int tos() {
        return tos;
    }

    public int totalLength() {
        return totalLength;
    }

    public int identification() {
        return identification;
    }

    public int flagsAndOffset() {
        return flagsAndOffset;
    }

    public int ttl() {
        return ttl;
    }

    public int protocol() {
        return protocol;
    }

    public int source() {
        return source;
    }

    public int destination() {
        return destination;
    }
}
