package org.jnetstack.socket;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.Objects;
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
        TcpConfig cfg;
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
            cfg = s.stack.tcp().config().toBuilder().sendBuffer(s.sendBufferSize).receiveBuffer(s.receiveBufferSize)
                    .nagle(!s.noDelay).build();
        } finally {
            s.pump.lock.unlock();
        }
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
            s.pump.lock.lock();
            try {
                s.connecting = false;
            } finally {
                s.pump.lock.unlock();
            }
        }
    }
}
