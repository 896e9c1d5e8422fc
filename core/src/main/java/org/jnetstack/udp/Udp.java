package org.jnetstack.udp;

import java.io.UncheckedIOException;
import java.net.BindException;
import java.util.List;
import org.jnetstack.config.StackConfig;
import org.jnetstack.internal.IntMap;
import org.jnetstack.ip.Ipv6Output;
import org.jnetstack.internal.TransportAddresses;
import org.jnetstack.ip.Icmp;
import org.jnetstack.ip.IpProtocolHandler;
import org.jnetstack.ip.Ipv4;
import org.jnetstack.ip.NetInterface;
import org.jnetstack.internal.MemoryBudget;
import org.jnetstack.ip6.Icmpv6;
import org.jnetstack.ip6.Ipv6Interface;
import org.jnetstack.ip6.Ipv6ProtocolHandler;
import org.jnetstack.stats.Counter;
import org.jnetstack.stats.Counters;
import org.jnetstack.wire.Bytes;
import org.jnetstack.wire.Checksum;
import org.jnetstack.wire.IcmpMessage;
import org.jnetstack.wire.Ipv4Address;
import org.jnetstack.wire.Icmpv6Message;
import org.jnetstack.wire.Ipv6Address;
import org.jnetstack.wire.Ipv4Packet;
import org.jnetstack.wire.Ipv6Packet;
import org.jnetstack.wire.Malformed;
import org.jnetstack.wire.UdpDatagram;

/**
 * UDP (RFC 768, RFC 1122 §4.1) over IPv4 and IPv6 (RFC 8200 §8.1): ports, demultiplexing,
 * checksums, port-unreachable replies (ICMP, or ICMPv6 Destination Unreachable code 4).
 */
public final class Udp implements IpProtocolHandler, Ipv6ProtocolHandler {
    /** Largest payload: 65535 - 20 (IPv4) - 8 (UDP). */
    public static final int MAX_PAYLOAD = 65507;

    /** Where the checksum lies in the UDP header (RFC 768). */
    private static final int CHECKSUM_OFFSET = 6;

    private final Ipv4 ip;
    private final IntMap<UdpEndpoint> ports = new IntMap<>();
    private final UdpDatagram view = new UdpDatagram();
    private final MemoryBudget memory;
    private UdpCatchAll catchAll;
    private Ipv6Output ip6;
    private Icmpv6 icmp6;

    private final Counter rxDatagrams;
    private final Counter rxNoPort;
    private final Counter rxFiltered;
    private final Counter rxQueueFull;
    private final Counter rxMemory;
    private final Counter[] rxMalformed = new Counter[Malformed.values().length];
    private final Counter txDatagrams;
    private final Counter txNoRoute;
    private final Counter rxIcmpErrors;

    public Udp(Ipv4 ip, Counters counters) {
        this.ip = ip;
        this.memory = MemoryBudget.of(ip.memory());
        rxDatagrams = counters.counter("udp.rx.datagrams");
        for (Malformed m : Malformed.values()) {
            rxMalformed[m.ordinal()] = counters.counter("udp.rx.drop." + m.id());
        }
        rxNoPort = counters.counter("udp.rx.drop.no_port");
        rxFiltered = counters.counter("udp.rx.drop.not_connected_peer");
        rxQueueFull = counters.counter("udp.rx.drop.queue_full");
        rxMemory = counters.counter("udp.rx.drop.memory");
        rxIcmpErrors = counters.counter("udp.rx.icmp_errors");
        txDatagrams = counters.counter("udp.tx.datagrams");
        txNoRoute = counters.counter("udp.tx.drop.no_route");
        ip.register(Ipv4Packet.PROTO_UDP, this);
    }

    StackConfig config() {
        return ip.config();
    }

    void queueOverflow() {
        rxQueueFull.inc();
    }

    void memoryRefused() {
        rxMemory.inc();
    }

    MemoryBudget memory() {
        return memory;
    }

    /** Binds {@code port} (0: an ephemeral port) on any of our addresses. */
    public UdpEndpoint open(int port, UdpHandler handler) {
        return open(0, port, handler);
    }

    /**
     * Binds {@code localAddress:port}. A null handler queues datagrams for {@link UdpEndpoint#poll()}.
     *
     * @throws UncheckedIOException wrapping {@link BindException} if the port is taken
     */
    public UdpEndpoint open(int localAddress, int port, UdpHandler handler) {
        return open(0, localAddress == 0 ? 0 : TransportAddresses.mappedLo(localAddress), false, port, handler);
    }

    /**
     * Binds {@code local:port} for either family: {@code local} null or unspecified ({@code ::})
     * binds no address, and the endpoint takes datagrams of both families unless {@code v6Only};
     * an IPv4(-mapped) address takes IPv4 only, an IPv6 address IPv6 only.
     *
     * @throws UncheckedIOException wrapping {@link BindException} if the port is taken
     */
    public UdpEndpoint open(Ipv6Address local, boolean v6Only, int port, UdpHandler handler) {
        return local == null ? open(0, 0, v6Only, port, handler) : open(local.hi(), local.lo(), v6Only, port, handler);
    }

    private UdpEndpoint open(long localHi, long localLo, boolean v6Only, int port, UdpHandler handler) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("UDP port must be 0-65535: " + port);
        }
        if (port == 0) {
            port = ephemeralPort();
        } else if (ports.containsKey(port)) {
            throw new UncheckedIOException(new BindException("Address already in use: UDP port " + port));
        }
        // v6Only narrows only the wildcard, as for TCP listeners: an address already picks its family.
        UdpEndpoint ep = new UdpEndpoint(this, localHi, localLo, v6Only && localHi == 0 && localLo == 0, port, handler);
        ports.put(port, ep);
        return ep;
    }

    /**
     * Installs a gateway's catch-all (null removes it): unicast datagrams that no endpoint takes —
     * to unbound ports of ours, and, with {@link Ipv4#setAcceptAnyDestination}, to any address —
     * go to {@code handler} instead of drawing ICMP port unreachable. Endpoints bound to our
     * addresses never see datagrams for foreign addresses. Reply with {@link #sendFrom}.
     */
    public void openAny(UdpCatchAll handler) {
        this.catchAll = handler;
    }

    /**
     * Sends a datagram from any source address and port (a gateway answering for the
     * destinations it stands in for). Loop thread only.
     *
     * @return false if it could not be sent (no route); the reason is counted
     */
    public boolean sendFrom(int srcIp, int srcPort, int dstIp, int dstPort, byte[] buf, int off, int len) {
        if (srcPort <= 0 || srcPort > 65535) {
            throw new IllegalArgumentException("source port must be 1-65535: " + srcPort);
        }
        return send(srcIp, srcPort, dstIp, dstPort, buf, off, len);
    }

    /**
     * {@link #sendFrom} with addresses in the two-long form, so for either family (IPv4 as
     * ::ffff:a.b.c.d; source and destination of the same family). Loop thread only.
     */
    public boolean sendFrom(long srcHi, long srcLo, int srcPort, long dstHi, long dstLo, int dstPort, byte[] buf, int off, int len) {
        if (srcPort <= 0 || srcPort > 65535) {
            throw new IllegalArgumentException("source port must be 1-65535: " + srcPort);
        }
        return send(srcHi, srcLo, srcPort, dstHi, dstLo, dstPort, 0, buf, off, len);
    }

    /** RFC 6056 §3.3.1 (algorithm 1): start at a random point of the range, probe upwards. */
    private int ephemeralPort() {
        int port = ip.ephemeralPort(ports::containsKey);
        if (port < 0) {
            throw new UncheckedIOException(new BindException("no free ephemeral UDP port"));
        }
        return port;
    }

    void unbind(UdpEndpoint ep) {
        if (ports.get(ep.localPort()) == ep) {
            ports.remove(ep.localPort());
        }
    }

    public List<UdpEndpoint> endpoints() {
        return ports.values();
    }

    boolean send(UdpEndpoint ep, long dstHi, long dstLo, int dstPort, byte[] buf, int off, int len) {
        if (ep.isV6Only() && TransportAddresses.isV4(dstHi, dstLo)) {
            txNoRoute.inc(); // an IPv6-only endpoint has no IPv4 source
            return false;
        }
        return send(ep.localHi(), ep.localLo(), ep.localPort(), dstHi, dstLo, dstPort, ep.trafficClass(), buf, off, len);
    }

    boolean send(UdpEndpoint ep, int dstIp, int dstPort, byte[] buf, int off, int len) {
        return send(ep, 0, TransportAddresses.mappedLo(dstIp), dstPort, buf, off, len);
    }

    private boolean send(int srcIp, int srcPort, int dstIp, int dstPort, byte[] buf, int off, int len) {
        return send(srcIp, srcPort, dstIp, dstPort, 0, buf, off, len);
    }

    private boolean send(int srcIp, int srcPort, int dstIp, int dstPort, int tos, byte[] buf, int off, int len) {
        return send(0, srcIp == 0 ? 0 : TransportAddresses.mappedLo(srcIp), srcPort, 0, TransportAddresses.mappedLo(dstIp),
                dstPort, tos, buf, off, len);
    }

    /**
     * Sends a datagram in the family of its destination: addresses in the two-long form (IPv4 as
     * IPv4-mapped; an unspecified source, 0:0, is chosen by the route), the checksum over that
     * family's pseudo-header ({@link TransportAddresses#pseudoHeader}), out through {@link Ipv4}
     * or the attached {@link Ipv6Output}.
     */
    private boolean send(long srcHi, long srcLo, int srcPort, long dstHi, long dstLo, int dstPort, int tos,
                         byte[] buf, int off, int len) {
        if (len < 0 || len > MAX_PAYLOAD) {
            throw new IllegalArgumentException("UDP payload must be 0-" + MAX_PAYLOAD + " bytes: " + len);
        }
        if (dstPort <= 0 || dstPort > 65535) {
            throw new IllegalArgumentException("destination port must be 1-65535: " + dstPort);
        }
        boolean v4 = TransportAddresses.isV4(dstHi, dstLo);
        if (v4 && srcHi == 0 && srcLo == 0) {
            int dstIp = TransportAddresses.v4(dstLo);
            int src = ip.sourceAddressFor(dstIp);
            if (src == 0 && dstIp != -1) {
                txNoRoute.inc();
                return false;
            }
            srcLo = TransportAddresses.mappedLo(src);
        } else if (v4 && !TransportAddresses.isV4(srcHi, srcLo)) {
            txNoRoute.inc(); // an endpoint bound to an IPv6 address sends no IPv4
            return false;
        } else if (!v4) {
            if (ip6 == null || (TransportAddresses.isV4(srcHi, srcLo) && srcLo != 0)) {
                txNoRoute.inc(); // no IPv6 layer, or an endpoint bound to an IPv4 address
                return false;
            }
            if (srcHi == 0 && srcLo == 0) {
                if (!ip6.selectSource(dstHi, dstLo)) {
                    txNoRoute.inc();
                    return false;
                }
                srcHi = ip6.sourceHi();
                srcLo = ip6.sourceLo();
            }
        }
        byte[] tx = v4 ? ip.txBuffer() : ip6.txBuffer();
        int t = v4 ? Ipv4.TRANSPORT_OFFSET : ip6.transportOffset();
        int udpLength = UdpDatagram.HEADER_LENGTH + len;
        System.arraycopy(buf, off, tx, t + UdpDatagram.HEADER_LENGTH, len);
        UdpDatagram.writeHeader(tx, t, srcPort, dstPort, len);
        int sum = Checksum.finish(Checksum.partial(tx, t, udpLength,
                TransportAddresses.pseudoHeader(srcHi, srcLo, dstHi, dstLo, Ipv4Packet.PROTO_UDP, udpLength)));
        // A computed 0 goes as 0xFFFF: 0 means "no checksum" in IPv4 (RFC 768) and is not allowed in IPv6 (RFC 8200 §8.1).
        Bytes.putU16(tx, t + CHECKSUM_OFFSET, sum == 0 ? 0xFFFF : sum);
        txDatagrams.inc();
        if (v4) {
            return ip.send((int) srcLo, (int) dstLo, Ipv4Packet.PROTO_UDP, tos, false, tx, t, udpLength);
        }
        return ip6.send(srcHi, srcLo, dstHi, dstLo, Ipv4Packet.PROTO_UDP, tos, tx, t, udpLength);
    }

    /** Attaches the IPv6 layer: datagrams to IPv6 addresses leave through {@code output}. */
    public void attachIpv6(Ipv6Output output) {
        this.ip6 = java.util.Objects.requireNonNull(output, "output");
    }

    /** Attaches ICMPv6, which answers datagrams to unbound ports over IPv6 (rate-limited there). */
    public void attachIcmpv6(Icmpv6 icmp) {
        this.icmp6 = java.util.Objects.requireNonNull(icmp, "icmp");
    }

    @Override
    public void input(NetInterface ni, Ipv4Packet pkt, byte[] buf, int off, int len, boolean checksumVerified) {
        rxDatagrams.inc();
        // An offloading TAP hands up datagrams with partial checksums (never on a wire) flagged as verified.
        Malformed m = view.wrap(buf, off, len).check(pkt.source(), pkt.destination(), !checksumVerified);
        if (m != null) {
            rxMalformed[m.ordinal()].inc();
            return;
        }
        int dstPort = view.destinationPort();
        int dst = pkt.destination();
        if (ip.acceptsAnyDestination() && ip.isForeignUnicast(ni, dst)) {
            // Only a gateway's catch-all may take what was sent to a foreign address.
            if (catchAll != null) {
                catchAll.onDatagram(pkt.source(), view.sourcePort(), dst, dstPort, buf, view.payloadOffset(), view.payloadLength());
            } else {
                rxNoPort.inc();
            }
            return;
        }
        UdpEndpoint ep = ports.get(dstPort);
        if (ep == null && catchAll != null && !ni.isBroadcast(dst) && !org.jnetstack.wire.Ipv4Address.isMulticast(dst)) {
            catchAll.onDatagram(pkt.source(), view.sourcePort(), dst, dstPort, buf, view.payloadOffset(), view.payloadLength());
            return;
        }
        long dstLo = TransportAddresses.mappedLo(dst);
        if (ep == null || !(ep.boundTo(0, dstLo) || ep.localAddress() != 0 && ni.isBroadcast(dst))) {
            rxNoPort.inc();
            // RFC 1122 §4.1.3.1: port unreachable (Icmp suppresses it for broadcasts).
            ip.icmp().sendError(ni, IcmpMessage.TYPE_DEST_UNREACHABLE, IcmpMessage.CODE_PORT_UNREACHABLE, 0,
                    buf, pkt.payloadOffset() - pkt.headerLength(), pkt.totalLength());
            return;
        }
        int srcPort = view.sourcePort();
        if (!ep.accepts(0, TransportAddresses.mappedLo(pkt.source()), srcPort)) {
            rxFiltered.inc();
            return;
        }
        ep.deliver(pkt.source(), srcPort, pkt.destination(), buf, view.payloadOffset(), view.payloadLength());
    }

    /**
     * A datagram over IPv6, from the IPv6 layer (registered for next header 17). The checksum is
     * mandatory (RFC 8200 §8.1): a zero one is dropped as bad. One sent to a foreign address (a
     * gateway's stack accepts any destination) goes only to the catch-all. Endpoints bound to no
     * address (not IPv4-only) or to the destination take it; what none takes goes to the catch-all, or draws
     * ICMPv6 Destination Unreachable code 4, port unreachable (RFC 4443 §3.1; Icmpv6 suppresses it
     * for multicast destinations, RFC 4443 §2.4(e), and rate-limits it, §2.4(f)).
     */
    @Override
    public void input(Ipv6Interface iface, Ipv6Packet pkt, byte[] buf, int off, int len, boolean checksumVerified) {
        rxDatagrams.inc();
        Malformed m = view.wrap(buf, off, len).check(0, 0, false);
        if (m == null && !checksumVerified) {
            int sum = TransportAddresses.pseudoHeader(pkt.sourceHi(), pkt.sourceLo(), pkt.destinationHi(),
                    pkt.destinationLo(), Ipv4Packet.PROTO_UDP, view.length());
            if (Bytes.u16(buf, off + CHECKSUM_OFFSET) == 0 || Checksum.finish(Checksum.partial(buf, off, view.length(), sum)) != 0) {
                m = Malformed.BAD_CHECKSUM;
            }
        }
        if (m != null) {
            rxMalformed[m.ordinal()].inc();
            return;
        }
        int dstPort = view.destinationPort();
        long dstHi = pkt.destinationHi();
        long dstLo = pkt.destinationLo();
        if (iface.ipv6().isForeignUnicast(dstHi, dstLo)) {
            // Only a gateway's catch-all may take what was sent to a foreign address.
            if (catchAll != null) {
                catchAll.onDatagram6(pkt.sourceHi(), pkt.sourceLo(), view.sourcePort(), dstHi, dstLo, dstPort,
                        buf, view.payloadOffset(), view.payloadLength());
            } else {
                rxNoPort.inc();
            }
            return;
        }
        UdpEndpoint ep = ports.get(dstPort);
        if (ep == null && catchAll != null && !Ipv6Address.isMulticast(dstHi)) {
            catchAll.onDatagram6(pkt.sourceHi(), pkt.sourceLo(), view.sourcePort(), dstHi, dstLo, dstPort,
                    buf, view.payloadOffset(), view.payloadLength());
            return;
        }
        if (ep == null || !ep.boundTo(dstHi, dstLo)) {
            rxNoPort.inc();
            if (icmp6 != null) {
                icmp6.sendUnreachable(iface, Icmpv6Message.CODE_PORT_UNREACHABLE, buf, pkt.payloadOffset() - Ipv6Packet.HEADER_LENGTH, pkt.packetLength());
            }
            return;
        }
        int srcPort = view.sourcePort();
        if (!ep.accepts(pkt.sourceHi(), pkt.sourceLo(), srcPort)) {
            rxFiltered.inc();
            return;
        }
        ep.deliver6(pkt.sourceHi(), pkt.sourceLo(), srcPort, buf, view.payloadOffset(), view.payloadLength());
    }

    @Override
    public void icmpError(int type, int code, long mtu, long quotedDstHi, long quotedDstLo, int srcPort, int dstPort) {
        UdpEndpoint ep = ports.get(srcPort);
        if (ep != null) {
            rxIcmpErrors.inc();
            ep.error6(quotedDstHi, quotedDstLo, dstPort, type, code, Icmpv6.describe(type, code, mtu));
        }
    }

    @Override
    public void icmpError(int type, int code, int fromIp, int quotedDst, int srcPort, int dstPort) {
        UdpEndpoint ep = ports.get(srcPort);
        if (ep != null) {
            rxIcmpErrors.inc();
            ep.error(quotedDst, dstPort, type, code, Icmp.describe(type, code));
        }
    }
}
