package org.jnetstack.usernet;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.util.HashMap;
import java.util.Map;
import org.jnetstack.loop.Timer;
import org.jnetstack.stats.Counter;
import org.jnetstack.udp.UdpEndpoint;
import org.jnetstack.udp.UdpHandler;

/**
 * An inbound UDP forward: a host {@link DatagramChannel} bound to the rule's address. Each host
 * sender (address and port) is a session with a UDP port of its own on the gateway: its
 * datagrams go to the guest's port from that port and the sender's own address (the gateway's
 * when the sender is on the host's loopback, see {@link ClientAddresses}), and what the guest
 * sends back to that port goes to the sender. So several host clients can talk to one guest
 * service at once, and each gets only its own answers.
 *
 * <p>Bounds, for a sender that is hostile or merely many: at most
 * {@link UserNetConfig#maxUdpFlows()} sessions (a datagram from a new sender beyond that is
 * dropped, {@code usernet.forward.udp.drop.too_many}); a session ends after
 * {@link UserNetConfig#udpIdleTimeout()} without traffic either way. A datagram the host socket
 * cannot send at once is dropped and counted, as UDP may lose. A guest that answers with an ICMP
 * error (nothing listens on its port) is counted, {@code usernet.forward.udp.guest_unreachable};
 * the host sender hears nothing, as from any UDP server that is down.
 */
final class UdpForward extends HostChannel implements Forward {
    private static final System.Logger LOG = System.getLogger(UdpForward.class.getName());
    private static final int MAX_DATAGRAM = 65507;
    private static final int READ_BATCH = 64;

    private final UserNet gw;
    private final ForwardRule rule;
    private final DatagramChannel channel;
    private final InetSocketAddress bound;
    private final ByteBuffer buffer = ByteBuffer.allocate(MAX_DATAGRAM);
    private final ByteBuffer outBuffer = ByteBuffer.allocate(MAX_DATAGRAM);
    private final Map<SocketAddress, Session> sessions = new HashMap<>();
    private final Counter toGuest;
    private final Counter toHost;
    private final Counter tooMany;
    private final Counter noPort;
    private final Counter dropped;
    private final Counter expired;
    private final Counter guestUnreachable;

    UdpForward(UserNet gw, ForwardRule rule) {
        super(gw.loop(), gw.hostSelector());
        this.gw = gw;
        this.rule = rule;
        var c = gw.counters();
        toGuest = c.counter("usernet.forward.udp.datagrams_to_guest");
        toHost = c.counter("usernet.forward.udp.datagrams_to_host");
        tooMany = c.counter("usernet.forward.udp.drop.too_many");
        noPort = c.counter("usernet.forward.udp.drop.no_port");
        dropped = c.counter("usernet.forward.udp.drop.host_socket");
        expired = c.counter("usernet.forward.udp.expired");
        guestUnreachable = c.counter("usernet.forward.udp.guest_unreachable");
        try {
            channel = HostNio.provider().openDatagramChannel();
            channel.bind(new InetSocketAddress(rule.hostAddress(), rule.hostPort()));
            bound = (InetSocketAddress) channel.getLocalAddress();
            register(channel, SelectionKey.OP_READ);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot forward " + rule + ": " + e.getMessage(), e);
        }
    }

    @Override
    public InetSocketAddress hostAddress() {
        return bound;
    }

    int sessionCount() {
        return sessions.size();
    }

    @Override
    void onReady(int ops) {
        if (!channel.isOpen()) {
            return;
        }
        try {
            for (int i = 0; i < READ_BATCH; i++) {
                buffer.clear();
                SocketAddress from = channel.receive(buffer);
                if (from == null) {
                    break;
                }
                Session s = sessions.get(from);
                if (s == null) {
                    if (sessions.size() >= gw.config().maxUdpFlows()) {
                        tooMany.inc();
                        continue;
                    }
                    try {
                        s = new Session(from);
                    } catch (UncheckedIOException e) { // the gateway stack has no ephemeral UDP port left
                        noPort.inc();
                        continue;
                    }
                    sessions.put(from, s);
                }
                s.toGuest(buffer.array(), buffer.position());
            }
        } catch (IOException e) {
            LOG.log(Level.DEBUG, () -> "forward " + rule + ": " + e);
        } finally {
            interest(SelectionKey.OP_READ); // whatever happened to one datagram, the next are read
        }
    }

    @Override
    public void close() {
        for (Session s : sessions.values().toArray(new Session[0])) {
            s.end();
        }
        try {
            channel.close();
        } catch (IOException e) {
            // nothing left to do
        }
        closed();
    }

    /** One host sender and the gateway port that stands for it towards the guest. */
    private final class Session {
        private final SocketAddress sender;
        private final UdpEndpoint endpoint;
        private final Timer idle;
        /** The sender's address as the guest sees it ({@link ClientAddresses}), or 0 for the gateway's. */
        private final int client;
        private long lastActive;

        Session(SocketAddress sender) {
            this.sender = sender;
            this.endpoint = gw.stack().udp().open(gw.config().gateway().bits(), 0, new UdpHandler() {
                @Override
                public void onDatagram(UdpEndpoint ep, int srcIp, int srcPort, byte[] buf, int off, int len) {
                    if (srcIp == gw.config().guest().bits() && srcPort == rule.guestPort()) {
                        toHost(buf, off, len);
                    }
                }

                @Override
                public void onError(UdpEndpoint ep, int dstIp, int dstPort, int type, int code, String reason) {
                    // Nothing listens on the guest's port (its ICMP port unreachable). The host sender cannot be
                    // told: the forward's socket is unconnected, and only the kernel makes ICMP for it. Counted.
                    if (dstIp == gw.config().guest().bits() && dstPort == rule.guestPort()) {
                        guestUnreachable.inc();
                    }
                }
            });
            this.client = gw.clientAddressFor((InetSocketAddress) sender);
            if (client != 0) {
                gw.clientAddresses().addUdp(gw.config().guest().bits(), endpoint.localPort(), rule.guestPort(), client);
            }
            this.idle = gw.loop().newTimer(this::checkIdle);
            touch();
            idle.schedule(gw.config().udpIdleTimeout().toNanos());
        }

        void toGuest(byte[] buf, int len) {
            touch();
            if (endpoint.send(gw.config().guest().bits(), rule.guestPort(), buf, 0, len)) {
                toGuest.inc();
            }
        }

        private void toHost(byte[] buf, int off, int len) {
            touch();
            try {
                outBuffer.clear();
                outBuffer.put(buf, off, len).flip();
                if (channel.send(outBuffer, sender) == 0) {
                    dropped.inc();
                    return;
                }
                toHost.inc();
            } catch (IOException e) {
                dropped.inc();
            }
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
            end();
        }

        void end() {
            idle.cancel();
            if (client != 0) {
                gw.clientAddresses().removeUdp(gw.config().guest().bits(), endpoint.localPort(), rule.guestPort());
            }
            endpoint.close();
            sessions.remove(sender);
        }
    }

    @Override
    public String toString() {
        return "forward udp " + bound + " -> guest:" + rule.guestPort();
    }
}
