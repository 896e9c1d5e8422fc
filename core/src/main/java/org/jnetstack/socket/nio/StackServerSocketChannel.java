package org.jnetstack.socket.nio;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.channels.AlreadyBoundException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NotYetBoundException;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.UnresolvedAddressException;
import java.nio.channels.UnsupportedAddressTypeException;
import java.util.ArrayDeque;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jnetstack.NetStack;
import org.jnetstack.tcp.TcpConfig;
import org.jnetstack.tcp.TcpConnection;
import org.jnetstack.tcp.TcpListener;

/**
 * A {@link ServerSocketChannel} over a listener of a {@link NetStack}. At most {@code backlog}
 * established connections wait here for {@link #accept()}; beyond that the listener's own accept
 * queue holds the next ones and then SYNs go unanswered (the client retries), as with Linux.
 * Closing resets the connections nobody accepted. Dual stack: bound to a wildcard it accepts
 * IPv4 and IPv6 connections (IPv4 peers as {@code Inet4Address}), as the JDK's (which has no IPV6_V6ONLY option).
 *
 * <p>SO_REUSEADDR is on by default, as the JDK's on Linux: {@code bind} succeeds while
 * connections still use the port (an earlier server's accepted ones, or their TIME-WAIT). With it
 * off, such a port is refused with {@code BindException: Address already in use}, as Linux
 * refuses it. A port another listener holds is refused either way. The options are the JDK's
 * standard ones for a server channel on Linux: SO_RCVBUF and SO_REUSEADDR (not SO_REUSEPORT: one
 * listener a port).
 */
public final class StackServerSocketChannel extends ServerSocketChannel implements StackSelectable {
    private static final Set<SocketOption<?>> OPTIONS = Set.of(StandardSocketOptions.SO_RCVBUF,
            StandardSocketOptions.SO_REUSEADDR);

    private final StackSelectorProvider provider;
    private final NetStack stack;
    final KeyList keys = new KeyList();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition acceptable = lock.newCondition();
    private final ArrayDeque<StackSocketChannel> ready = new ArrayDeque<>(); // guarded by lock
    private TcpListener listener;     // guarded by lock
    private boolean drainPosted;      // guarded by lock
    private int backlog;              // guarded by lock
    private volatile boolean hasReady;
    private volatile InetSocketAddress local;
    private volatile int receiveBufferSize;
    private volatile boolean reuseAddress = true;
    private StackServerSocketAdaptor adaptor; // guarded by this

    StackServerSocketChannel(StackSelectorProvider provider, NetStack stack) {
        super(provider);
        this.provider = provider;
        this.stack = stack;
        this.receiveBufferSize = stack.tcp().config().receiveBuffer();
    }

    @Override
    public ServerSocketChannel bind(SocketAddress localAddress, int backlog) throws IOException {
        InetSocketAddress a = localAddress == null ? new InetSocketAddress(0) : (InetSocketAddress) check(localAddress);
        org.jnetstack.wire.Ipv6Address addr = LoopTasks.bindAddress(a.getAddress());
        int queue = backlog < 1 ? stack.tcp().config().listenBacklog() : backlog;
        TcpConfig cfg;
        boolean reuse = reuseAddress;
        lock.lock();
        try {
            ensureOpen();
            if (listener != null) {
                throw new AlreadyBoundException();
            }
            this.backlog = queue;
            cfg = stack.tcp().config().toBuilder().receiveBuffer(receiveBufferSize).build();
        } finally {
            lock.unlock();
        }
        TcpListener made = LoopTasks.call(stack.loop(), () -> {
            if (!reuse && a.getPort() != 0 && stack.tcp().localPortInUse(a.getPort())) {
                throw new java.net.BindException("Address already in use: TCP port " + a.getPort()
                        + " has connections (TIME-WAIT counts) and SO_REUSEADDR is off");
            }
            TcpListener l = stack.tcp().listen(addr, false, a.getPort(), queue, cfg, this::drain);
            lock.lock();
            try {
                listener = l;
                // a literal: no host name
                local = new InetSocketAddress(addr == null ? LoopTasks.inet(0) : addr.toInetAddress(), l.port());
            } finally {
                lock.unlock();
            }
            return l;
        });
        if (!isOpen()) { // closed while binding: the close did not see the listener
            LoopTasks.post(stack.loop(), made::close);
            throw new ClosedChannelException();
        }
        return this;
    }

    private static SocketAddress check(SocketAddress a) {
        if (!(a instanceof InetSocketAddress isa)) {
            throw new UnsupportedAddressTypeException();
        }
        if (isa.isUnresolved()) {
            throw new UnresolvedAddressException();
        }
        return a;
    }

    /**
     * The next connection, already established: null when non-blocking and none is waiting;
     * blocking, waits for one. The accepted channel is in blocking mode, as the JDK's is.
     */
    @Override
    public SocketChannel accept() throws IOException {
        return accept(0);
    }

    /** {@link #accept()} with a timeout in milliseconds (0: none) when blocking: the adaptor's SO_TIMEOUT. */
    SocketChannel accept(int timeoutMillis) throws IOException {
        long deadline = timeoutMillis == 0 ? 0 : System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        StackSocketChannel s = null;
        TcpListener drainMore = null;
        ensureOpen();
        boolean blocking = isBlocking();
        boolean completed = false;
        try {
            if (blocking) {
                begin();
            }
            lock.lock();
            try {
                if (listener == null) {
                    throw new NotYetBoundException();
                }
                while (true) {
                    if (!isOpen()) {
                        return null; // end(false) below throws AsynchronousCloseException
                    }
                    s = ready.poll();
                    if (s != null || !blocking) {
                        break;
                    }
                    if (deadline != 0 && deadline - System.nanoTime() <= 0) {
                        completed = true; // not closed: the timeout is the outcome
                        throw new java.net.SocketTimeoutException("Accept timed out");
                    }
                    awaitAcceptable(deadline);
                }
                hasReady = !ready.isEmpty();
                if (s != null && !drainPosted) {
                    drainPosted = true;
                    drainMore = listener;
                }
            } finally {
                lock.unlock();
            }
            completed = true;
        } finally {
            if (blocking) {
                end(completed);
            }
        }
        if (drainMore != null) {
            TcpListener l = drainMore;
            LoopTasks.post(stack.loop(), () -> drain(l));
        }
        return s;
    }

    private void awaitAcceptable(long deadline) throws IOException {
        LoopTasks.checkNotLoopThread(stack.loop());
        if (stack.loop().isClosed()) {
            throw new java.net.SocketException("Socket closed: the network stack's event loop has stopped");
        }
        try {
            long wait = TimeUnit.SECONDS.toNanos(1);
            if (deadline != 0) {
                wait = Math.min(wait, deadline - System.nanoTime());
            }
            acceptable.awaitNanos(wait);
        } catch (InterruptedException e) {
            if (isOpen()) {
                acceptable.awaitUninterruptibly(); // the interruptor closes the channel and signals us
            }
            Thread.currentThread().interrupt();
        }
    }

    /** Loop thread: takes established connections from the listener while fewer than backlog wait here. */
    private void drain(TcpListener l) {
        boolean any;
        lock.lock();
        try {
            drainPosted = false;
            if (!isOpen()) {
                return;
            }
            TcpConnection c;
            while (ready.size() < backlog && (c = l.accept()) != null) {
                ready.add(new StackSocketChannel(provider, stack, c));
            }
            any = !ready.isEmpty();
            hasReady = any;
            acceptable.signalAll();
        } finally {
            lock.unlock();
        }
        if (any) {
            keys.readinessChanged();
        }
    }

    @Override
    public int readyOps(int interest) {
        return hasReady ? interest & SelectionKey.OP_ACCEPT : 0;
    }

    @Override
    protected void implConfigureBlocking(boolean block) {
        // accept looks at isBlocking() each time
    }

    /** Stops listening; connections not yet accepted are reset. Wakes a blocked accept. */
    @Override
    protected void implCloseSelectableChannel() throws IOException {
        TcpListener l;
        StackSocketChannel[] waiting;
        lock.lock();
        try {
            acceptable.signalAll();
            l = listener;
            waiting = ready.toArray(new StackSocketChannel[0]);
            ready.clear();
            hasReady = false;
        } finally {
            lock.unlock();
        }
        for (StackSocketChannel s : waiting) {
            s.setOption(StandardSocketOptions.SO_LINGER, 0);
            s.close();
        }
        if (l != null) {
            LoopTasks.post(stack.loop(), l::close);
        }
    }

    private void ensureOpen() throws ClosedChannelException {
        if (!isOpen()) {
            throw new ClosedChannelException();
        }
    }

    @Override
    public SocketAddress getLocalAddress() throws IOException {
        ensureOpen();
        return local;
    }

    @Override
    public <T> ServerSocketChannel setOption(SocketOption<T> name, T value) throws IOException {
        ChannelOptions.checkSet(OPTIONS, name, value, this::ensureOpen);
        if (name == StandardSocketOptions.SO_RCVBUF) {
            receiveBufferSize = ChannelOptions.bufferSize((Integer) value);
        } else {
            reuseAddress = (Boolean) value;
        }
        return this;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T getOption(SocketOption<T> name) throws IOException {
        ChannelOptions.checkGet(OPTIONS, name, this::ensureOpen);
        return (T) (name == StandardSocketOptions.SO_RCVBUF ? (Object) receiveBufferSize : (Object) reuseAddress);
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return OPTIONS;
    }

    /** A {@code java.net.ServerSocket} view of this channel (its accept needs blocking mode). */
    @Override
    public ServerSocket socket() {
        synchronized (this) {
            if (adaptor == null) {
                adaptor = new StackServerSocketAdaptor(this);
            }
            return adaptor;
        }
    }

    @Override
    public String toString() {
        return "StackServerSocketChannel[" + (isOpen() ? "" : "closed ") + (local == null ? "unbound" : local) + "]";
    }
}
