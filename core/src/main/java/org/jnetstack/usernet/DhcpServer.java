package org.jnetstack.usernet;

import org.jnetstack.internal.LongMap;
import org.jnetstack.link.VirtualSwitch;
import org.jnetstack.stats.Counter;
import org.jnetstack.udp.UdpEndpoint;
import org.jnetstack.wire.DhcpMalformed;
import org.jnetstack.wire.DhcpMessage;
import org.jnetstack.wire.DhcpWriter;
import org.jnetstack.wire.Ipv4Address;
import org.jnetstack.wire.MacAddress;

/**
 * The gateway's DHCP server (RFC 2131), as small as QEMU's: it hands the first client the
 * configured guest address and the next clients the addresses after it (16 at most), with
 * the gateway as router and the DNS forwarder as name server. Leases are remembered by MAC for
 * the gateway's life, so a guest that restarts gets its address again — unless the pool, or its
 * port's share, is used up and its machine is gone (see below): then its address goes to the
 * client that asks.
 *
 * <p>The pool is shared by every machine on the gateway's switch, so a client must be a station
 * the switch has seen (its hardware address the source of a frame, which {@link StationGuard}
 * lets an outside machine have only a few of), and one switch port gets at most
 * {@link #LEASES_PER_PORT} leases: one machine cannot empty the pool with made-up client
 * addresses ({@code usernet.dhcp.drop.unknown_client}, {@code usernet.dhcp.drop.port_limit}).
 *
 * <p>Replies are broadcast (RFC 2131 §4.1: a client without an address may not be able to
 * take a unicast IP datagram before it has one), except to a client that renews from its
 * address (ciaddr set), which is answered there.
 */
final class DhcpServer {
    /** Leases handed out at most. */
    static final int POOL_SIZE = 16;
    /** Lease time: a day, as QEMU. Renewal at half (RFC 2131 §4.4.5 T1), rebinding at 7/8 (T2). */
    static final int LEASE_SECONDS = 86400;
    /** Leases the machines behind one switch port may hold together. */
    static final int LEASES_PER_PORT = 4;

    private final UserNet gw;
    private final UdpEndpoint endpoint;
    private final DhcpMessage in = new DhcpMessage();
    private final DhcpWriter out = new DhcpWriter();
    private final byte[] reply = new byte[576];
    private final VirtualSwitch link;
    private final java.util.function.LongPredicate present;
    private final LongMap<Integer> leases = new LongMap<>();
    /** The client holding each pool address (index: address minus the first), -1 for none: looked up per frame, so no map. */
    private final long[] holders = new long[POOL_SIZE];
    private final Counter offers;
    private final Counter acks;
    private final Counter naks;
    private final Counter malformed;
    private final Counter poolExhausted;
    private final Counter unknownClient;
    private final Counter portLimit;
    private final Counter reclaimed;

    /**
     * {@code link}: the switch whose stations may ask; {@code present}: whether a client's machine
     * is still there (a lease of one that is not may go to another client when the pool or the
     * port's share is used up).
     */
    DhcpServer(UserNet gw, VirtualSwitch link, java.util.function.LongPredicate present) {
        this.gw = gw;
        this.link = link;
        this.present = present;
        var c = gw.counters();
        offers = c.counter("usernet.dhcp.offers");
        acks = c.counter("usernet.dhcp.acks");
        naks = c.counter("usernet.dhcp.naks");
        malformed = c.counter("usernet.dhcp.drop.malformed");
        poolExhausted = c.counter("usernet.dhcp.drop.pool_exhausted");
        unknownClient = c.counter("usernet.dhcp.drop.unknown_client");
        portLimit = c.counter("usernet.dhcp.drop.port_limit");
        reclaimed = c.counter("usernet.dhcp.reclaimed");
        java.util.Arrays.fill(holders, -1);
        endpoint = gw.stack().udp().open(0, DhcpMessage.SERVER_PORT, (ep, srcIp, srcPort, buf, off, len) -> input(buf, off, len));
    }

    /** The client holding a lease of {@code address}, or -1. Loop thread; allocates nothing. */
    long holderOf(int address) {
        int i = address - gw.config().guest().bits();
        return i >= 0 && i < POOL_SIZE ? holders[i] : -1;
    }

    /** The address leased to {@code mac}, or 0. Loop thread. */
    int leaseOf(long mac) {
        Integer a = leases.get(mac);
        return a == null ? 0 : a;
    }

    private void input(byte[] buf, int off, int len) {
        DhcpMalformed m = in.wrap(buf, off, len).check();
        if (m != null || in.op() != DhcpMessage.OP_REQUEST || in.hardwareType() != DhcpMessage.HTYPE_ETHERNET) {
            malformed.inc();
            return;
        }
        long mac = in.clientMac();
        switch (in.messageType()) {
            case DhcpMessage.DISCOVER -> {
                int a = allocate(mac);
                if (a != 0) {
                    offers.inc();
                    send(DhcpMessage.OFFER, a);
                }
            }
            case DhcpMessage.REQUEST -> {
                int wanted = in.has(DhcpMessage.OPT_REQUESTED_ADDRESS) ? in.address(DhcpMessage.OPT_REQUESTED_ADDRESS) : in.ciaddr();
                int serverId = in.address(DhcpMessage.OPT_SERVER_ID);
                if (serverId != 0 && serverId != gw.config().gateway().bits()) {
                    return; // RFC 2131 §4.3.2: the client chose another server
                }
                int a = allocate(mac);
                if (a != 0 && (wanted == 0 || wanted == a)) {
                    acks.inc();
                    send(DhcpMessage.ACK, a);
                } else {
                    naks.inc();
                    send(DhcpMessage.NAK, 0);
                }
            }
            case DhcpMessage.INFORM -> {
                acks.inc();
                send(DhcpMessage.ACK, 0);
            }
            case DhcpMessage.RELEASE -> {
                Integer a = leases.remove(mac);
                if (a != null) {
                    holders[a - gw.config().guest().bits()] = -1;
                }
            }
            default -> {
                // DECLINE (the address is in use by someone else: nothing better to offer) and
                // server-to-client types are ignored.
            }
        }
    }

    /**
     * The client's lease, or the first free pool address; 0 when the pool is exhausted, the
     * client is no station of the switch, or its port has all the leases it may have.
     */
    private int allocate(long mac) {
        Integer have = leases.get(mac);
        if (have != null) {
            return have;
        }
        VirtualSwitch.Port port = link.portOf(new MacAddress(mac));
        if (port == null) {
            unknownClient.inc();
            return 0;
        }
        int held = 0;
        for (long other : holders) {
            if (other != -1 && link.portOf(new MacAddress(other)) == port) {
                held++;
            }
        }
        if (held >= LEASES_PER_PORT && !reclaim(port)) {
            portLimit.inc();
            return 0;
        }
        int a = firstFree();
        if (a == 0 && reclaim(null)) {
            a = firstFree();
        }
        if (a == 0) {
            poolExhausted.inc();
            return 0;
        }
        leases.put(mac, a);
        holders[a - gw.config().guest().bits()] = mac;
        return a;
    }

    /** The first pool address nobody holds, or 0. */
    private int firstFree() {
        int first = gw.config().guest().bits();
        int broadcast = gw.config().network().bits() | ~Ipv4Address.mask(gw.config().prefixLength());
        for (int i = 0; i < POOL_SIZE && first + i != broadcast; i++) {
            int a = first + i;
            if (holders[i] == -1 && a != gw.config().gateway().bits() && a != gw.config().dns().bits()) {
                return a;
            }
        }
        return 0;
    }

    /**
     * Forgets one lease of a client that is gone (behind {@code port}, or any port when null): its
     * machine disconnected, or its port closed. Returns whether there was one.
     */
    private boolean reclaim(VirtualSwitch.Port port) {
        for (int i = 0; i < POOL_SIZE; i++) {
            long mac = holders[i];
            if (mac != -1 && (port == null || link.portOf(new MacAddress(mac)) == port) && !present.test(mac)) {
                leases.remove(mac);
                holders[i] = -1;
                reclaimed.inc();
                return true;
            }
        }
        return false;
    }

    private void send(int type, int address) {
        UserNetConfig cfg = gw.config();
        int mask = Ipv4Address.mask(cfg.prefixLength());
        out.start(reply, 0, DhcpMessage.OP_REPLY, in.xid(), in.clientMac())
                .flags(in.flags())
                .ciaddr(type == DhcpMessage.ACK && address == 0 ? in.ciaddr() : 0)
                .yiaddr(address)
                .siaddr(cfg.gateway().bits())
                .messageType(type)
                .address(DhcpMessage.OPT_SERVER_ID, cfg.gateway().bits());
        if (type != DhcpMessage.NAK) {
            out.address(DhcpMessage.OPT_SUBNET_MASK, mask)
                    .address(DhcpMessage.OPT_ROUTER, cfg.gateway().bits())
                    .address(DhcpMessage.OPT_DNS_SERVERS, cfg.dns().bits())
                    .address(DhcpMessage.OPT_BROADCAST_ADDRESS, cfg.network().bits() | ~mask)
                    .optionU16(DhcpMessage.OPT_INTERFACE_MTU, cfg.mtu());
            if (address != 0) {
                out.optionU32(DhcpMessage.OPT_LEASE_TIME, LEASE_SECONDS)
                        .optionU32(DhcpMessage.OPT_RENEWAL_TIME, LEASE_SECONDS / 2)
                        .optionU32(DhcpMessage.OPT_REBINDING_TIME, LEASE_SECONDS / 8 * 7);
            }
        }
        int n = out.finish();
        int ciaddr = in.ciaddr();
        int dst = ciaddr != 0 && type != DhcpMessage.NAK ? ciaddr : -1;
        endpoint.send(dst, DhcpMessage.CLIENT_PORT, reply, 0, n);
    }

    void close() {
        endpoint.close();
    }
}
