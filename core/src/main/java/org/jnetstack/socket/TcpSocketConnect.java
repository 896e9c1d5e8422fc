package org.jnetstack.socket;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.Objects;
import org.jnetstack.tcp.TcpConfig;
import org.jnetstack.tcp.TcpConnection;

/**
 * The application's side of a {@link TcpSocket}'s active open: the checks, the connection's own
 * {@link TcpConfig} from the socket's options, the open on the loop ({@link TcpSocketEvents#open}),
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
        int ip = TcpSocket.ipv4Bits(remote.getAddress());
        int port = remote.getPort();
        if (port < 1) {
            throw new SocketException("cannot connect to port 0");
        }
        TcpConfig cfg;
        s.lock.lock();
        try {
            if (s.closed) {
                throw new SocketException("Socket is closed");
            }
            if (s.connected) {
                throw new SocketException("Already connected");
            }
            if (s.connecting || s.connection != null) {
                throw new SocketException("Connection already in progress");
            }
            s.connecting = true;
            cfg = s.stack.tcp().config().toBuilder().sendBuffer(s.sendBufferSize).receiveBuffer(s.receiveBufferSize)
                    .nagle(!s.noDelay).build();
        } finally {
            s.lock.unlock();
        }
        long deadline = Waits.deadline(timeoutMillis);
        boolean keepAliveNow = s.keepAlive;
        int tosNow = s.trafficClass;
        int localPort = s.bindPort;
        try {
            LoopCall.call(s.loop, () -> {
                s.events.open(localPort, ip, port, cfg, keepAliveNow, tosNow);
                return null;
            });
            s.lock.lock();
            try {
                while (!s.connected && s.error == null && !s.closed && !s.finished) {
                    if (!Waits.await(s.writable, deadline, s.loop, s)) {
                        TcpConnection c = s.connection;
                        LoopCall.post(s.loop, c::abort);
                        throw new SocketTimeoutException("Connect timed out");
                    }
                }
                if (s.connected && !s.closed) {
                    return;
                }
                if (s.error != null) {
                    throw SocketErrors.rethrown(s.error);
                }
                throw SocketErrors.closed();
            } finally {
                s.lock.unlock();
            }
        } catch (IOException | RuntimeException e) {
            s.close(); // as java.net.Socket does: a failed connect leaves the socket closed
            throw e;
        } finally {
            s.lock.lock();
            try {
                s.connecting = false;
            } finally {
                s.lock.unlock();
            }
        }
    }
}
