package org.jnetstack.usernet;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.util.List;
import org.jnetstack.internal.LongMap;
import org.jnetstack.internal.SipHash;
import org.jnetstack.internal.TransportAddresses;
import org.jnetstack.loop.Timer;
import org.jnetstack.stats.Counter;
import org.jnetstack.udp.UdpCatchAll;
import org.jnetstack.wire.IcmpMessage;
import org.jnetstack.wire.Icmpv6Message;
import org.jnetstack.wire.Ipv4Header;
import org.jnetstack.wire.Ipv4Packet;
import org.jnetstack.wire.Ipv6Header;
import org.jnetstack.wire.Ipv6Packet;
import org.jnetstack.wire.UdpDatagram;

/**
 * Outbound UDP: each guest flow (guest port, destination address, destination port) gets a
 * host {@link DatagramChannel} connected to the destination; replies come back to the guest
 * from that destination. A flow's socket closes after {@link UserNetConfig#udpIdleTimeout()}
 * without traffic, or {@link #DNS_IDLE_NANOS} once a DNS query (destination port 53) has been
 * answered: a resolver sends each query from a new port, so at the general timeout a guest that
 * looks up more than 17 names a second would hold all {@link UserNetConfig#maxUdpFlows()} flows
 * with exchanges that are over, and its (and every other guest's) new flows would be dropped. Datagrams the host socket cannot take at once are dropped (UDP may lose;
 * queuing would only grow memory), and counted. A host port that refuses (the host's ICMP port
 * unreachable, which a connected channel reports as {@link PortUnreachableException}) is
 * reported to the guest the same way, so its socket fails at once instead of waiting for a
 * reply that never comes (RFC 1122 §4.1.3.3).
 *
 * <p>Over IPv6 alike (NAT66), addresses in the two-long form. A flow is keyed by a keyed hash of
 * its guest address and port and its destination address and port (a guest cannot choose flows
 * that collide), so machines behind one gateway that use the same port towards the same
 * destination each have their own flow; one flow table bound, {@link UserNetConfig#maxUdpFlows()},
 * covers both families.
 */
final class UdpNat {
    private static final System.Logger LOG = System.getLogger(UdpNat.class.getName());
    private static final int MAX_DATAGRAM = 65507;
    /** Datagrams read from one host socket per readiness, so one busy flow cannot hold the loop. */
    private static final int READ_BATCH = 64;
    /** How long a DNS flow lives on after an answer: room for the answer to a second query (A and AAAA) and late duplicates. */
    static final long DNS_IDLE_NANOS = 10_000_000_000L;

    private final UserNet gw;
    private final LongMap<Flow> flows = new LongMap<>();
    /** IPv6 flows; both tables keyed by {@link #key}. */
    private final LongMap<Flow> flows6 = new LongMap<>();
    private final SipHash keys;
    private final ByteBuffer buffer = ByteBuffer.allocate(MAX_DATAGRAM);
    private final Counter opened;
    private final Counter expired;
    private final Counter toHost;
    private final Counter toGuest;
    private final Counter dropped;
    private final Counter denied;
    private final Counter tooMany;
    private final Counter refused;
    /** The guest's datagram as the ICMP error quotes it: IP header and UDP header (RFC 792, RFC 4443 §3.1). */
    private final byte[] quote = new byte[Ipv4Packet.MIN_HEADER_LENGTH + UdpDatagram.HEADER_LENGTH];
    private final byte[] quote6 = new byte[Ipv6Packet.HEADER_LENGTH + UdpDatagram.HEADER_LENGTH];

    /** @param keys the secret hash the flow tables are keyed by */
    UdpNat(UserNet gw, SipHash keys) {
        this.gw = gw;
        this.keys = keys;
        var c = gw.counters();
        opened = c.counter("usernet.udp.flows");
        expired = c.counter("usernet.udp.expired");
        toHost = c.counter("usernet.udp.datagrams_to_host");
        toGuest = c.counter("usernet.udp.datagrams_to_guest");
        dropped = c.counter("usernet.udp.drop.host_socket");
        denied = c.counter("usernet.udp.denied");
        tooMany = c.counter("usernet.udp.drop.too_many_flows");
        refused = c.counter("usernet.udp.port_unreachable");
        gw.stack().udp().openAny(new UdpCatchAll() {
            @Override
            public void onDatagram(int srcIp, int srcPort, int dstIp, int dstPort, byte[] buf, int off, int len) {
                fromGuest(0, TransportAddresses.mappedLo(srcIp), srcPort, 0, TransportAddresses.mappedLo(dstIp), dstPort,
                        buf, off, len);
            }

            @Override
            public void onDatagram6(long srcHi, long srcLo, int srcPort, long dstHi, long dstLo, int dstPort,
                                    byte[] buf, int off, int len) {
                fromGuest(srcHi, srcLo, srcPort, dstHi, dstLo, dstPort, buf, off, len);
            }
        });
    }

    int flowCount() {
        return flows.size() + flows6.size();
    }

    /** The latest time (loop clock) any flow is due to expire at, or 0 for none: what the tests look at. */
    long latestExpiry() {
        long latest = 0;
        for (LongMap<Flow> table : List.of(flows, flows6)) {
            for (Flow f : table.values()) {
                latest = Math.max(latest, f.expiry());
            }
        }
        return latest;
    }

    private long key(long guestHi, long guestLo, int guestPort, long dstHi, long dstLo, int dstPort) {
        return keys.hash(guestHi, guestLo, dstHi, dstLo, ((long) (dstPort & 0xFFFF) << 16) | (guestPort & 0xFFFF), 0);
    }

    private LongMap<Flow> table(boolean v4) {
        return v4 ? flows : flows6;
    }

    /** A guest datagram no endpoint of the gateway took; addresses in the two-long form. */
    private void fromGuest(long srcHi, long srcLo, int srcPort, long dstHi, long dstLo, int dstPort, byte[] buf, int off, int len) {
        boolean v4 = TransportAddresses.isV4(dstHi, dstLo);
        if (dstPort == 53 && gw.dnsFromHostResolver() && (v4 ? TransportAddresses.v4(dstLo) == gw.config().dns().bits()
                : gw.isIpv6Dns(dstHi, dstLo))) {
            gw.dnsForwarder().query(srcHi, srcLo, srcPort, dstHi, dstLo, buf, off, len);
            return;
        }
        long k = key(srcHi, srcLo, srcPort, dstHi, dstLo, dstPort);
        LongMap<Flow> table = table(v4);
        Flow f = table.get(k);
        if (f == null || !f.is(srcHi, srcLo, dstHi, dstLo, dstPort, srcPort)) {
            if (f != null) {
                dropped.inc(); // two flows whose 64-bit keyed hashes collide: keep the first
                return;
            }
            InetSocketAddress target = gw.hostTarget(dstHi, dstLo, dstPort);
            if (target == null) {
                denied.inc();
                return;
            }
            if (flowCount() >= gw.config().maxUdpFlows()) {
                tooMany.inc();
                return;
            }
            f = new Flow(k, srcHi, srcLo, srcPort, dstHi, dstLo, dstPort);
            if (!f.open(target)) {
                return;
            }
            table.put(k, f);
            opened.inc();
        }
        f.send(buf, off, len);
    }

    void close() {
        for (LongMap<Flow> table : List.of(flows, flows6)) {
            for (Flow f : table.values()) {
                f.close();
            }
            table.clear();
        }
    }

    /** One guest flow and its host socket. */
    private final class Flow extends HostChannel {
        final long key;
        final long guestHi;
        final long guestLo;
        final int guestPort;
        final long dstHi;
        final long dstLo;
        final int dstPort;
        final boolean v4;
        private DatagramChannel channel;
        private final Timer idle;
        private long lastActive;
        /** Payload length of the last datagram sent, for the quote of an ICMP error. */
        private int lastLength;
        /** The flow goes to port 53 and an answer came: it expires after {@link #DNS_IDLE_NANOS}. */
        private boolean dnsAnswered;
        /** The last query of a flow to the DNS address: answered from the host's resolver if the name server refuses it. */
        private byte[] lastDnsQuery;

        Flow(long key, long guestHi, long guestLo, int guestPort, long dstHi, long dstLo, int dstPort) {
            super(gw.loop(), gw.hostSelector());
            this.key = key;
            this.guestHi = guestHi;
            this.guestLo = guestLo;
            this.guestPort = guestPort;
            this.dstHi = dstHi;
            this.dstLo = dstLo;
            this.dstPort = dstPort;
            this.v4 = TransportAddresses.isV4(dstHi, dstLo);
            this.idle = gw.loop().newTimer(this::checkIdle);
        }

        /** Whether this is the flow of guest {@code g:gPort} to {@code d:dPort}. */
        boolean is(long gHi, long gLo, long dHi, long dLo, int dPort, int gPort) {
            return guestHi == gHi && guestLo == gLo && dstHi == dHi && dstLo == dLo && dstPort == dPort && guestPort == gPort;
        }

        private boolean isDns() {
            return v4 ? TransportAddresses.v4(dstLo) == gw.config().dns().bits() : gw.isIpv6Dns(dstHi, dstLo);
        }

        boolean open(InetSocketAddress target) {
            try {
                channel = HostNio.provider().openDatagramChannel();
                channel.connect(target);
                register(channel, SelectionKey.OP_READ);
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.DEBUG, () -> "UDP flow to " + target + ": " + e);
                dropped.inc();
                closeChannel();
                return false;
            }
            touch();
            idle.schedule(gw.config().udpIdleTimeout().toNanos());
            return true;
        }

        void send(byte[] buf, int off, int len) {
            buffer.clear();
            buffer.put(buf, off, len).flip();
            lastLength = len;
            if (isDns()) {
                lastDnsQuery = java.util.Arrays.copyOfRange(buf, off, off + len);
            }
            try {
                if (channel.write(buffer) == 0) {
                    dropped.inc();
                    return;
                }
                toHost.inc();
                touch();
            } catch (PortUnreachableException e) {
                refusedByHost();
            } catch (IOException e) {
                // e.g. PortUnreachableException from an earlier ICMP error: the datagram is lost, as on a real network
                dropped.inc();
            }
        }

        @Override
        void onReady(int ops) {
            if (!channel.isOpen()) {
                return;
            }
            try {
                for (int i = 0; i < READ_BATCH; i++) {
                    buffer.clear();
                    int n = channel.read(buffer);
                    if (n <= 0) {
                        break;
                    }
                    touch();
                    answered();
                    toGuest.inc();
                    gw.stack().udp().sendFrom(dstHi, dstLo, dstPort, guestHi, guestLo, guestPort, buffer.array(), 0, n);
                }
            } catch (PortUnreachableException e) {
                refusedByHost();
                return;
            } catch (IOException e) {
                dropped.inc(); // ICMP error for an earlier datagram: nothing to deliver
            }
            interest(SelectionKey.OP_READ);
        }

        /**
         * The host said the port is closed. The flow ends (its socket would only repeat the
         * error); a name server that refuses hands DNS over to the host's resolver, which
         * answers the query it refused; any other port is reported to the guest.
         */
        private void refusedByHost() {
            refused.inc();
            forget();
            close();
            if (lastDnsQuery != null) {
                LOG.log(Level.INFO, () -> "usernet: the name server refused; DNS is answered from the host's resolver");
                gw.dnsUpstreamRefused();
                gw.dnsForwarder().query(guestHi, guestLo, guestPort, dstHi, dstLo, lastDnsQuery, 0, lastDnsQuery.length);
                return;
            }
            if (!v4) {
                Ipv6Packet.writeHeader(quote6, 0, new Ipv6Header().trafficClass(0).flowLabel(0)
                        .payloadLength(UdpDatagram.HEADER_LENGTH + lastLength).nextHeader(Ipv4Packet.PROTO_UDP).hopLimit(64)
                        .source(guestHi, guestLo).destination(dstHi, dstLo));
                UdpDatagram.writeHeader(quote6, Ipv6Packet.HEADER_LENGTH, guestPort, dstPort, lastLength);
                var ifc = gw.stack().ipv6().interfaces().getFirst();
                ifc.ipv6().icmp().sendUnreachable(ifc, Icmpv6Message.CODE_PORT_UNREACHABLE, quote6, 0, quote6.length);
                return;
            }
            int guestIp = TransportAddresses.v4(guestLo);
            int dstIp = TransportAddresses.v4(dstLo);
            int quoted = Ipv4Packet.MIN_HEADER_LENGTH + UdpDatagram.HEADER_LENGTH + lastLength;
            int n = Ipv4Packet.writeHeader(quote, 0, new Ipv4Header().tos(0).totalLength(quoted)
                    .identification(0).flagsAndOffset(0)
                    .ttl(64).protocol(Ipv4Packet.PROTO_UDP).addresses(guestIp, dstIp));
            UdpDatagram.writeHeader(quote, n, guestPort, dstPort, lastLength);
            gw.stack().icmp().sendError(gw.stack().iface(), IcmpMessage.TYPE_DEST_UNREACHABLE,
                    IcmpMessage.CODE_PORT_UNREACHABLE, 0, quote, 0, quote.length);
        }

        private void touch() {
            lastActive = gw.loop().clock().nanos();
        }

        /** A datagram came back: a DNS flow now needs to live only {@link #DNS_IDLE_NANOS} longer. */
        private void answered() {
            if (dstPort == 53 && !dnsAnswered) {
                dnsAnswered = true;
                idle.schedule(Math.min(DNS_IDLE_NANOS, gw.config().udpIdleTimeout().toNanos()));
            }
        }

        private long timeout() {
            long general = gw.config().udpIdleTimeout().toNanos();
            return dnsAnswered ? Math.min(DNS_IDLE_NANOS, general) : general;
        }

        /** When the idle timer fires next, on the loop's clock. */
        long expiry() {
            return idle.deadline();
        }

        private void checkIdle() {
            long timeout = timeout();
            long idleFor = gw.loop().clock().nanos() - lastActive;
            if (idleFor < timeout) {
                idle.schedule(timeout - idleFor);
                return;
            }
            expired.inc();
            forget();
            close();
        }

        private void forget() {
            if (table(v4).get(key) == this) {
                table(v4).remove(key);
            }
        }

        void close() {
            idle.cancel();
            closeChannel();
        }

        private void closeChannel() {
            try {
                if (channel != null) {
                    channel.close();
                }
            } catch (IOException e) {
                // nothing left to do
            }
            closed();
        }

        @Override
        public String toString() {
            return "udp " + TransportAddresses.format(guestHi, guestLo) + ":" + guestPort + " -> " + TransportAddresses.format(dstHi, dstLo) + ":" + dstPort;
        }
    }
}
