package org.jnetstack.socket;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.net.InetAddress;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jnetstack.dns.AddressOrder;
import org.jnetstack.dns.DnsResolver;
import org.jnetstack.dns.NameResolver;
import org.jnetstack.socket.internal.RingPump;
import org.jnetstack.socket.internal.SocketErrors;
import org.jnetstack.tcp.TcpConfig;
import org.jnetstack.tcp.TcpConnection;
import org.jnetstack.wire.Ipv6Address;

/**
 * The application's side of a {@link TcpSocket}'s active open: the checks, the connection's own
 * {@link TcpConfig} from the socket's options, the open on the loop ({@link RingPump#open}),
 * and the wait for the handshake's end under the socket's lock.
 */
final class TcpSocketConnect {
    private TcpSocketConnect() {
    }

    /** {@link TcpSocket#connect(InetSocketAddress, int)}: on failure the socket is closed. */
    static void connect(TcpSocket s, InetSocketAddress remote, int timeoutMillis) throws IOException {
        Objects.requireNonNull(remote, "remote");
        if (timeoutMillis < 0) {
            throw new IllegalArgumentException("connect: timeout can't be negative");
        }
        if (remote.isUnresolved()) {
            throw new UnknownHostException(remote.getHostString());
        }
        Ipv6Address ip = Ipv6Address.of(remote.getAddress()); // either family; IPv4 as IPv4-mapped
        int port = remote.getPort();
        if (port < 1) {
            throw new SocketException("cannot connect to port 0");
        }
        TcpConfig cfg = begin(s);
        long deadline = Waits.deadline(timeoutMillis);
        boolean keepAliveNow = s.keepAlive;
        int tosNow = s.trafficClass;
        int localPort = s.bindPort;
        try {
            LoopCall.call(s.loop, () -> {
                s.addressesOf(s.pump.open(s.stack.tcp(), localPort, ip, port, cfg, keepAliveNow, tosNow));
                return null;
            });
            s.pump.lock.lock();
            try {
                while (!s.pump.established && s.pump.error == null && !s.pump.closed && !s.pump.finished) {
                    if (!Waits.await(s.pump.writable, deadline, s.loop, s)) {
                        TcpConnection c = s.pump.connection;
                        LoopCall.post(s.loop, c::abort);
                        throw new SocketTimeoutException("Connect timed out");
                    }
                }
                if (s.pump.established && !s.pump.closed) {
                    return;
                }
                if (s.pump.error != null) {
                    throw SocketErrors.rethrown(s.pump.error);
                }
                throw SocketErrors.closed();
            } finally {
                s.pump.lock.unlock();
            }
        } catch (IOException | RuntimeException e) {
            s.close(); // as java.net.Socket does: a failed connect leaves the socket closed
            throw e;
        } finally {
            end(s);
        }
    }

    /** Checks the socket may connect, marks it connecting, and returns the connection's config from its options. */
    private static TcpConfig begin(TcpSocket s) throws SocketException {
        s.pump.lock.lock();
        try {
            if (s.pump.closed) {
                throw new SocketException("Socket is closed");
            }
            if (s.pump.established) {
                throw new SocketException("Already connected");
            }
            if (s.connecting || s.pump.connection != null) {
                throw new SocketException("Connection already in progress");
            }
            s.connecting = true;
            return s.stack.tcp().config().toBuilder().sendBuffer(s.sendBufferSize).receiveBuffer(s.receiveBufferSize)
                    .nagle(!s.noDelay).build();
        } finally {
            s.pump.lock.unlock();
        }
    }

    private static void end(TcpSocket s) {
        s.pump.lock.lock();
        try {
            s.connecting = false;
        } finally {
            s.pump.lock.unlock();
        }
    }

    /**
     * {@link TcpSocket#connect(String, int, NameResolver, int)}: Happy Eyeballs ({@link HappyEyeballs})
     * over the addresses of {@code host} — resolved on the loop by a {@link DnsResolver}, or first
     * by {@code resolver} here — and the winner adopted by the socket. On failure the socket is closed.
     */
    static void connect(TcpSocket s, String host, int port, NameResolver resolver, int timeoutMillis) throws IOException {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(resolver, "resolver");
        if (timeoutMillis < 0) {
            throw new IllegalArgumentException("connect: timeout can't be negative");
        }
        if (port < 1 || port > 65535) {
            throw new SocketException("cannot connect to port " + port + ": ports are 1-65535");
        }
        TcpConfig cfg = begin(s);
        CompletableFuture<TcpConnection> won = new CompletableFuture<>();
        HappyEyeballs.Outcome outcome = new HappyEyeballs.Outcome() {
            @Override
            public void connected(TcpConnection c) {
                if (s.pump.closed) {
                    c.abort();
                    won.completeExceptionally(SocketErrors.closed());
                    return;
                }
                c.setKeepAlive(s.keepAlive);
                c.setTrafficClass(s.trafficClass);
                s.addressesOf(c);
                s.pump.adopt(c, s.stack.tcp().config().socketRing());
                won.complete(c);
            }

            @Override
            public void failed(IOException error) {
                won.completeExceptionally(error);
            }
        };
        HappyEyeballs[] he = new HappyEyeballs[1];
        try {
            List<InetAddress> known = resolver instanceof DnsResolver ? null : AddressOrder.interleave(resolver.resolve(host));
            LoopCall.call(s.loop, () -> {
                he[0] = known == null ? HappyEyeballs.connect(s.stack, (DnsResolver) resolver, host, port, cfg, outcome)
                        : HappyEyeballs.connect(s.stack, known, port, cfg, outcome);
                return null;
            });
            try {
                if (timeoutMillis == 0) {
                    won.get();
                } else {
                    won.get(timeoutMillis, TimeUnit.MILLISECONDS);
                }
            } catch (TimeoutException e) {
                LoopCall.post(s.loop, () -> he[0].cancel());
                throw new SocketTimeoutException("Connect timed out");
            } catch (InterruptedException e) {
                LoopCall.post(s.loop, () -> he[0].cancel());
                Thread.currentThread().interrupt();
                throw new SocketException("Closed by interrupt");
            } catch (ExecutionException e) {
                throw e.getCause() instanceof IOException io ? SocketErrors.rethrown(io) : new SocketException(e.getCause().toString());
            }
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        } finally {
            end(s);
        }
    }
}
