package org.jnetstack.socket;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jnetstack.NetStack;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.socket.internal.SocketErrors;
import org.jnetstack.tcp.TcpConfig;
import org.jnetstack.tcp.TcpConnection;
import org.jnetstack.tcp.TcpListener;
import org.jnetstack.wire.Ipv6Address;

/**
 * A blocking listening socket (uSock's {@code open} with remote port 0: "wait for anyone").
 *
 * <pre>{@code
 * try (TcpServerSocket server = Sockets.of(stack).listen(80)) {
 *     while (true) {
 *         TcpSocket client = server.accept();
 *         Thread.startVirtualThread(() -> serve(client));
 *     }
 * }
 * }</pre>
 *
 * <p>At most {@code backlog} established connections wait for {@link #accept()}; beyond that
 * the listener's own queue holds the next ones and then SYNs are left unanswered (the client
 * retries), as with Linux. {@link #close()} from any thread wakes a blocked {@code accept} at
 * once with {@code SocketException: Socket closed}, and resets connections nobody accepted.
 */
public final class TcpServerSocket implements Closeable {
    private final NetStack stack;
    private final EventLoop loop;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition acceptable = lock.newCondition();
    private final ArrayDeque<TcpSocket> ready = new ArrayDeque<>(); // guarded by lock
    private TcpListener listener; // guarded by lock
    private boolean drainPosted;  // guarded by lock
    private volatile boolean closed; // written under lock
    private int backlog;
    private volatile int soTimeoutMillis;
    private volatile int receiveBufferSize;
    private volatile InetSocketAddress local; // written under lock

    /** An unbound server socket; {@link #bind} it. */
    public TcpServerSocket(NetStack stack) {
        this.stack = Objects.requireNonNull(stack, "stack");
        this.loop = stack.loop();
        this.receiveBufferSize = stack.tcp().config().receiveBuffer();
    }

    /**
     * Starts listening on {@code address:port} ({@code address} null: every local address;
     * {@code port} 0: an ephemeral port, see {@link #localPort()}).
     *
     * @throws java.net.BindException "Address already in use" when the port is taken
     */
    public void bind(InetAddress address, int port, int backlog) throws IOException {
        bind(address, false, port, backlog);
    }

    /**
     * Like {@link #bind(InetAddress, int, int)}, for either family as on Linux: null, {@code ::}
     * or {@code 0.0.0.0} listen on every address and accept IPv4 connections too (their peers
     * reported as {@code Inet4Address}) unless {@code v6Only} (IPV6_V6ONLY); an IPv4 or IPv6
     * address listens on that address alone.
     */
    public void bind(InetAddress address, boolean v6Only, int port, int backlog) throws IOException {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        Ipv6Address addr = address == null || address.isAnyLocalAddress() ? null : Ipv6Address.of(address);
        int queue = backlog < 1 ? stack.tcp().config().listenBacklog() : backlog;
        TcpConfig cfg;
        lock.lock();
        try {
            if (closed) {
                throw new SocketException("Socket is closed");
            }
            if (listener != null) {
                throw new SocketException("Already bound");
            }
            this.backlog = queue;
            cfg = stack.tcp().config().toBuilder().receiveBuffer(receiveBufferSize).build();
        } finally {
            lock.unlock();
        }
        LoopCall.call(loop, () -> {
            TcpListener made = stack.tcp().listen(addr, v6Only, port, queue, cfg, this::drain);
            lock.lock();
            try {
                listener = made;
                local = new InetSocketAddress(address == null ? TcpSocket.inet(0) : address, made.port());
            } finally {
                lock.unlock();
            }
            return made;
        });
    }

    /**
     * Waits for the next connection (up to {@link #setSoTimeout}); it is already established.
     *
     * @throws SocketTimeoutException "Accept timed out"
     * @throws SocketException "Socket closed" when closed meanwhile
     */
    public TcpSocket accept() throws IOException {
        TcpSocket s;
        TcpListener drainMore = null;
        lock.lock();
        try {
            if (listener == null && !closed) {
                throw new SocketException("Socket is not bound yet");
            }
            long deadline = Waits.deadline(soTimeoutMillis);
            while (true) {
                if (closed) {
                    throw SocketErrors.closed();
                }
                s = ready.poll();
                if (s != null) {
                    break;
                }
                if (!Waits.await(acceptable, deadline, loop, this)) {
                    throw new SocketTimeoutException("Accept timed out");
                }
            }
            if (!drainPosted) {
                drainPosted = true;
                drainMore = listener;
            }
        } finally {
            lock.unlock();
        }
        if (drainMore != null) {
            TcpListener l = drainMore;
            LoopCall.post(loop, () -> drain(l));
        }
        return s;
    }

    /** Loop thread: takes established connections from the listener while fewer than backlog wait here. */
    private void drain(TcpListener l) {
        lock.lock();
        try {
            drainPosted = false;
            if (closed) {
                return;
            }
            TcpConnection c;
            while (ready.size() < backlog && (c = l.accept()) != null) {
                ready.add(new TcpSocket(stack, c));
            }
            acceptable.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Stops listening; connections not yet accepted are reset. Safe from any thread. */
    @Override
    public void close() {
        TcpListener l;
        TcpSocket[] waiting;
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            acceptable.signalAll();
            l = listener;
            waiting = ready.toArray(new TcpSocket[0]);
            ready.clear();
        } finally {
            lock.unlock();
        }
        for (TcpSocket s : waiting) {
            s.abort();
        }
        if (l != null) {
            LoopCall.post(loop, l::close);
        }
    }

    public boolean isClosed() {
        return closed;
    }

    public boolean isBound() {
        return local != null;
    }

    /** The port listened on (-1 before binding). */
    public int localPort() {
        InetSocketAddress a = localAddress();
        return a == null ? -1 : a.getPort();
    }

    /** The address and port listened on (address 0.0.0.0: every local address); null before binding. */
    public InetSocketAddress localAddress() {
        return local;
    }

    /** SO_TIMEOUT: how long {@link #accept} waits (0: for ever). */
    public void setSoTimeout(int millis) {
        soTimeoutMillis = Waits.checkTimeout(millis);
    }

    public int getSoTimeout() {
        return soTimeoutMillis;
    }

    /** SO_RCVBUF of accepted connections; set it before {@link #bind} (it sets the window scale of the SYN-ACK). */
    public void setReceiveBufferSize(int bytes) {
        receiveBufferSize = Waits.checkBufferSize(bytes);
    }

    public int getReceiveBufferSize() {
        return receiveBufferSize;
    }

    public NetStack stack() {
        return stack;
    }

    @Override
    public String toString() {
        InetSocketAddress a = localAddress();
        return "TcpServerSocket[" + (a == null ? "unbound" : a.getAddress().getHostAddress() + ":" + a.getPort()) + "]";
    }
}
