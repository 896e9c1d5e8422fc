package org.jnetstack.ip;

import org.jnetstack.link.DeviceAttachment;
import org.jnetstack.link.FrameHandler;
import org.jnetstack.link.LinkDevice;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.stats.Counter;
import org.jnetstack.stats.Counters;
import org.jnetstack.wire.ArpPacket;
import org.jnetstack.wire.Checksum;
import org.jnetstack.wire.EthernetFrame;
import org.jnetstack.wire.Ipv4Address;
import org.jnetstack.wire.Ipv4Packet;
import org.jnetstack.wire.MacAddress;
import org.jnetstack.wire.Malformed;

/**
 * One network interface: a link device with our MAC, an IPv4 address and prefix, and its
 * neighbour (ARP) table. Demultiplexes received Ethernet frames and puts Ethernet headers on
 * outgoing IPv4 packets.
 */
public final class NetInterface {
    private final String name;
    private final Ipv4 ip;
    private final LinkDevice device;
    private final long mac;
    private int mtu;
    private int address;
    private int prefixLength;
    private final Neighbors neighbors;
    private EventLoop.Attachment attachment;
    private int[] proxyArp = new int[0];
    private LinkProtocolHandler ipv6;

    private final EthernetFrame eth = new EthernetFrame();
    private final Counter rxFrames;
    private final Counter rxNotForUs;
    private final Counter rxUnknownType;
    private final Counter rxDropVlan;
    private final Counter rxDropTruncated;
    private final Counter txFrames;
    private final Counter txDropped;
    private final Counter txUnresolvedSuperSegment;

    NetInterface(String name, Ipv4 ip, LinkDevice device, long mac, int mtu, Counters counters) {
        this.name = name;
        this.ip = ip;
        this.device = device;
        this.mac = mac;
        this.mtu = mtu;
        String p = "eth.";
        rxFrames = counters.counter(p + "rx.frames");
        rxDropTruncated = counters.counter(p + "rx.drop." + Malformed.TRUNCATED.id());
        rxDropVlan = counters.counter(p + "rx.drop." + Malformed.VLAN_TAGGED.id());
        rxNotForUs = counters.counter(p + "rx.drop.not_for_us");
        rxUnknownType = counters.counter(p + "rx.drop.unknown_type");
        txFrames = counters.counter(p + "tx.frames");
        txDropped = counters.counter(p + "tx.drop.device");
        txUnresolvedSuperSegment = counters.counter(p + "tx.drop.super_segment_unresolved");
        this.neighbors = new Neighbors(this, ip, counters);
    }

    /** Frames from the device, with the device's flags (an offloading TAP vouches for checksums). */
    private final FrameHandler frames = new FrameHandler() {
        @Override
        public void onFrame(byte[] buf, int off, int len) {
            NetInterface.this.onFrame(buf, off, len, 0);
        }

        @Override
        public void onFrame(byte[] buf, int off, int len, int flags) {
            NetInterface.this.onFrame(buf, off, len, flags);
        }
    };

    void attach(EventLoop loop) {
        attachment = DeviceAttachment.attach(loop, device, frames);
    }

    void detach(EventLoop loop) {
        neighbors.clear();
        if (attachment != null) {
            loop.detach(attachment);
            attachment = null;
        }
    }

    public String name() {
        return name;
    }

    public LinkDevice device() {
        return device;
    }

    public MacAddress mac() {
        return new MacAddress(mac);
    }

    /** Our MAC as the 48 low bits of a long (as {@link MacAddress#bits()}). */
    public long macBits() {
        return mac;
    }

    /**
     * Where IPv6 frames (EtherType 0x86DD) received on this interface go; null (the default)
     * drops them as an unknown type. Set by the stack that builds the IPv6 layer. Loop thread.
     */
    public void setIpv6Handler(LinkProtocolHandler handler) {
        this.ipv6 = handler;
    }

    /** Largest IPv4 datagram sent unfragmented on this interface. */
    public int mtu() {
        return mtu;
    }

    /** Changes the MTU (a DHCP server's option 26); connections already open keep their MSS. */
    void setMtu(int mtu) {
        this.mtu = mtu;
    }

    public int address() {
        return address;
    }

    public int prefixLength() {
        return prefixLength;
    }

    public int netmask() {
        return Ipv4Address.mask(prefixLength);
    }

    /** The subnet-directed broadcast address, or -1 (limited broadcast) for a /31 or /32. */
    public int broadcastAddress() {
        return prefixLength >= 31 ? -1 : address | ~netmask();
    }

    public Neighbors neighbors() {
        return neighbors;
    }

    void setAddress(int address, int prefixLength) {
        Ipv4Address.mask(prefixLength); // validates
        this.address = address;
        this.prefixLength = prefixLength;
        if (address != 0) {
            neighbors.announce();
        }
    }

    /**
     * Answers ARP requests for {@code address} with this interface's MAC (proxy ARP, RFC 1027):
     * for a gateway that stands in for an on-link address it serves without owning it (the
     * user-mode gateway's DNS forwarder). Datagrams to it then arrive here and are delivered
     * only if the IP layer accepts them ({@link Ipv4#setAcceptAnyDestination}). Loop thread.
     */
    public void addProxyArp(int address) {
        int[] now = java.util.Arrays.copyOf(proxyArp, proxyArp.length + 1);
        now[proxyArp.length] = address;
        proxyArp = now;
    }

    boolean isProxyArp(int address) {
        for (int a : proxyArp) {
            if (a == address && a != 0) {
                return true;
            }
        }
        return false;
    }

    /** True if {@code dst} is addressed to this interface: ours, or a broadcast on its subnet. */
    boolean accepts(int dst) {
        return dst == address || dst == -1 || (prefixLength < 31 && dst == broadcastAddress())
                || address == 0; // unconfigured (DHCP): take everything for now
    }

    /** True for the limited broadcast or this interface's subnet broadcast. */
    public boolean isBroadcast(int dst) {
        return dst == -1 || (prefixLength < 31 && address != 0 && dst == broadcastAddress());
    }

    private void onFrame(byte[] buf, int off, int len, int flags) {
        rxFrames.inc();
        Malformed m = eth.wrap(buf, off, len).check();
        if (m != null) {
            (m == Malformed.VLAN_TAGGED ? rxDropVlan : rxDropTruncated).inc();
            return;
        }
        long dst = eth.destination();
        if (dst != mac && !MacAddress.isMulticast(dst)) {
            rxNotForUs.inc();
            return;
        }
        int type = eth.etherType();
        if (type == EthernetFrame.TYPE_IPV4) {
            ip.input(this, buf, eth.payloadOffset(), eth.payloadLength(), flags);
        } else if (type == EthernetFrame.TYPE_ARP) {
            neighbors.input(buf, eth.payloadOffset(), eth.payloadLength());
        } else if (type == EthernetFrame.TYPE_IPV6 && ipv6 != null) {
            ipv6.input(this, buf, eth.payloadOffset(), eth.payloadLength(), eth.source(), flags);
        } else {
            rxUnknownType.inc();
        }
    }

    /**
     * Sends the IPv4 packet at {@code buf[ipOff, ipOff+ipLen)} to {@code nextHop}; there must be
     * {@link EthernetFrame#HEADER_LENGTH} bytes of room before {@code ipOff}.
     */
    void output(int nextHop, byte[] buf, int ipOff, int ipLen) {
        long dstMac = destinationMac(nextHop, buf, ipOff, ipLen);
        if (dstMac >= 0) {
            sendFrame(dstMac, EthernetFrame.TYPE_IPV4, buf, ipOff, ipLen);
        }
    }

    /**
     * Like {@link #output}, for a buffer the caller owns and hands over: the device may keep it
     * ({@link LinkDevice#sendExchanging}). Returns the buffer the caller owns afterwards — {@code buf},
     * or the one the device gave in exchange.
     */
    byte[] outputExchanging(int nextHop, byte[] buf, int ipOff, int ipLen) {
        long dstMac = destinationMac(nextHop, buf, ipOff, ipLen);
        return dstMac < 0 ? buf : sendFrameExchanging(dstMac, EthernetFrame.TYPE_IPV4, buf, ipOff, ipLen);
    }

    /** The Ethernet destination for {@code nextHop}, or -1 when the packet was held for ARP resolution (copied). */
    private long destinationMac(int nextHop, byte[] buf, int ipOff, int ipLen) {
        if (isBroadcast(nextHop)) {
            return MacAddress.BROADCAST.bits();
        }
        if (Ipv4Address.isMulticast(nextHop)) {
            // RFC 1112 §6.4: 01-00-5E plus the low 23 bits of the group.
            return 0x01005E000000L | (nextHop & 0x7FFFFF);
        }
        long dstMac = neighbors.lookup(nextHop);
        if (dstMac < 0) {
            neighbors.resolveAndHold(nextHop, buf, ipOff, ipLen);
        }
        return dstMac;
    }

    /**
     * Like {@link #output} for a datagram whose transport checksum the device completes (the field
     * at {@code checksumOffset} of the transport header, which starts right after a 20-byte IPv4
     * header, holds the pseudo-header sum) and, with {@code segmentSize > 0}, cuts into segments.
     */
    void outputOffloaded(int nextHop, byte[] buf, int ipOff, int ipLen, int checksumOffset, int segmentSize) {
        long dstMac = neighbors.lookup(nextHop);
        int transportOff = ipOff + Ipv4Packet.MIN_HEADER_LENGTH;
        if (dstMac < 0) {
            // Held frames go out later through the plain path: finish the checksum now; a
            // super-segment cannot be held (it is bigger than the MTU) and TCP will send it again.
            Checksum.finishPartial(buf, transportOff, ipOff + ipLen - transportOff, checksumOffset);
            if (segmentSize == 0 && ipLen <= mtu) {
                neighbors.resolveAndHold(nextHop, buf, ipOff, ipLen);
            } else {
                txUnresolvedSuperSegment.inc();
                neighbors.resolve(nextHop);
            }
            return;
        }
        int frameOff = ipOff - EthernetFrame.HEADER_LENGTH;
        EthernetFrame.write(buf, frameOff, dstMac, mac, EthernetFrame.TYPE_IPV4);
        int checksumStart = EthernetFrame.HEADER_LENGTH + Ipv4Packet.MIN_HEADER_LENGTH;
        if (device.sendOffloaded(buf, frameOff, ipLen + EthernetFrame.HEADER_LENGTH, checksumStart, checksumOffset, segmentSize)) {
            txFrames.inc();
        } else {
            txDropped.inc();
        }
    }

    /**
     * Writes the Ethernet header (to {@code dstMac}, from our MAC, {@code etherType}) into the
     * {@link EthernetFrame#HEADER_LENGTH} bytes before {@code payloadOff} and hands the frame to
     * the device; nothing is allocated. A refused frame is counted ({@code eth.tx.drop.device}).
     */
    public void sendFrame(long dstMac, int etherType, byte[] buf, int payloadOff, int payloadLen) {
        int frameOff = payloadOff - EthernetFrame.HEADER_LENGTH;
        EthernetFrame.write(buf, frameOff, dstMac, mac, etherType);
        if (device.send(buf, frameOff, payloadLen + EthernetFrame.HEADER_LENGTH)) {
            txFrames.inc();
        } else {
            txDropped.inc();
        }
    }

    /**
     * As {@link #sendFrame} for a packet whose transport checksum the device completes (the field
     * at {@code checksumOffset} of the transport header, {@code transportOffset} bytes into the
     * payload, holds the pseudo-header sum) and, with {@code segmentSize > 0}, cuts into segments
     * ({@link LinkDevice#sendOffloaded}). Only as the device's {@link LinkDevice#offloads()} allow.
     */
    public void sendFrameOffloaded(long dstMac, int etherType, byte[] buf, int payloadOff, int payloadLen, int transportOffset,
                                   int checksumOffset, int segmentSize) {
        int frameOff = payloadOff - EthernetFrame.HEADER_LENGTH;
        EthernetFrame.write(buf, frameOff, dstMac, mac, etherType);
        if (device.sendOffloaded(buf, frameOff, payloadLen + EthernetFrame.HEADER_LENGTH,
                EthernetFrame.HEADER_LENGTH + transportOffset, checksumOffset, segmentSize)) {
            txFrames.inc();
        } else {
            txDropped.inc();
        }
    }

    /**
     * As {@link #sendFrame}, but the device may keep {@code buf} ({@link LinkDevice#sendExchanging}):
     * returns the buffer the caller owns afterwards, {@code buf} or a replacement at least as large.
     */
    public byte[] sendFrameExchanging(long dstMac, int etherType, byte[] buf, int payloadOff, int payloadLen) {
        int frameOff = payloadOff - EthernetFrame.HEADER_LENGTH;
        EthernetFrame.write(buf, frameOff, dstMac, mac, etherType);
        byte[] owned = device.sendExchanging(buf, frameOff, payloadLen + EthernetFrame.HEADER_LENGTH);
        if (owned == null) {
            txDropped.inc();
            return buf;
        }
        txFrames.inc();
        return owned;
    }

    /** Scratch buffer for ARP frames (never shared with IP output, which may be in progress). */
    private final byte[] arpBuf = new byte[EthernetFrame.HEADER_LENGTH + 64];

    void sendArp(long dstMac, int op, long targetMac, int senderIp, int targetIp) {
        int len = ArpPacket.write(arpBuf, EthernetFrame.HEADER_LENGTH, op, mac, senderIp, targetMac, targetIp);
        // Pad to the 60-byte Ethernet minimum (the device or kernel would otherwise pad for us).
        java.util.Arrays.fill(arpBuf, EthernetFrame.HEADER_LENGTH + len, EthernetFrame.HEADER_LENGTH + 46, (byte) 0);
        sendFrame(dstMac, EthernetFrame.TYPE_ARP, arpBuf, EthernetFrame.HEADER_LENGTH, Math.max(len, 46));
    }

    EventLoop loop() {
        return ip.loop();
    }

    @Override
    public String toString() {
        return name + " " + MacAddress.format(mac) + " " + Ipv4Address.format(address) + "/" + prefixLength + " mtu " + mtu;
    }
}
