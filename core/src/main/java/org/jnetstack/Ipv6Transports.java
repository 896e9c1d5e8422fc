package org.jnetstack;

import org.jnetstack.ip.Ipv6Output;
import org.jnetstack.link.LinkOffloads;
import org.jnetstack.ip6.Ipv6;
import org.jnetstack.ip6.Ipv6Route;
import org.jnetstack.tcp.Tcp;
import org.jnetstack.udp.Udp;
import org.jnetstack.wire.Ipv4Packet;

/**
 * Joins TCP and UDP to the IPv6 layer: registers them for their next-header values and is the
 * {@link Ipv6Output} they send through. Sends choose the route (and with it the interface) by
 * destination; the traffic class and flow label are the transport's (a flow label of 0 when it
 * gives none).
 */
final class Ipv6Transports implements Ipv6Output {
    private final Ipv6 ip6;
    private long sourceHi;
    private long sourceLo;

    private Ipv6Transports(Ipv6 ip6) {
        this.ip6 = ip6;
    }

    static void attach(Ipv6 ip6, Tcp tcp, Udp udp) {
        Ipv6Transports out = new Ipv6Transports(ip6);
        tcp.attachIpv6(out);
        udp.attachIpv6(out);
        udp.attachIcmpv6(ip6.icmp());
        ip6.register(Ipv4Packet.PROTO_TCP, tcp);
        ip6.register(Ipv4Packet.PROTO_UDP, udp);
    }

    @Override
    public byte[] txBuffer() {
        return ip6.txBuffer();
    }

    @Override
    public int transportOffset() {
        return Ipv6.TRANSPORT_OFFSET;
    }

    @Override
    public int mtuFor(long dstHi, long dstLo) {
        return ip6.mtuFor(dstHi, dstLo); // the path MTU (RFC 8201), or the route's link MTU
    }

    @Override
    public boolean selectSource(long dstHi, long dstLo) {
        Ipv6Route r = ip6.route(null, dstHi, dstLo);
        if (r == null || !r.hasSource()) {
            return false;
        }
        sourceHi = r.sourceHi();
        sourceLo = r.sourceLo();
        return true;
    }

    @Override
    public long sourceHi() {
        return sourceHi;
    }

    @Override
    public long sourceLo() {
        return sourceLo;
    }

    @Override
    public int pathMtuChanges() {
        return ip6.pathMtu().changes();
    }

    @Override
    public int lowerPathMtu(long dstHi, long dstLo, long mtu) {
        Ipv6Route r = ip6.route(null, dstHi, dstLo);
        return r == null ? ip6.mtuFor(dstHi, dstLo) : ip6.pathMtu().tooBig(dstHi, dstLo, mtu, r.iface().linkMtu());
    }

    @Override
    public boolean send(long srcHi, long srcLo, long dstHi, long dstLo, int protocol, int trafficClass,
                        byte[] buf, int off, int len) {
        return send(srcHi, srcLo, dstHi, dstLo, protocol, trafficClass, 0, buf, off, len);
    }

    @Override
    public boolean send(long srcHi, long srcLo, long dstHi, long dstLo, int protocol, int trafficClass, int flowLabel,
                        byte[] buf, int off, int len) {
        return ip6.send(null, srcHi, srcLo, dstHi, dstLo, protocol, -1, (trafficClass & 0xFF) << 20 | (flowLabel & 0xF_FFFF),
                buf, off, len);
    }

    @Override
    public boolean sendOffloaded(long srcHi, long srcLo, long dstHi, long dstLo, int protocol, int trafficClass,
                                 byte[] buf, int off, int len, int checksumOffset, int segmentSize) {
        return sendOffloaded(srcHi, srcLo, dstHi, dstLo, protocol, trafficClass, 0, buf, off, len, checksumOffset, segmentSize);
    }

    @Override
    public LinkOffloads offloadsFor(long dstHi, long dstLo) {
        return ip6.offloadsFor(dstHi, dstLo);
    }

    /** The device completes the checksum (and cuts a super-segment) where the IPv6 layer can hand it so; else it is completed there. */
    @Override
    public boolean sendOffloaded(long srcHi, long srcLo, long dstHi, long dstLo, int protocol, int trafficClass, int flowLabel,
                                 byte[] buf, int off, int len, int checksumOffset, int segmentSize) {
        return ip6.sendOffloaded(srcHi, srcLo, dstHi, dstLo, protocol, (trafficClass & 0xFF) << 20 | (flowLabel & 0xF_FFFF),
                buf, off, len, checksumOffset, segmentSize);
    }
}
