package org.jnetstack.usernet;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import org.jnetstack.stats.Counter;
import org.jnetstack.tcp.TcpConnection;
import org.jnetstack.wire.Ipv4Address;
import org.jnetstack.wire.Ipv4Packet;

/**
 * An inbound port forward: a host {@link ServerSocketChannel}; each accepted host connection
 * makes the gateway connect to the guest's port and splices the two. The guest sees the
 * connection from the client's own address when it is not the host's loopback
 * ({@link ClientAddresses}), otherwise from the gateway's.
 * The host connection is not read until the guest accepted; a guest that refuses makes the
 * host connection reset, as a closed port would. A connection that cannot be accepted (the
 * process is out of descriptors) stays queued and the listening socket stays ready: it is not
 * watched again for {@link #ACCEPT_RETRY_NANOS} ({@code usernet.forward.accept_failed}), or the
 * selector and the loop would hand that readiness round at full speed, logging each time.
 */
final class TcpForward extends HostChannel implements Forward {
    private static final System.Logger LOG = System.getLogger(TcpForward.class.getName());
    /** Ports tried after a taken one when the rule asks for the next free port. */
    private static final int NEXT_FREE_ATTEMPTS = 100;
    /** Gateway ports tried for one connection from a client's address before it is refused. */
    private static final int PORT_ATTEMPTS = 16;
    /** How long the listening socket is not watched after an accept failed. */
    static final long ACCEPT_RETRY_NANOS = 1_000_000_000L;

    private final UserNet gw;
    private final ForwardRule rule;
    private final ServerSocketChannel server;
    private final InetSocketAddress bound;
    private final Counter accepted;
    private final Counter failed;
    private final Counter acceptFailed;
    private final org.jnetstack.loop.Timer acceptRetry;

    TcpForward(UserNet gw, ForwardRule rule) {
        super(gw.loop(), gw.hostSelector());
        this.gw = gw;
        this.rule = rule;
        this.accepted = gw.counters().counter("usernet.forward.accepted");
        this.failed = gw.counters().counter("usernet.forward.guest_failed");
        this.acceptFailed = gw.counters().counter("usernet.forward.accept_failed");
        this.acceptRetry = gw.loop().newTimer(() -> interest(SelectionKey.OP_ACCEPT));
        try {
            server = bind(rule);
            bound = (InetSocketAddress) server.getLocalAddress();
            register(server, SelectionKey.OP_ACCEPT);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot forward " + rule + ": " + e.getMessage(), e);
        }
    }

    private static ServerSocketChannel bind(ForwardRule rule) throws IOException {
        int attempts = rule.nextFreePort() && rule.hostPort() != 0 ? NEXT_FREE_ATTEMPTS : 1;
        BindException last = null;
        for (int i = 0; i < attempts && rule.hostPort() + i <= 65535; i++) {
            ServerSocketChannel s = HostNio.provider().openServerSocketChannel();
            try {
                s.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                s.bind(new InetSocketAddress(rule.hostAddress(), rule.hostPort() == 0 ? 0 : rule.hostPort() + i), 128);
                return s;
            } catch (BindException e) {
                s.close();
                last = e;
            }
        }
        throw last != null ? last : new BindException("no port to bind");
    }

    /** The host address and port actually listened on (the next free one, or the one port 0 picked). */
    @Override
    public InetSocketAddress hostAddress() {
        return bound;
    }

    ForwardRule rule() {
        return rule;
    }

    @Override
    void onReady(int ops) {
        if (!server.isOpen()) {
            return;
        }
        try {
            SocketChannel c;
            while ((c = server.accept()) != null) {
                accepted.inc();
                try {
                    connectGuest(c);
                } catch (IOException e) {
                    failed.inc(); // this client went wrong (reset at once): the next are served
                    LOG.log(Level.DEBUG, () -> "forward " + rule + ": " + e);
                    try {
                        c.close();
                    } catch (IOException ignored) {
                        // nothing left to do
                    }
                }
            }
        } catch (IOException e) {
            acceptFailed.inc();
            LOG.log(Level.WARNING, () -> "forward " + rule + ": accept failed: " + e + "; trying again in "
                    + ACCEPT_RETRY_NANOS / 1_000_000 + " ms");
            acceptRetry.schedule(ACCEPT_RETRY_NANOS);
            return;
        }
        interest(SelectionKey.OP_ACCEPT);
    }

    private void connectGuest(SocketChannel c) throws IOException {
        if (!gw.splices().hasRoom(true)) {
            failed.inc();
            c.setOption(StandardSocketOptions.SO_LINGER, 0); // the client sees a reset, as from a full server
            c.close();
            return;
        }
        c.configureBlocking(false);
        c.setOption(StandardSocketOptions.TCP_NODELAY, true);
        InetSocketAddress remote = (InetSocketAddress) c.getRemoteAddress();
        int guest = gw.config().guest().bits();
        String what = remote + " -> " + Ipv4Address.format(guest) + ":" + rule.guestPort();
        TcpSplice splice = new TcpSplice(gw, c, what);
        try {
            if (gw.clientAddresses() == null) {
                gw.stack().tcp().connect(guest, rule.guestPort(), splice);
            } else {
                connectFrom(gw.clientAddressFor(remote), guest, splice);
            }
        } catch (RuntimeException e) {
            failed.inc();
            LOG.log(Level.DEBUG, () -> "forward " + what + ": " + e);
            splice.resetHost();
        }
    }

    /**
     * Connects to the guest from a gateway port whose segments {@link ClientAddresses} shows
     * from {@code client} (0: from the gateway's own address): the translation is in place
     * before the SYN leaves. Ports that have a translation, even one outliving its connection,
     * are never taken, so no connection's segments are rewritten for another; a port whose
     * 4-tuple turns out taken (a connection of the gateway's own, or one in TIME-WAIT) is passed
     * over for another.
     */
    private void connectFrom(int client, int guest, TcpSplice splice) {
        ClientAddresses sources = gw.clientAddresses();
        int guestPort = rule.guestPort();
        java.util.Set<Integer> tried = new java.util.HashSet<>(4);
        for (int attempt = 0; ; attempt++) {
            int port = gw.stack().ipv4().ephemeralPort(Ipv4Packet.PROTO_TCP, client, guest, guestPort,
                    p -> tried.contains(p) || sources.hasTcp(guest, p, guestPort));
            if (port < 0) {
                throw new UncheckedIOException(new BindException("no free gateway port towards the guest's " + guestPort));
            }
            if (client != 0) {
                sources.addTcp(guest, port, guestPort, client);
            }
            try {
                TcpConnection conn = gw.stack().tcp().connect(port, guest, guestPort, splice);
                if (client != 0) {
                    sources.bindTcp(guest, port, guestPort, conn);
                }
                return;
            } catch (UncheckedIOException e) {
                sources.removeTcp(guest, port, guestPort);
                if (!(e.getCause() instanceof BindException) || attempt >= PORT_ATTEMPTS) {
                    throw e;
                }
                tried.add(port);
            } catch (RuntimeException e) {
                sources.removeTcp(guest, port, guestPort);
                throw e;
            }
        }
    }

    @Override
    public void close() {
        acceptRetry.cancel();
        try {
            server.close();
        } catch (IOException e) {
            // nothing left to do
        }
        closed();
    }

    @Override
    public String toString() {
        return "forward " + bound + " -> guest:" + rule.guestPort();
    }
}
