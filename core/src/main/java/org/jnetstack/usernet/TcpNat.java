package org.jnetstack.usernet;

import org.jnetstack.internal.TransportAddresses;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.StandardSocketOptions;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import org.jnetstack.loop.Timer;
import org.jnetstack.stats.Counter;
import org.jnetstack.tcp.TcpSynRequest;
import org.jnetstack.wire.IcmpMessage;

/**
 * Outbound TCP: the guest's SYN to any {@code A:P} is held ({@link TcpSynRequest}) while a
 * non-blocking host socket connects to {@code A:P}; the guest's connection is accepted only if
 * that succeeds, so the guest sees what the real destination did — a refused port as a reset,
 * an unreachable host or a connect timeout as ICMP destination unreachable — instead of a
 * connection that accepts and then dies. Over IPv6 alike (NAT66): the host socket connects to the
 * guest's IPv6 destination, and failures come back as ICMPv6 destination unreachable.
 */
final class TcpNat {
    private static final System.Logger LOG = System.getLogger(TcpNat.class.getName());

    private final UserNet gw;
    private final Counter connects;
    private final Counter refused;
    private final Counter unreachable;
    private final Counter timeouts;
    private final Counter denied;

    TcpNat(UserNet gw) {
        this.gw = gw;
        var c = gw.counters();
        connects = c.counter("usernet.tcp.nat.connects");
        refused = c.counter("usernet.tcp.nat.refused");
        unreachable = c.counter("usernet.tcp.nat.unreachable");
        timeouts = c.counter("usernet.tcp.nat.timeouts");
        denied = c.counter("usernet.tcp.nat.denied");
        gw.stack().tcp().listenAny(this::onSyn);
    }

    private void onSyn(TcpSynRequest r) {
        InetSocketAddress target = gw.hostTarget(r.localHi(), r.localLo(), r.localPort());
        if (target == null) {
            denied.inc();
            r.reset();
            return;
        }
        if (!gw.splices().hasRoom(false)) {
            r.reset(); // the splices' memory is spent: refused, as a host out of sockets would
            return;
        }
        new PendingConnect(r, target).start();
    }

    /** One host connect on behalf of a held SYN. */
    private final class PendingConnect extends HostChannel {
        private final TcpSynRequest request;
        private final InetSocketAddress target;
        private SocketChannel channel;
        private Timer timer;
        private boolean done;

        PendingConnect(TcpSynRequest request, InetSocketAddress target) {
            super(gw.loop(), gw.hostSelector());
            this.request = request;
            this.target = target;
        }

        void start() {
            connects.inc();
            try {
                channel = HostNio.provider().openSocketChannel();
                channel.configureBlocking(false);
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true); // the guest already coalesced
                if (channel.connect(target)) {
                    connected();
                    return;
                }
                register(channel, SelectionKey.OP_CONNECT);
                timer = gw.loop().schedule(gw.config().connectTimeout().toNanos(), this::timedOut);
            } catch (IOException e) {
                failed(e);
            }
        }

        @Override
        void onReady(int ops) {
            if (done) {
                return;
            }
            try {
                if (channel.finishConnect()) {
                    connected();
                } else {
                    register(channel, SelectionKey.OP_CONNECT);
                }
            } catch (IOException e) {
                failed(e);
            }
        }

        private void connected() {
            done = true;
            cancelTimer();
            if (!gw.splices().hasRoom(false)) {
                // Connects started while there was room outnumbered it.
                close();
                request.reset();
                return;
            }
            String what = TransportAddresses.format(request.remoteHi(), request.remoteLo()) + ":" + request.remotePort() + " -> " + target;
            TcpSplice splice = new TcpSplice(gw, channel, what);
            try {
                request.accept(splice);
            } catch (RuntimeException e) {
                LOG.log(Level.DEBUG, () -> "cannot accept " + request + ": " + e);
                splice.resetHost();
            }
        }

        private void failed(IOException e) {
            done = true;
            cancelTimer();
            close();
            if (e instanceof ConnectException && String.valueOf(e.getMessage()).contains("refused")) {
                refused.inc();
                request.reset();
            } else {
                unreachable.inc();
                LOG.log(Level.DEBUG, () -> "connect to " + target + " failed: " + e);
                request.unreachable(e instanceof NoRouteToHostException ? IcmpMessage.CODE_HOST_UNREACHABLE
                        : IcmpMessage.CODE_NET_UNREACHABLE);
            }
        }

        private void timedOut() {
            if (done) {
                return;
            }
            done = true;
            timeouts.inc();
            close();
            request.unreachable(IcmpMessage.CODE_HOST_UNREACHABLE);
        }

        private void cancelTimer() {
            if (timer != null) {
                timer.cancel();
            }
        }

        private void close() {
            try {
                if (channel != null) {
                    channel.close();
                }
            } catch (IOException e) {
                // nothing left to do
            }
            closed();
        }
    }
}
