package org.jnetstack.usernet;

import org.jnetstack.internal.LongMap;
import org.jnetstack.link.ForwardingDevice;
import org.jnetstack.link.FrameHandler;
import org.jnetstack.link.LinkDevice;
import org.jnetstack.link.LinkOffloads;
import org.jnetstack.link.StreamDevice;
import org.jnetstack.stats.Counter;
import org.jnetstack.wire.ArpPacket;
import org.jnetstack.wire.Bytes;
import org.jnetstack.wire.EthernetFrame;
import org.jnetstack.wire.Ipv4Packet;
import org.jnetstack.wire.MacAddress;

/**
 * Port security for the machines outside the gateway's JVM (a QEMU guest, a namespace's TAP),
 * between each such device and its switch port. The switch learns whatever source address a
 * frame carries, so without this one guest could take another's address, or the gateway's, with
 * a single frame (the switch would then send it their traffic), or fill the switch's address
 * table with made-up addresses (later stations are then never learned and their frames are
 * flooded to every port, the attacker's too). Here each station address belongs to the first
 * port that sends from it, until that port closes: a frame from an address another port owns
 * is dropped, and a port owns at most {@link #STATIONS_PER_PORT} addresses; frames from more
 * are dropped ({@code usernet.switch.drop.foreign_source}, {@code usernet.switch.drop.too_many_stations}).
 * Group (multicast) source addresses pass: the switch never learns them. A {@link StreamDevice}
 * serves one guest after another (a restarted QEMU may come with another address): a new
 * connection starts with no addresses owned.
 *
 * <p>IPv4 addresses likewise: the gateway's own (its address and the DNS address) and each one
 * DHCP leased belong to the station that holds them, so a frame that claims one of them as its
 * sender (an ARP sender address, an IPv4 source) from another port is dropped
 * ({@code usernet.switch.drop.foreign_address}): without this one gratuitous ARP would make the
 * gateway send a guest's NAT replies to another guest, or the other guests send everything meant
 * for the gateway to it (RFC 826's merge updates an existing entry from any ARP packet). Loop
 * thread only.
 *
 * <p>Nor may an outside machine speak for the gateway ({@link GatewayOnlyFrames}): DHCP server
 * messages, IPv6 router advertisements and redirects, and IPv6 claims of the gateway's addresses
 * are dropped ({@code usernet.switch.drop.gateway_only}).
 */
final class StationGuard extends ForwardingDevice {
    /** Station addresses one outside machine may send from: a guest has one per NIC, a few for nested bridges. */
    static final int STATIONS_PER_PORT = 16;

    /** Which port owns which station address; one per gateway, shared by its guards. */
    static final class Owners {
        private final LongMap<Object> owner = new LongMap<>();
        /** The station an IPv4 address belongs to, or -1 for none. */
        private final java.util.function.IntToLongFunction addressHolder;
        private final GatewayOnlyFrames.Addresses gateway;
        private final Counter foreign;
        private final Counter tooMany;
        private final Counter foreignAddress;
        private final Counter gatewayOnly;

        /** {@code counters}: the gateway stack's, where the drops are counted. */
        Owners(java.util.function.IntToLongFunction addressHolder, GatewayOnlyFrames.Addresses gateway,
               org.jnetstack.stats.Counters counters) {
            this.addressHolder = addressHolder;
            this.gateway = gateway;
            this.foreign = counters.counter("usernet.switch.drop.foreign_source");
            this.tooMany = counters.counter("usernet.switch.drop.too_many_stations");
            this.foreignAddress = counters.counter("usernet.switch.drop.foreign_address");
            this.gatewayOnly = counters.counter("usernet.switch.drop.gateway_only");
        }

        /** Whether {@code port} may send from IPv4 address {@code address}: nobody else's station holds it. */
        private boolean mayUse(int address, StationGuard port) {
            long holder = addressHolder.applyAsLong(address);
            if (holder == -1) {
                return true;
            }
            Object o = owner.get(holder);
            if (o == null || o == port) {
                return true;
            }
            foreignAddress.inc();
            return false;
        }

        /** Whether some port owns {@code mac} now. */
        boolean isOwned(long mac) {
            return owner.get(mac) != null;
        }

        /** {@code mac} belongs to {@code who} for good (the gateway's own address). */
        void reserve(long mac, Object who) {
            owner.put(mac, who);
        }

        private boolean admit(long mac, StationGuard port) {
            Object o = owner.get(mac);
            if (o == port) {
                return true;
            }
            if (o != null) {
                foreign.inc();
                return false;
            }
            if (port.ownedCount >= STATIONS_PER_PORT) {
                tooMany.inc();
                return false;
            }
            owner.put(mac, port);
            port.owned[port.ownedCount++] = mac;
            return true;
        }

        private void release(StationGuard port) {
            for (int i = 0; i < port.ownedCount; i++) {
                if (owner.get(port.owned[i]) == port) {
                    owner.remove(port.owned[i]);
                }
            }
            port.ownedCount = 0;
        }
    }

    private final Owners owners;
    private final long[] owned = new long[STATIONS_PER_PORT];
    private int ownedCount;
    /** Connections a stream device has had (accepted, or made to its peer); null for other devices. */
    private final Counter accepted;
    private final Counter connected;
    private long connections;

    StationGuard(LinkDevice device, Owners owners) {
        super(device);
        this.owners = owners;
        if (device instanceof StreamDevice) {
            accepted = device.stats().counters().counter("conn.accepted");
            connected = device.stats().counters().counter("conn.connected");
        } else {
            accepted = null;
            connected = null;
        }
    }

    @Override
    protected void received(byte[] buf, int off, int len, FrameHandler up) {
        if (accepted != null && accepted.get() + connected.get() != connections) {
            connections = accepted.get() + connected.get();
            owners.release(this); // another guest on the stream now
        }
        if (len >= EthernetFrame.HEADER_LENGTH) {
            long src = MacAddress.read(buf, off + 6);
            if (!MacAddress.isMulticast(src) && !owners.admit(src, this)) {
                return;
            }
            int claimed = senderAddress(buf, off, len);
            if (claimed != 0 && !owners.mayUse(claimed, this)) {
                return;
            }
            if (GatewayOnlyFrames.test(buf, off, len, owners.gateway)) {
                owners.gatewayOnly.inc();
                return;
            }
        }
        up.onFrame(buf, off, len, rxFlags());
    }

    /** The IPv4 address a frame says it comes from: an ARP packet's sender address, an IPv4 source; 0 for none. */
    private static int senderAddress(byte[] buf, int off, int len) {
        int type = ((buf[off + 12] & 0xFF) << 8) | (buf[off + 13] & 0xFF);
        int at;
        if (type == EthernetFrame.TYPE_ARP && len >= EthernetFrame.HEADER_LENGTH + ArpPacket.LENGTH) {
            at = off + EthernetFrame.HEADER_LENGTH + 14; // RFC 826: hardware and protocol type and sizes, op, sender MAC
        } else if (type == EthernetFrame.TYPE_IPV4 && len >= EthernetFrame.HEADER_LENGTH + Ipv4Packet.MIN_HEADER_LENGTH) {
            at = off + EthernetFrame.HEADER_LENGTH + 12;
        } else {
            return 0;
        }
        return Bytes.i32(buf, at);
    }

    @Override
    public LinkOffloads offloads() {
        return inner.offloads();
    }

    @Override
    public boolean sendOffloaded(byte[] buf, int off, int len, int checksumStart, int checksumOffset, int segmentSize) {
        return inner.sendOffloaded(buf, off, len, checksumStart, checksumOffset, segmentSize);
    }

    @Override
    public void close() {
        owners.release(this);
        super.close();
    }
}
