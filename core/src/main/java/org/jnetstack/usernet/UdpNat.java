package org.jnetstack.usernet;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import org.jnetstack.internal.LongMap;
import org.jnetstack.loop.Timer;
import org.jnetstack.stats.Counter;
import org.jnetstack.wire.IcmpMessage;
import org.jnetstack.wire.Ipv4Address;
import org.jnetstack.wire.Ipv4Header;
import org.jnetstack.wire.Ipv4Packet;
import org.jnetstack.wire.UdpDatagram;

/**
 * Outbound UDP: each guest flow (guest port, destination address, destination port) gets a
 * host {@link DatagramChannel} connected to the destination; replies come back to the guest
 * from that destination. A flow's socket closes after {@link UserNetConfig#udpIdleTimeout()}
 * without traffic. Datagrams the host socket cannot take at once are dropped (UDP may lose;
 * queuing would only grow memory), and counted. A host port that refuses (the host's ICMP port
 * unreachable, which a connected channel reports as {@link PortUnreachableException}) is
 * reported to the guest the same way, so its socket fails at once instead of waiting for a
 * reply that never comes (RFC 1122 §4.1.3.3).
 */
final class UdpNat {
    private static final System.Logger LOG = System.getLogger(UdpNat.class.getName());
    private static final int MAX_DATAGRAM = 65507;
    /** Datagrams read from one host socket per readiness, so one busy flow cannot hold the loop. */
    private static final int READ_BATCH = 64;

    private final UserNet gw;
    private final LongMap<Flow> flows = new LongMap<>();
    private final ByteBuffer buffer = ByteBuffer.allocate(MAX_DATAGRAM);
    private final Counter opened;
    private final Counter expired;
    private final Counter toHost;
    private final Counter toGuest;
    private final Counter dropped;
    private final Counter denied;
    private final Counter tooMany;
    private final Counter refused;
    /** The guest's datagram as the ICMP error quotes it: IPv4 header and UDP header (RFC 792). */
    private final byte[] quote = new byte[Ipv4Packet.MIN_HEADER_LENGTH + UdpDatagram.HEADER_LENGTH];

    UdpNat(UserNet gw) {
        this.gw = gw;
        var c = gw.counters();
        opened = c.counter("usernet.udp.flows");
        expired = c.counter("usernet.udp.expired");
        toHost = c.counter("usernet.udp.datagrams_to_host");
        toGuest = c.counter("usernet.udp.datagrams_to_guest");
        dropped = c.counter("usernet.udp.drop.host_socket");
        denied = c.counter("usernet.udp.denied");
        tooMany = c.counter("usernet.udp.drop.too_many_flows");
        refused = c.counter("usernet.udp.port_unreachable");
        gw.stack().udp().openAny(this::fromGuest);
    }

    int flowCount() {
        return flows.size();
    }

    private static long key(int dstIp, int dstPort, int guestPort) {
        return ((long) dstIp << 32) | ((long) (dstPort & 0xFFFF) << 16) | (guestPort & 0xFFFF);
    }

    private void fromGuest(int srcIp, int srcPort, int dstIp, int dstPort, byte[] buf, int off, int len) {
        if (dstIp == gw.config().dns().bits() && dstPort == 53 && gw.dnsFromHostResolver()) {
            gw.dnsForwarder().query(srcIp, srcPort, buf, off, len);
            return;
        }
        long k = key(dstIp, dstPort, srcPort);
        Flow f = flows.get(k);
        if (f == null || f.guestIp != srcIp) {
            if (f != null) {
                dropped.inc(); // another guest on the same 3-tuple: rare, keep the first
                return;
            }
            InetSocketAddress target = gw.hostTarget(dstIp, dstPort);
            if (target == null) {
                denied.inc();
                return;
            }
            if (flows.size() >= gw.config().maxUdpFlows()) {
                tooMany.inc();
                return;
            }
            f = new Flow(k, srcIp, srcPort, dstIp, dstPort);
            if (!f.open(target)) {
                return;
            }
            flows.put(k, f);
            opened.inc();
        }
        f.send(buf, off, len);
    }

    void close() {
        for (Flow f : flows.values()) {
            f.close();
        }
        flows.clear();
    }

    /** One guest flow and its host socket. */
    private final class Flow extends HostChannel {
        final long key;
        final int guestIp;
        final int guestPort;
        final int dstIp;
        final int dstPort;
        private DatagramChannel channel;
        private final Timer idle;
        private long lastActive;
        /** Payload length of the last datagram sent, for the quote of an ICMP error. */
        private int lastLength;
        /** The last query of a flow to the DNS address: answered from the host's resolver if the name server refuses it. */
        private byte[] lastDnsQuery;

        Flow(long key, int guestIp, int guestPort, int dstIp, int dstPort) {
            super(gw.loop(), gw.hostSelector());
            this.key = key;
            this.guestIp = guestIp;
            this.guestPort = guestPort;
            this.dstIp = dstIp;
            this.dstPort = dstPort;
            this.idle = gw.loop().newTimer(this::checkIdle);
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
            if (dstIp == gw.config().dns().bits()) {
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
                    toGuest.inc();
                    gw.stack().udp().sendFrom(dstIp, dstPort, guestIp, guestPort, buffer.array(), 0, n);
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
            if (flows.get(key) == this) {
                flows.remove(key);
            }
            close();
            if (lastDnsQuery != null) {
                LOG.log(Level.INFO, () -> "usernet: the name server refused; DNS is answered from the host's resolver");
                gw.dnsUpstreamRefused();
                gw.dnsForwarder().query(guestIp, guestPort, lastDnsQuery, 0, lastDnsQuery.length);
                return;
            }
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

        private void checkIdle() {
            long timeout = gw.config().udpIdleTimeout().toNanos();
            long idleFor = gw.loop().clock().nanos() - lastActive;
            if (idleFor < timeout) {
                idle.schedule(timeout - idleFor);
                return;
            }
            expired.inc();
            if (flows.get(key) == this) {
                flows.remove(key);
            }
            close();
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
            return "udp " + Ipv4Address.format(guestIp) + ":" + guestPort + " -> " + Ipv4Address.format(dstIp) + ":" + dstPort;
        }
    }
}
