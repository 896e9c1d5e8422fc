package org.jnetstack.ip;

import java.util.ArrayList;
import java.util.List;
import org.jnetstack.config.StackConfig;
import org.jnetstack.internal.StackSecrets;
import org.jnetstack.internal.TransportAddresses;
import org.jnetstack.link.FrameHandler;
import org.jnetstack.link.LinkDevice;
import org.jnetstack.link.LinkOffloads;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.stats.Counter;
import org.jnetstack.stats.Counters;
import org.jnetstack.stats.MemoryUse;
import org.jnetstack.util.RandomStreams;
import org.jnetstack.wire.Checksum;
import org.jnetstack.wire.EthernetFrame;
import org.jnetstack.wire.IcmpMessage;
import org.jnetstack.wire.Ipv4Address;
import org.jnetstack.wire.Ipv4Header;
import org.jnetstack.wire.Ipv4Packet;
import org.jnetstack.wire.Malformed;

/**
 * The IPv4 layer (RFC 791, RFC 1122 §3): checks and demultiplexes received datagrams,
 * reassembles fragments, routes and fragments outgoing ones. Hosts only: datagrams not
 * addressed to us are dropped and counted, never forwarded.
 *
 * <p>Output path: a transport writes its header and payload into {@link #txBuffer()} at
 * {@link #TRANSPORT_OFFSET} and calls {@link #send}; the IPv4 and Ethernet headers are then
 * written in place in front of it, so a datagram is built without copies or allocation.
 */
public final class Ipv4 {
    /** Room for the Ethernet and IPv4 headers in front of transport data in {@link #txBuffer()}. */
    public static final int TRANSPORT_OFFSET = LinkDevice.TX_HEADROOM + EthernetFrame.HEADER_LENGTH
            + Ipv4Packet.MIN_HEADER_LENGTH;
    /** Largest IPv4 datagram. */
    public static final int MAX_DATAGRAM = 65535;
    /** The smallest path MTU a "fragmentation needed" may set by default: RFC 791's 576. */
    public static final int DEFAULT_PATH_MTU_FLOOR = 576;

    private final EventLoop loop;
    private final StackConfig config;
    private final Counters counters;
    private final StackSecrets secrets;
    private final Ipv4Ids ids;
    private final EphemeralPorts ports;
    private final List<NetInterface> interfaces = new ArrayList<>();
    private final Routes routes = new Routes();
    private final IpProtocolHandler[] protocols = new IpProtocolHandler[256];
    private final Icmp icmp;
    private final Reassembly reassembly;
    /** Path MTU estimates from validated "fragmentation needed" errors (RFC 1191); see {@link #pathMtu()}. */
    private final PathMtuCache pathMtu;

    /** Replaced when a device keeps it in exchange for another ({@link NetInterface#outputExchanging}). */
    private byte[] tx = new byte[TRANSPORT_OFFSET + MAX_DATAGRAM];
    private final byte[] fragment = new byte[TRANSPORT_OFFSET + MAX_DATAGRAM];
    private final Ipv4Packet rxView = new Ipv4Packet();
    /** The header of the datagram being sent: set and written once per datagram or fragment. */
    private final Ipv4Header ipHeader = new Ipv4Header();
    private boolean acceptAnyDestination;

    private final Counter rxPackets;
    private final Counter rxDelivered;
    private final Counter rxNotForUs;
    private final Counter rxUnknownProtocol;
    private final Counter rxBadSource;
    private final Counter[] rxMalformed = new Counter[Malformed.values().length];
    private final Counter txPackets;
    private final Counter txFragments;
    private final Counter txNoRoute;
    private final Counter txTooBig;
    private final Counter txLoopback;
    private final org.jnetstack.internal.MemoryBudget memory;

    /** {@code secrets} gives every purpose its own key (IPv4 ids, ephemeral ports, and the transports' and clients' above). */
    public Ipv4(EventLoop loop, StackConfig config, Counters counters, RandomStreams secrets) {
        this.loop = loop;
        this.config = config;
        this.counters = counters;
        this.secrets = StackSecrets.from(secrets);
        this.ids = new Ipv4Ids(loop.clock(), this.secrets);
        this.ports = new EphemeralPorts(config.ephemeralPortFirst(), config.ephemeralPortLast(), this.secrets);
        rxPackets = counters.counter("ip.rx.packets");
        rxDelivered = counters.counter("ip.rx.delivered");
        for (Malformed m : Malformed.values()) {
            rxMalformed[m.ordinal()] = counters.counter("ip.rx.drop." + m.id());
        }
        rxNotForUs = counters.counter("ip.rx.drop.not_for_us");
        rxBadSource = counters.counter("ip.rx.drop.bad_source");
        rxUnknownProtocol = counters.counter("ip.rx.drop.unknown_protocol");
        txPackets = counters.counter("ip.tx.packets");
        txFragments = counters.counter("ip.tx.fragments");
        txNoRoute = counters.counter("ip.tx.drop.no_route");
        txTooBig = counters.counter("ip.tx.drop.too_big_df");
        // Datagrams to our own address re-enter input() without a frame; counted so that
        // eth.rx.frames and ip.rx.packets can be reconciled (the fuzz tests check it).
        txLoopback = counters.counter("ip.tx.loopback");
        // RFC 1191 §3 and RFC 5927 §7: 576, the datagram every IPv4 host must accept, unless TCP sets another floor.
        this.pathMtu = new PathMtuCache(loop.clock(), counters, "ip.pmtu", DEFAULT_PATH_MTU_FLOOR);
        this.icmp = new Icmp(this, counters);
        this.memory = new org.jnetstack.internal.MemoryBudget(config.effectiveMemoryBudget());
        this.reassembly = new Reassembly(this, counters);
    }

    /** The stack's memory budget: every buffer and queue of data is charged to it. */
    public MemoryUse memory() {
        return memory;
    }

    public EventLoop loop() {
        return loop;
    }

    public StackConfig config() {
        return config;
    }

    public Counters counters() {
        return counters;
    }

    /**
     * The stack's keys: a protocol takes its own key or random stream from here once (never a
     * value shared with another purpose).
     */
    public RandomStreams secrets() {
        return secrets;
    }

    public Icmp icmp() {
        return icmp;
    }

    public Routes routes() {
        return routes;
    }

    public Reassembly reassembly() {
        return reassembly;
    }

    public List<NetInterface> interfaces() {
        return List.copyOf(interfaces);
    }

    /** Adds an interface, attaches its device to the loop, and (if given) sets its address. */
    public NetInterface addInterface(String name, LinkDevice device, long mac, int mtu, int address, int prefixLength) {
        if (mtu < 68 || mtu > MAX_DATAGRAM) {
            throw new IllegalArgumentException("MTU must be 68-65535 (RFC 791 §3.2): " + mtu);
        }
        NetInterface ni = new NetInterface(name, this, device, mac, mtu, counters);
        interfaces.add(ni);
        ni.attach(loop);
        setAddress(ni, address, prefixLength);
        return ni;
    }

    /** Removes an interface: its routes go, its device is detached from the loop and closed. */
    public void removeInterface(NetInterface ni) {
        if (interfaces.remove(ni)) {
            routes.removeIf(r -> r.iface() == ni);
            ni.detach(loop);
        }
    }

    /** Sets (or changes) an interface's address; the connected route follows it. */
    public void setAddress(NetInterface ni, int address, int prefixLength) {
        routes.removeIf(r -> r.iface() == ni && r.gateway() == 0);
        ni.setAddress(address, prefixLength);
        if (address != 0) {
            int mask = Ipv4Address.mask(prefixLength);
            routes.add(new Route(address & mask, prefixLength, 0, ni));
        }
    }

    /** Changes an interface's MTU, 68-65535 (RFC 791 §3.2), e.g. to what a DHCP server says (RFC 2132 §5.1). */
    public void setMtu(NetInterface ni, int mtu) {
        if (mtu < 68 || mtu > MAX_DATAGRAM) {
            throw new IllegalArgumentException("MTU must be 68-65535 (RFC 791 §3.2): " + mtu);
        }
        ni.setMtu(mtu);
    }

    /** Sets the default route (0.0.0.0/0) via {@code gateway}, or removes it when 0. */
    public void setGateway(int gateway) {
        routes.removeIf(r -> r.prefixLength() == 0);
        if (gateway != 0) {
            Route r = routes.lookup(gateway);
            if (r == null || r.gateway() != 0) {
                throw new IllegalArgumentException("gateway " + Ipv4Address.format(gateway) + " is not on a connected network");
            }
            routes.add(new Route(0, 0, gateway, r.iface()));
        }
    }

    public void register(int protocol, IpProtocolHandler handler) {
        protocols[protocol & 0xFF] = handler;
    }

    IpProtocolHandler protocol(int protocol) {
        return protocols[protocol & 0xFF];
    }

    /**
     * Scratch buffer for building one datagram; transports write at {@link #TRANSPORT_OFFSET}.
     * Ask again for every datagram: {@link #send} may hand this one to the device (an in-process
     * wire keeps a large frame instead of copying it) and take another in exchange.
     */
    public byte[] txBuffer() {
        return tx;
    }

    /**
     * Makes this stack a gateway's end of a link (user-mode networking): unicast datagrams to
     * ANY address are delivered to the transports instead of being dropped as not for us. The
     * transports treat a foreign destination as a closed port unless a catch-all takes it
     * ({@code Tcp.listenAny}, {@code Udp.openAny}); listeners and endpoints bound to our own
     * addresses never see foreign traffic. ARP is unchanged: the guest routes off-link
     * traffic to the gateway's MAC, so only the IP layer must widen. Off by default.
     */
    public void setAcceptAnyDestination(boolean on) {
        this.acceptAnyDestination = on;
    }

    public boolean acceptsAnyDestination() {
        return acceptAnyDestination;
    }

    /**
     * True if {@code dst}, received on {@code ni}, is a unicast address that is not ours: it
     * can only have been delivered because of {@link #setAcceptAnyDestination}.
     */
    public boolean isForeignUnicast(NetInterface ni, int dst) {
        return dst != 0 && dst != -1 && !Ipv4Address.isMulticast(dst) && !ni.isBroadcast(dst) && !isLocalAddress(dst);
    }

    /** True if {@code addr} is one of our interface addresses. */
    public boolean isLocalAddress(int addr) {
        for (NetInterface ni : interfaces) {
            if (ni.address() == addr && addr != 0) {
                return true;
            }
        }
        return false;
    }

    /** The source address we would use towards {@code dst}, or 0 if it has no route. */
    public int sourceAddressFor(int dst) {
        Route r = route(dst);
        return r == null ? 0 : r.iface().address();
    }

    /**
     * An ephemeral port for a transport that has no destination yet (RFC 6056 §3.3.1, algorithm
     * 1): a random point of the configured range, probing upwards for one {@code taken} rejects;
     * -1 if none is free.
     */
    public int ephemeralPort(java.util.function.IntPredicate taken) {
        return ports.any(taken);
    }

    /**
     * An ephemeral port for a {@code protocol} connection from {@code src} to {@code dst:dstPort}
     * (RFC 6056 §3.3.4, algorithm 4): one {@code taken} accepts (its 4-tuple is free), or -1.
     */
    public int ephemeralPort(int protocol, int src, int dst, int dstPort, java.util.function.IntPredicate taken) {
        return ports.towards(protocol, src, dst, dstPort, taken);
    }

    /**
     * What the device towards {@code dst} does for transports ({@link LinkOffloads#NONE} for our
     * own addresses and unroutable ones): checksum completion and segmentation that
     * {@link #sendOffloaded} may then ask for.
     */
    public LinkOffloads offloadsFor(int dst) {
        Route r = route(dst);
        if (r == null || isLocalAddress(dst)) {
            return LinkOffloads.NONE;
        }
        return r.iface().device().offloads();
    }

    /**
     * The largest datagram to send towards {@code dst} unfragmented: its path MTU (RFC 1191), or the
     * MTU of the interface that leads to it (the first interface's if none does).
     */
    public int mtuFor(int dst) {
        return pathMtu.mtu(0, TransportAddresses.mappedLo(dst), linkMtuFor(dst));
    }

    private int linkMtuFor(int dst) {
        Route r = route(dst);
        if (r != null) {
            return r.iface().mtu();
        }
        return interfaces.isEmpty() ? 576 : interfaces.get(0).mtu();
    }

    /**
     * A validated report (RFC 1191 §4, RFC 5927 §4.1) that datagrams to {@code dst} may be at most
     * {@code mtu} bytes: lowers its path MTU, never below the floor, for
     * {@link PathMtuCache#AGE_NANOS}. Returns the path MTU now in use. Loop thread.
     */
    public int lowerPathMtu(int dst, int mtu) {
        return pathMtu.lower(0, TransportAddresses.mappedLo(dst), mtu, linkMtuFor(dst));
    }

    /** Path MTU estimates, keyed by IPv4-mapped address (loop thread). */
    public PathMtuCache pathMtu() {
        return pathMtu;
    }

    private Route route(int dst) {
        if (dst == -1) {
            return interfaces.isEmpty() ? null : new Route(-1, 32, 0, interfaces.get(0));
        }
        return routes.lookup(dst);
    }

    /**
     * Sends a datagram. Its transport header and payload are {@code buf[off, off+len)}, with at
     * least {@link #TRANSPORT_OFFSET} bytes of room before {@code off} (use {@link #txBuffer()}).
     *
     * @param src 0 to use the address of the outgoing interface
     * @return false if it was dropped here (no route, too big with DF); the reason is counted
     */
    public boolean send(int src, int dst, int protocol, int tos, boolean dontFragment, byte[] buf, int off, int len) {
        Route r = route(dst);
        if (r == null) {
            txNoRoute.inc();
            return false;
        }
        NetInterface ni = r.iface();
        if (src == 0) {
            src = ni.address();
        }
        int total = Ipv4Packet.MIN_HEADER_LENGTH + len;
        if (total > MAX_DATAGRAM) {
            throw new IllegalArgumentException("datagram of " + total + " bytes exceeds the IPv4 maximum of 65535");
        }
        int id = ids.next(src, dst, protocol, 1);
        int ipOff = off - Ipv4Packet.MIN_HEADER_LENGTH;
        if (isLocalAddress(dst)) {
            Ipv4Packet.writeHeader(buf, ipOff, ipHeader.tos(tos).totalLength(total)
                    .identification(id).flagsAndOffset(dontFragment ? Ipv4Packet.FLAG_DF : 0)
                    .ttl(config.ttl()).protocol(protocol).addresses(src, dst));
            txPackets.inc();
            loopBack(ni, buf, ipOff, total);
            return true;
        }
        int nextHop = r.nextHop(dst);
        if (total <= ni.mtu()) {
            Ipv4Packet.writeHeader(buf, ipOff, ipHeader.tos(tos).totalLength(total)
                    .identification(id).flagsAndOffset(dontFragment ? Ipv4Packet.FLAG_DF : 0)
                    .ttl(config.ttl()).protocol(protocol).addresses(src, dst));
            txPackets.inc();
            if (buf == tx) {
                tx = ni.outputExchanging(nextHop, buf, ipOff, total); // ours to hand over
            } else {
                ni.output(nextHop, buf, ipOff, total);
            }
            return true;
        }
        if (dontFragment) {
            txTooBig.inc();
            // As a router on the way would (RFC 1191 §4), tell the sender the MTU — on the next
            // loop turn, out of its send: a connection whose MSS predates a smaller MTU learns it.
            byte[] quote = java.util.Arrays.copyOfRange(buf, ipOff, ipOff + Ipv4Packet.MIN_HEADER_LENGTH + Math.min(len, 8));
            Ipv4Packet.writeHeader(quote, 0, ipHeader.tos(tos).totalLength(total).identification(id)
                    .flagsAndOffset(Ipv4Packet.FLAG_DF).ttl(config.ttl()).protocol(protocol).addresses(src, dst));
            int mtu = ni.mtu();
            loop.execute(() -> icmp.localError(IcmpMessage.TYPE_DEST_UNREACHABLE, IcmpMessage.CODE_FRAGMENTATION_NEEDED, mtu,
                    ni.address(), quote, 0, quote.length));
            return false;
        }
        // RFC 791 §3.2 fragmentation: every fragment but the last carries a multiple of 8 bytes.
        int chunk = (ni.mtu() - Ipv4Packet.MIN_HEADER_LENGTH) & ~7;
        txPackets.inc();
        for (int done = 0; done < len; done += chunk) {
            int n = Math.min(chunk, len - done);
            boolean more = done + n < len;
            System.arraycopy(buf, off + done, fragment, TRANSPORT_OFFSET, n);
            int flags = (more ? Ipv4Packet.FLAG_MF : 0) | (done >>> 3);
            Ipv4Packet.writeHeader(fragment, TRANSPORT_OFFSET - Ipv4Packet.MIN_HEADER_LENGTH,
                    ipHeader.tos(tos).totalLength(Ipv4Packet.MIN_HEADER_LENGTH + n)
                    .identification(id).flagsAndOffset(flags)
                    .ttl(config.ttl()).protocol(protocol).addresses(src, dst));
            txFragments.inc();
            ni.output(nextHop, fragment, TRANSPORT_OFFSET - Ipv4Packet.MIN_HEADER_LENGTH, Ipv4Packet.MIN_HEADER_LENGTH + n);
        }
        return true;
    }

    /**
     * Sends a datagram built like one for {@link #send} (no fragmentation, DF clear) whose transport checksum field, at {@code checksumOffset} of the transport header,
     * holds only the pseudo-header sum: the device completes it, and with {@code segmentSize > 0}
     * cuts the datagram (a TCP super-segment, possibly larger than the MTU) into segments of that
     * many payload bytes. Only as {@link #offloadsFor} allows; where the way out has no offloads
     * (our own address) the checksum is completed here. {@code tos}: the TOS byte of every segment.
     */
    public boolean sendOffloaded(int src, int dst, int protocol, int tos, byte[] buf, int off, int len,
                                 int checksumOffset, int segmentSize) {
        return sendOffloaded(src, dst, protocol, tos, false, buf, off, len, checksumOffset, segmentSize);
    }

    /** Like {@link #sendOffloaded(int, int, int, int, byte[], int, int, int, int)}, with DF set on every segment if {@code dontFragment}. */
    public boolean sendOffloaded(int src, int dst, int protocol, int tos, boolean dontFragment, byte[] buf, int off, int len,
                                 int checksumOffset, int segmentSize) {
        Route r = route(dst);
        if (r == null) {
            txNoRoute.inc();
            return false;
        }
        NetInterface ni = r.iface();
        int total = Ipv4Packet.MIN_HEADER_LENGTH + len;
        LinkOffloads o = ni.device().offloads();
        if (isLocalAddress(dst) || !o.txChecksum() || (total > ni.mtu() && (segmentSize == 0 || total > o.txSegmentation()))) {
            Checksum.finishPartial(buf, off, len, checksumOffset);
            return send(src, dst, protocol, tos, dontFragment, buf, off, len);
        }
        if (src == 0) {
            src = ni.address();
        }
        int ipOff = off - Ipv4Packet.MIN_HEADER_LENGTH;
        int segments = total > ni.mtu() && segmentSize > 0 ? (len + segmentSize - 1) / segmentSize : 1;
        Ipv4Packet.writeHeader(buf, ipOff, ipHeader.tos(tos).totalLength(total)
                .identification(ids.next(src, dst, protocol, segments)).flagsAndOffset(dontFragment ? Ipv4Packet.FLAG_DF : 0)
                .ttl(config.ttl()).protocol(protocol).addresses(src, dst));
        txPackets.inc();
        ni.outputOffloaded(r.nextHop(dst), buf, ipOff, total, checksumOffset, total > ni.mtu() ? segmentSize : 0);
        return true;
    }

    /** A datagram to one of our own addresses: delivered on the next loop turn, like a loopback device. */
    private void loopBack(NetInterface ni, byte[] buf, int ipOff, int total) {
        txLoopback.inc();
        byte[] copy = java.util.Arrays.copyOfRange(buf, ipOff, ipOff + total);
        loop.execute(() -> input(ni, copy, 0, copy.length, true, false));
    }

    /** An IPv4 packet from {@code ni}: {@code buf[off, off+len)} (len may include link padding). */
    void input(NetInterface ni, byte[] buf, int off, int len) {
        input(ni, buf, off, len, false, false);
    }

    /** An IPv4 packet from {@code ni} with the device's frame flags. */
    void input(NetInterface ni, byte[] buf, int off, int len, int frameFlags) {
        input(ni, buf, off, len, false, (frameFlags & FrameHandler.RX_CHECKSUM_VERIFIED) != 0);
    }

    /** {@code checksumVerified}: the device vouched for the transport checksum (passed up with the datagram). */
    private void input(NetInterface ni, byte[] buf, int off, int len, boolean looped, boolean checksumVerified) {
        rxPackets.inc();
        Ipv4Packet ip = rxView.wrap(buf, off, len);
        Malformed m = ip.check();
        if (m != null) {
            rxMalformed[m.ordinal()].inc();
            return;
        }
        int dst = ip.destination();
        int src = ip.source();
        if (!ni.accepts(dst) && !isLocalAddress(dst) && !(acceptAnyDestination && !Ipv4Address.isMulticast(dst))) {
            rxNotForUs.inc();
            return;
        }
        if (isInvalidSource(ni, src) || (!looped && isLocalAddress(src))) {
            // A frame from the wire claiming one of our own addresses is spoofed or a loop
            // (RFC 1812 §5.3.7 calls such sources martian); answering it would talk to ourselves.
            rxBadSource.inc();
            return;
        }
        len = ip.totalLength(); // trim link-layer padding
        if (ip.isFragment()) {
            reassembly.add(ni, ip, buf, off, len); // the reassembled datagram is checked as a whole
            return;
        }
        deliver(ni, ip, buf, off, checksumVerified);
    }

    /**
     * RFC 1122 §3.2.1.3: a datagram whose source is broadcast, multicast, Class E (240/4), or
     * loopback (127/8, which "MUST NOT appear outside a host" — so only a loopback interface
     * accepts it) is silently discarded. Answering such a source with ICMP would break §3.2.2.
     */
    private static boolean isInvalidSource(NetInterface ni, int src) {
        boolean loopbackNet = (src >>> 24) == 127;
        return src == -1 || Ipv4Address.isMulticast(src) || (src >>> 28) == 0xF
                || (loopbackNet && (ni.address() >>> 24) != 127)
                || (ni.prefixLength() < 31 && ni.address() != 0 && src == ni.broadcastAddress());
    }

    /** Hands a whole datagram (its header viewed by {@code ip}) to its transport. */
    void deliver(NetInterface ni, Ipv4Packet ip, byte[] buf, int off, boolean checksumVerified) {
        int proto = ip.protocol();
        int tOff = ip.payloadOffset();
        int tLen = ip.payloadLength();
        if (proto == Ipv4Packet.PROTO_ICMP) {
            rxDelivered.inc();
            icmp.input(ni, ip, buf, tOff, tLen);
            return;
        }
        IpProtocolHandler h = protocols[proto];
        if (h == null) {
            rxUnknownProtocol.inc();
            icmp.sendError(ni, IcmpMessage.TYPE_DEST_UNREACHABLE, IcmpMessage.CODE_PROTOCOL_UNREACHABLE, 0, buf, off, ip.totalLength());
            return;
        }
        rxDelivered.inc();
        h.input(ni, ip, buf, tOff, tLen, checksumVerified);
    }
}
