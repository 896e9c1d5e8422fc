package org.jnetstack.ip6;

import org.jnetstack.wire.Checksum;

import org.jnetstack.link.LinkOffloads;

import java.util.ArrayList;
import java.util.List;
import org.jnetstack.config.StackConfig;
import org.jnetstack.internal.StackSecrets;
import org.jnetstack.util.RandomStreams;
import org.jnetstack.ip.NetInterface;
import org.jnetstack.link.FrameHandler;
import org.jnetstack.link.LinkDevice;
import org.jnetstack.internal.MemoryBudget;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.stats.MemoryUse;
import org.jnetstack.stats.Counter;
import org.jnetstack.stats.Counters;
import org.jnetstack.wire.EthernetFrame;
import org.jnetstack.wire.Icmpv6Message;
import org.jnetstack.internal.SipHash;
import org.jnetstack.wire.Ipv6Address;
import org.jnetstack.wire.Ipv6Extensions;
import org.jnetstack.wire.Ipv6Header;
import org.jnetstack.wire.Ipv6Packet;
import org.jnetstack.wire.Malformed;

/**
 * The IPv6 layer of a stack (RFC 8200), for all its interfaces: checks received packets and
 * keeps those for us (our addresses, the solicited-node groups of our addresses, all-nodes),
 * walks their extension headers, reassembles fragments and hands the upper-layer payload to
 * ICMPv6 or a registered {@link Ipv6ProtocolHandler}; on output selects the source address
 * (RFC 6724), the next hop (on-link prefix or default router), and fragments above the path MTU.
 * A host: packets not for us are dropped and counted, never forwarded.
 *
 * <p>Output path: the upper layer writes its header and payload into {@link #txBuffer()} at
 * {@link #TRANSPORT_OFFSET} (or any buffer with that much room in front) and calls
 * {@link #send}; the IPv6 and Ethernet headers are written in place in front of it.
 */
public final class Ipv6 {
    /** Room for the Ethernet and fixed IPv6 headers in front of upper-layer data. */
    public static final int TRANSPORT_OFFSET = LinkDevice.TX_HEADROOM + EthernetFrame.HEADER_LENGTH + Ipv6Packet.HEADER_LENGTH;
    /** Largest payload (extension headers and upper layer) of a packet; jumbograms are not supported. */
    public static final int MAX_PAYLOAD = 65535;

    private final EventLoop loop;
    private final StackConfig config;
    private final Counters counters;
    private final StackSecrets secrets;
    private final MemoryBudget memory;
    private RouterFlagsListener routerFlagsListener;
    private final List<Ipv6Interface> interfaces = new ArrayList<>();
    private final Ipv6ProtocolHandler[] protocols = new Ipv6ProtocolHandler[256];
    private final Icmpv6 icmp;
    private final Ipv6Reassembly reassembly;
    private final PathMtu pathMtu;
    /** Keys fragment identifications per destination (RFC 7739 §5.3): unpredictable to others, no table. */
    private final SipHash fragmentIdPrf;
    private int fragmentIdCounter;

    /** Replaced when a device keeps it in exchange for another ({@link NetInterface#sendFrameExchanging}). */
    private byte[] tx = new byte[TRANSPORT_OFFSET + MAX_PAYLOAD];
    /** Where fragments are built, each in turn (a packet may be in {@link #tx} meanwhile). */
    private final byte[] fragment = new byte[TRANSPORT_OFFSET + Ipv6Extensions.FRAGMENT_HEADER_LENGTH + MAX_PAYLOAD];
    private final Ipv6Extensions extensions = new Ipv6Extensions();
    private final Ipv6Packet rxView = new Ipv6Packet();
    private final Ipv6Header header = new Ipv6Header();
    /** The route {@link #route} found last; valid until the next call. */
    private final Ipv6Route route = new Ipv6Route();

    private final Counter rxPackets;
    private final Counter rxDelivered;
    private final Counter rxNotForUs;
    private final Counter rxBadSource;
    private final Counter rxTentative;
    private final Counter rxUnknownNextHeader;
    private final Counter rxNoNextHeader;
    private final Counter rxBadExtension;
    private final Counter[] rxMalformed = new Counter[Malformed.values().length];
    private final Counter txPackets;
    private final Counter txNoRoute;
    private final Counter txNoSource;
    private final Counter txLoopback;
    private final Counter txTooBig;
    private final Counter txFragments;
    private final Counter rxAtomicFragments;
    private final Counter rxForeignIcmp;
    private boolean acceptAnyDestination;

    /**
     * @param memory the stack's memory budget ({@code Ipv4.memory()}), shared by both families:
     *               reassembly buffers and packets waiting for a neighbour are charged to it
     */
    public Ipv6(EventLoop loop, StackConfig config, Counters counters, RandomStreams secrets, MemoryUse memory) {
        this.loop = loop;
        this.memory = MemoryBudget.of(memory);
        this.config = config;
        this.counters = counters;
        this.secrets = StackSecrets.from(secrets);
        String p = "ip6.";
        rxPackets = counters.counter(p + "rx.packets");
        rxDelivered = counters.counter(p + "rx.delivered");
        rxNotForUs = counters.counter(p + "rx.drop.not_for_us");
        rxBadSource = counters.counter(p + "rx.drop.bad_source");
        rxTentative = counters.counter(p + "rx.drop.to_tentative_address");
        rxUnknownNextHeader = counters.counter(p + "rx.drop.unknown_next_header");
        rxNoNextHeader = counters.counter(p + "rx.no_next_header");
        rxBadExtension = counters.counter(p + "rx.drop.bad_extension_header");
        for (Malformed m : Malformed.values()) {
            rxMalformed[m.ordinal()] = counters.counter(p + "rx.drop." + m.id());
        }
        txPackets = counters.counter(p + "tx.packets");
        txNoRoute = counters.counter(p + "tx.drop.no_route");
        txNoSource = counters.counter(p + "tx.drop.no_source_address");
        txLoopback = counters.counter(p + "tx.loopback");
        txTooBig = counters.counter(p + "tx.drop.too_big");
        txFragments = counters.counter(p + "frag.tx");
        rxAtomicFragments = counters.counter(p + "frag.rx_atomic");
        rxForeignIcmp = counters.counter(p + "rx.drop.foreign_icmp");
        this.fragmentIdPrf = this.secrets.newPrf("ip6.fragment-id");
        this.pathMtu = new PathMtu(loop.clock(), counters);
        this.icmp = new Icmpv6(this, counters);
        this.reassembly = new Ipv6Reassembly(this, counters);
    }

    public EventLoop loop() {
        return loop;
    }

    public StackConfig config() {
        return config;
    }

    /** The stack's memory budget (the one IPv4 holds). */
    public MemoryUse memory() {
        return memory;
    }

    StackSecrets secrets() {
        return secrets;
    }

    Counters counters() {
        return counters;
    }

    /** Hears the M and O flags of every router advertisement taken (a DHCPv6 client); null for none. Loop thread. */
    public void setRouterFlagsListener(RouterFlagsListener l) {
        this.routerFlagsListener = l;
    }

    RouterFlagsListener routerFlagsListener() {
        return routerFlagsListener;
    }

    public Icmpv6 icmp() {
        return icmp;
    }

    /** Path MTU estimates from Packet Too Big messages (RFC 8201). */
    public PathMtu pathMtu() {
        return pathMtu;
    }

    /** The largest packet we send unfragmented towards {@code dst}: the path MTU, or the link MTU of its route (1280 with none). */
    public int mtuFor(long dstHi, long dstLo) {
        Ipv6Route r = findRoute(null, dstHi, dstLo); // the interface is all it needs: no source selection
        return r == null ? Ipv6Packet.MIN_MTU : pathMtu.mtu(dstHi, dstLo, r.iface().linkMtu());
    }

    public Ipv6Reassembly reassembly() {
        return reassembly;
    }

    public List<Ipv6Interface> interfaces() {
        return List.copyOf(interfaces);
    }

    /**
     * Brings IPv6 up on {@code ni}: frames of EtherType 0x86DD now come here; the link-local
     * address is formed and checked (RFC 4862 §5.3–5.4), the static addresses given are added,
     * and routers are solicited (RFC 4861 §6.3.7). Loop thread.
     */
    public Ipv6Interface addInterface(NetInterface ni, List<String> staticAddresses) {
        Ipv6Interface ifc = new Ipv6Interface(this, ni, interfaces.size() + 1, counters);
        interfaces.add(ifc);
        ni.setIpv6Handler(ifc);
        ifc.start(staticAddresses);
        return ifc;
    }

    /** Takes IPv6 off {@code ni}: its timers stop, its neighbours and held packets go. */
    public void removeInterface(NetInterface ni) {
        for (int i = 0; i < interfaces.size(); i++) {
            Ipv6Interface ifc = interfaces.get(i);
            if (ifc.netInterface() == ni) {
                interfaces.remove(i);
                ni.setIpv6Handler(null);
                ifc.stop();
                reassembly.clear(ifc);
                return;
            }
        }
    }

    /** The IPv6 side of {@code ni}, or null. */
    public Ipv6Interface interfaceOf(NetInterface ni) {
        for (int k = 0, n = interfaces.size(); k < n; k++) {
            Ipv6Interface ifc = interfaces.get(k);
            if (ifc.netInterface() == ni) {
                return ifc;
            }
        }
        return null;
    }

    /** Routes packets with next header {@code nextHeader} (an upper-layer protocol number) to {@code handler}. */
    public void register(int nextHeader, Ipv6ProtocolHandler handler) {
        protocols[nextHeader & 0xFF] = handler;
    }

    Ipv6ProtocolHandler protocol(int nextHeader) {
        return protocols[nextHeader & 0xFF];
    }

    /** Scratch buffer for one packet; upper layers write at {@link #TRANSPORT_OFFSET}. */
    public byte[] txBuffer() {
        return tx;
    }

    /**
     * A gateway's switch (as {@code Ipv4.setAcceptAnyDestination}): unicast packets to any global
     * address, not only ours, go up to TCP and UDP, where a catch-all stands in for the
     * destination. ICMPv6 to such an address is dropped (counted in {@code ip6.rx.drop.foreign_icmp}):
     * it must not be answered as if it were ours — except echo requests, which go to
     * {@link Icmpv6#setForeignEchoHandler} if there is one. Multicast, link-local, loopback,
     * unspecified and IPv4-mapped destinations are never taken as foreign. Loop thread.
     */
    public void setAcceptAnyDestination(boolean on) {
        this.acceptAnyDestination = on;
    }

    /** Whether a packet to {@code hi:lo} reached us only because of {@link #setAcceptAnyDestination}. */
    public boolean isForeignUnicast(long hi, long lo) {
        return acceptAnyDestination && isForeignCandidate(hi, lo) && !isLocalAddress(hi, lo);
    }

    private static boolean isForeignCandidate(long hi, long lo) {
        return !Ipv6Address.isMulticast(hi) && !Ipv6Address.isLinkLocal(hi) && !Ipv6Address.isUnspecified(hi, lo)
                && !Ipv6Address.isLoopback(hi, lo) && !Ipv6Address.isV4Mapped(hi, lo);
    }

    /** True if {@code hi:lo} is a usable (not tentative, not duplicate) address of one of our interfaces. */
    public boolean isLocalAddress(long hi, long lo) {
        for (int k = 0, n = interfaces.size(); k < n; k++) {
            Ipv6Interface ifc = interfaces.get(k);
            if (ifc.usableAddress(hi, lo) != null) {
                return true;
            }
        }
        return false;
    }

    /**
     * The way to {@code dst}: interface, next hop, and the source address RFC 6724 selects
     * there. {@code via} fixes the interface (a link-local or multicast destination names its
     * link; null: the first interface). Null if there is none. The returned holder is reused by
     * the next call.
     */
    public Ipv6Route route(Ipv6Interface via, long dstHi, long dstLo) {
        Ipv6Route r = findRoute(via, dstHi, dstLo);
        if (r == null) {
            return null;
        }
        return SourceSelection.select(r.iface(), dstHi, dstLo, r) ? r : r.noSource();
    }

    /** Interface and next hop to {@code dst}, without choosing a source; null if there is none. */
    private Ipv6Route findRoute(Ipv6Interface via, long dstHi, long dstLo) {
        Ipv6Route r = route;
        if (Ipv6Address.isMulticast(dstHi) || Ipv6Address.isLinkLocal(dstHi)) {
            Ipv6Interface ifc = via != null ? via : interfaces.isEmpty() ? null : interfaces.get(0);
            if (ifc == null) {
                return null;
            }
            r.set(ifc, dstHi, dstLo);
        } else if (!onLink(via, dstHi, dstLo, r) && !viaRouter(via, r)) {
            return null;
        }
        return r;
    }

    private boolean onLink(Ipv6Interface via, long dstHi, long dstLo, Ipv6Route r) {
        for (int k = 0, n = interfaces.size(); k < n; k++) {
            Ipv6Interface ifc = interfaces.get(k);
            if ((via == null || via == ifc) && (ifc.routers().isOnLink(dstHi, dstLo) || ifc.usableAddress(dstHi, dstLo) != null)) {
                r.set(ifc, dstHi, dstLo);
                return true;
            }
        }
        return false;
    }

    private boolean viaRouter(Ipv6Interface via, Ipv6Route r) {
        for (int k = 0, n = interfaces.size(); k < n; k++) {
            Ipv6Interface ifc = interfaces.get(k);
            if ((via == null || via == ifc) && ifc.routers().defaultRouter(r)) {
                r.iface(ifc);
                return true;
            }
        }
        return false;
    }

    /**
     * Sends a packet whose upper-layer header and payload are {@code buf[off, off+len)}, with at
     * least {@link #TRANSPORT_OFFSET} bytes of room before {@code off}.
     *
     * @param via      the interface for a link-local or multicast destination (null: the first)
     * @param srcHi    the source; :: selects one (RFC 6724) — an upper layer that sums a
     *                 pseudo-header asks {@link #route} first and passes its source
     * @param hopLimit -1 for the interface's (RFC 4861 §6.3.2 CurHopLimit; 1 for multicast)
     * @return false if it was dropped here (no route, no source address); the reason is counted
     */
    public boolean send(Ipv6Interface via, long srcHi, long srcLo, long dstHi, long dstLo, int nextHeader, int hopLimit,
                        byte[] buf, int off, int len) {
        return send(via, srcHi, srcLo, dstHi, dstLo, nextHeader, hopLimit, 0, buf, off, len);
    }

    /**
     * Like {@link #send(Ipv6Interface, long, long, long, long, int, int, byte[], int, int)} with a
     * traffic class and flow label: {@code classAndFlow} is the traffic class shifted left 20 bits
     * or'ed with the 20-bit flow label (RFC 8200 §3, RFC 6437).
     */
    public boolean send(Ipv6Interface via, long srcHi, long srcLo, long dstHi, long dstLo, int nextHeader, int hopLimit,
                        int classAndFlow, byte[] buf, int off, int len) {
        boolean chooseSource = Ipv6Address.isUnspecified(srcHi, srcLo);
        // A source the caller gave (an upper layer asked route() for it already) is not chosen again.
        Ipv6Route r = chooseSource ? route(via, dstHi, dstLo) : findRoute(via, dstHi, dstLo);
        if (r == null) {
            txNoRoute.inc();
            return false;
        }
        if (chooseSource) {
            if (!r.hasSource()) {
                txNoSource.inc();
                return false;
            }
            srcHi = r.sourceHi();
            srcLo = r.sourceLo();
        }
        return transmit(r.iface(), r.nextHopHi(), r.nextHopLo(), srcHi, srcLo, dstHi, dstLo, nextHeader, hopLimit, classAndFlow,
                buf, off, len);
    }

    /**
     * What the device towards {@code dst} does for transports: its checksum offload, and TCP
     * segmentation only where it takes TCP/IPv6 super-segments (TSO6); {@link LinkOffloads#NONE}
     * for our own addresses and without a route.
     */
    public LinkOffloads offloadsFor(long dstHi, long dstLo) {
        Ipv6Route r = route(null, dstHi, dstLo);
        if (r == null || isLocalAddress(dstHi, dstLo) || r.iface().usableAddress(dstHi, dstLo) != null) {
            return LinkOffloads.NONE;
        }
        LinkOffloads o = r.iface().netInterface().device().offloads();
        return o.txSegmentation() == 0 || o.segments(true) ? o : new LinkOffloads(o.rxChecksum(), o.txChecksum(), 0);
    }

    /**
     * Like {@link #send(Ipv6Interface, long, long, long, long, int, int, int, byte[], int, int)} for
     * an upper-layer segment whose checksum the device completes (the
     * pseudo-header sum is at {@code checksumOffset} of {@code buf[off, off+len)}) and, with
     * {@code segmentSize > 0}, cuts into segments of that payload: as {@link #offloadsFor} allows.
     * Where it cannot go so (no route, our own or a multicast destination, a neighbour not yet
     * resolved, a plain packet above the path MTU) the checksum is completed here and the packet
     * takes {@link #send}'s way.
     */
    public boolean sendOffloaded(long srcHi, long srcLo, long dstHi, long dstLo, int nextHeader, int classAndFlow, byte[] buf,
                                 int off, int len, int checksumOffset, int segmentSize) {
        Ipv6Route r = findRoute(null, dstHi, dstLo);
        if (r != null && len <= MAX_PAYLOAD && !Ipv6Address.isUnspecified(srcHi, srcLo) && !Ipv6Address.isMulticast(r.nextHopHi())
                && !isLocalAddress(dstHi, dstLo) && r.iface().usableAddress(dstHi, dstLo) == null
                && (segmentSize > 0 || Ipv6Packet.HEADER_LENGTH + len <= pathMtu.mtu(dstHi, dstLo, r.iface().linkMtu()))) {
            Ipv6Interface ifc = r.iface();
            int ipOff = off - Ipv6Packet.HEADER_LENGTH;
            Ipv6Packet.writeHeader(buf, ipOff, header.trafficClass(classAndFlow >>> 20).flowLabel(classAndFlow).payloadLength(len)
                    .nextHeader(nextHeader).hopLimit(ifc.curHopLimit()).source(srcHi, srcLo).destination(dstHi, dstLo));
            if (ifc.neighbors().sendOffloaded(r.nextHopHi(), r.nextHopLo(), buf, ipOff, Ipv6Packet.HEADER_LENGTH + len,
                    checksumOffset, segmentSize)) {
                txPackets.inc();
                return true;
            }
        }
        Checksum.finishPartial(buf, off, len, checksumOffset);
        return send(null, srcHi, srcLo, dstHi, dstLo, nextHeader, -1, classAndFlow, buf, off, len);
    }

    /**
     * Sends with the source given as is (:: allowed: duplicate address detection, RFC 4862
     * §5.4.2) on {@code ifc} to a next hop already chosen.
     */
    boolean transmit(Ipv6Interface ifc, long nhHi, long nhLo, long srcHi, long srcLo, long dstHi, long dstLo,
                     int nextHeader, int hopLimit, byte[] buf, int off, int len) {
        return transmit(ifc, nhHi, nhLo, srcHi, srcLo, dstHi, dstLo, nextHeader, hopLimit, 0, buf, off, len);
    }

    private boolean transmit(Ipv6Interface ifc, long nhHi, long nhLo, long srcHi, long srcLo, long dstHi, long dstLo,
                             int nextHeader, int hopLimit, int classAndFlow, byte[] buf, int off, int len) {
        if (len > MAX_PAYLOAD) {
            throw new IllegalArgumentException("IPv6 payload of " + len + " bytes exceeds 65535 (jumbograms are not supported)");
        }
        if (hopLimit < 0) {
            hopLimit = Ipv6Address.isMulticast(dstHi) ? 1 : ifc.curHopLimit();
        }
        int ipOff = off - Ipv6Packet.HEADER_LENGTH;
        txPackets.inc();
        if (ifc.usableAddress(dstHi, dstLo) != null || isLocalAddress(dstHi, dstLo)) {
            Ipv6Packet.writeHeader(buf, ipOff, header.trafficClass(classAndFlow >>> 20).flowLabel(classAndFlow).payloadLength(len).nextHeader(nextHeader)
                    .hopLimit(hopLimit).source(srcHi, srcLo).destination(dstHi, dstLo));
            loopBack(ifc, buf, ipOff, Ipv6Packet.HEADER_LENGTH + len);
            return true;
        }
        int mtu = pathMtu.mtu(dstHi, dstLo, ifc.linkMtu());
        if (Ipv6Packet.HEADER_LENGTH + len > mtu) {
            return fragment(ifc, nhHi, nhLo, mtu, srcHi, srcLo, dstHi, dstLo, nextHeader, hopLimit, classAndFlow, buf, off, len);
        }
        Ipv6Packet.writeHeader(buf, ipOff, header.trafficClass(classAndFlow >>> 20).flowLabel(classAndFlow).payloadLength(len).nextHeader(nextHeader)
                .hopLimit(hopLimit).source(srcHi, srcLo).destination(dstHi, dstLo));
        if (buf == tx && !Ipv6Address.isMulticast(nhHi)) {
            tx = ifc.neighbors().sendExchanging(nhHi, nhLo, buf, ipOff, Ipv6Packet.HEADER_LENGTH + len); // ours to hand over
        } else {
            output(ifc, nhHi, nhLo, buf, ipOff, Ipv6Packet.HEADER_LENGTH + len);
        }
        return true;
    }

    /**
     * RFC 8200 §4.5: the packet goes out in fragments of at most {@code mtu} bytes, each the
     * fixed header, a fragment header with one identification and a multiple of 8 data bytes
     * (all but the last).
     */
    private boolean fragment(Ipv6Interface ifc, long nhHi, long nhLo, int mtu, long srcHi, long srcLo, long dstHi, long dstLo,
                             int nextHeader, int hopLimit, int classAndFlow, byte[] buf, int off, int len) {
        int chunk = (mtu - Ipv6Packet.HEADER_LENGTH - Ipv6Extensions.FRAGMENT_HEADER_LENGTH) & ~7;
        if (chunk <= 0 || len > Ipv6Extensions.MAX_PACKET - Ipv6Extensions.FRAGMENT_HEADER_LENGTH) {
            txTooBig.inc();
            return false;
        }
        int id = (int) fragmentIdPrf.hash(dstHi, dstLo, srcHi ^ srcLo) + ++fragmentIdCounter;
        int dataOff = TRANSPORT_OFFSET + Ipv6Extensions.FRAGMENT_HEADER_LENGTH;
        for (int done = 0; done < len; done += chunk) {
            int n = Math.min(chunk, len - done);
            boolean more = done + n < len;
            System.arraycopy(buf, off + done, fragment, dataOff, n);
            Ipv6Extensions.writeFragmentHeader(fragment, TRANSPORT_OFFSET, nextHeader, done, more, id);
            int plen = Ipv6Extensions.FRAGMENT_HEADER_LENGTH + n;
            Ipv6Packet.writeHeader(fragment, TRANSPORT_OFFSET - Ipv6Packet.HEADER_LENGTH, header.trafficClass(classAndFlow >>> 20).flowLabel(classAndFlow)
                    .payloadLength(plen).nextHeader(Ipv6Packet.NH_FRAGMENT).hopLimit(hopLimit).source(srcHi, srcLo)
                    .destination(dstHi, dstLo));
            txFragments.inc();
            output(ifc, nhHi, nhLo, fragment, TRANSPORT_OFFSET - Ipv6Packet.HEADER_LENGTH, Ipv6Packet.HEADER_LENGTH + plen);
        }
        return true;
    }

    /** Puts the packet at {@code buf[ipOff, ipOff+ipLen)} on the link towards {@code nh}: multicast mapped, unicast resolved. */
    void output(Ipv6Interface ifc, long nhHi, long nhLo, byte[] buf, int ipOff, int ipLen) {
        if (Ipv6Address.isMulticast(nhHi)) {
            // RFC 2464 §7: 33:33 and the group's low 32 bits.
            ifc.netInterface().sendFrame(Ipv6Address.multicastMac(nhLo), EthernetFrame.TYPE_IPV6, buf, ipOff, ipLen);
        } else {
            ifc.neighbors().send(nhHi, nhLo, buf, ipOff, ipLen);
        }
    }

    /** A packet to one of our own addresses: delivered on the next loop turn, like a loopback device. */
    private void loopBack(Ipv6Interface ifc, byte[] buf, int ipOff, int len) {
        txLoopback.inc();
        byte[] copy = java.util.Arrays.copyOfRange(buf, ipOff, ipOff + len);
        loop.execute(() -> input(ifc, copy, 0, copy.length, 0));
    }

    /** An IPv6 packet from {@code ifc}'s link: {@code buf[off, off+len)} (len may include link padding). */
    void input(Ipv6Interface ifc, byte[] buf, int off, int len, int frameFlags) {
        rxPackets.inc();
        Ipv6Packet ip = rxView.wrap(buf, off, len);
        Malformed m = ip.check();
        if (m != null) {
            rxMalformed[m.ordinal()].inc();
            return;
        }
        long srcHi = ip.sourceHi();
        long srcLo = ip.sourceLo();
        long dstHi = ip.destinationHi();
        long dstLo = ip.destinationLo();
        // RFC 4291 §2.7: a multicast address is never a source; §2.5.3: the loopback address
        // never leaves a node (a packet carrying it from the wire is spoofed).
        if (Ipv6Address.isMulticast(srcHi) || Ipv6Address.isLoopback(srcHi, srcLo) || Ipv6Address.isLoopback(dstHi, dstLo)
                || Ipv6Address.isV4Mapped(srcHi, srcLo)) {
            rxBadSource.inc();
            return;
        }
        int accept = ifc.accepts(dstHi, dstLo);
        if (accept == Ipv6Interface.NOT_FOR_US) {
            if (!acceptAnyDestination || !isForeignCandidate(dstHi, dstLo)) {
                rxNotForUs.inc();
                return;
            }
            accept = Ipv6Interface.FOREIGN;
        }
        len = ip.packetLength(); // trim link-layer padding
        int nextHeader = ip.nextHeader();
        int upperOff = ip.payloadOffset();
        int upperLen = ip.payloadLength();
        int nhField = off + 6;
        if (isExtension(nextHeader)) {
            Ipv6Extensions ext = extensions;
            Malformed bad = ext.walk(buf, upperOff, upperLen, nextHeader);
            if (bad != null) {
                rxBadExtension.inc();
                if (ext.problemCode() >= 0 && !ext.silentDrop() && (!Ipv6Address.isMulticast(dstHi) || ext.sendProblemToMulticast())) {
                    icmp.sendError(ifc, Icmpv6Message.TYPE_PARAMETER_PROBLEM, ext.problemCode(), ext.problemPointer(), buf, off, len,
                            ext.sendProblemToMulticast());
                }
                return;
            }
            if (ext.hasFragment() && !ext.atomicFragment()) {
                if (accept == Ipv6Interface.TENTATIVE) {
                    rxTentative.inc();
                    return;
                }
                reassembly.add(ifc, ip, ext, buf, off, len);
                return;
            }
            if (ext.atomicFragment()) {
                rxAtomicFragments.inc(); // RFC 6946 §4: processed alone, never mixed with a reassembly
            }
            nextHeader = ext.upperProtocol();
            upperLen = upperOff + upperLen - ext.upperOffset();
            upperOff = ext.upperOffset();
            nhField = off + ext.upperNextHeaderPointer();
        }
        deliver(ifc, ip, accept, nextHeader, buf, off, upperOff, upperLen, (frameFlags & FrameHandler.RX_CHECKSUM_VERIFIED) != 0,
                nhField);
    }

    private static boolean isExtension(int nh) {
        return nh == Ipv6Packet.NH_HOP_BY_HOP || nh == Ipv6Packet.NH_ROUTING || nh == Ipv6Packet.NH_FRAGMENT
                || nh == Ipv6Packet.NH_DESTINATION_OPTIONS;
    }

    /**
     * Hands the upper-layer payload {@code buf[upperOff, upperOff+upperLen)} of the whole packet
     * viewed by {@code ip} (at {@code off}) to its protocol; {@code nhFieldOff} is where the
     * next header field naming it is, for a Parameter Problem (RFC 8200 §4).
     */
    void deliver(Ipv6Interface ifc, Ipv6Packet ip, int accept, int nextHeader, byte[] buf, int off, int upperOff, int upperLen,
                 boolean checksumVerified, int nhFieldOff) {
        if (accept == Ipv6Interface.TENTATIVE && !Icmpv6.isNeighborDiscovery(nextHeader, buf, upperOff, upperLen)) {
            // RFC 4862 §5.4: until detection ends, only NS and NA for the address are looked at.
            rxTentative.inc();
            return;
        }
        if (nextHeader == Ipv6Packet.NH_ICMPV6) {
            if (accept == Ipv6Interface.FOREIGN) {
                // A gateway's echo handler may take echo requests; nothing else is answered as ours.
                if (!icmp.foreignInput(ip, buf, upperOff, upperLen)) {
                    rxForeignIcmp.inc();
                }
                return;
            }
            rxDelivered.inc();
            icmp.input(ifc, ip, buf, upperOff, upperLen);
            return;
        }
        if (nextHeader == Ipv6Packet.NH_NONE) {
            rxNoNextHeader.inc(); // RFC 8200 §4.7: nothing follows; the packet ends here
            return;
        }
        Ipv6ProtocolHandler h = protocols[nextHeader & 0xFF];
        if (h == null) {
            rxUnknownNextHeader.inc();
            icmp.sendError(ifc, Icmpv6Message.TYPE_PARAMETER_PROBLEM, Icmpv6Message.CODE_UNRECOGNIZED_NEXT_HEADER,
                    nhFieldOff - off, buf, off, ip.packetLength(), false);
            return;
        }
        rxDelivered.inc();
        h.input(ifc, ip, buf, upperOff, upperLen, checksumVerified);
    }
}
