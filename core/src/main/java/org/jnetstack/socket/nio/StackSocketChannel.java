package org.jnetstack.socket.nio;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.AlreadyBoundException;
import java.nio.channels.AlreadyConnectedException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ConnectionPendingException;
import java.nio.channels.NoConnectionPendingException;
import java.nio.channels.NotYetConnectedException;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.nio.channels.UnresolvedAddressException;
import java.nio.channels.UnsupportedAddressTypeException;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import org.jnetstack.NetStack;
import org.jnetstack.tcp.TcpConfig;
import org.jnetstack.tcp.TcpConnection;

/**
 * A {@link SocketChannel} over a TCP connection of a {@link NetStack}, with the JDK's semantics:
 * blocking and non-blocking modes, {@code connect}/{@code finishConnect}, heap and direct
 * buffers, scattering and gathering I/O, half-close, the standard socket options, and
 * {@link AsynchronousCloseException} / {@code ClosedByInterruptException} for a thread blocked
 * in an operation when another thread closes the channel or interrupts it. IPv4 and IPv6.
 * Open one with {@link StackSelectorProvider#openSocketChannel()}.
 *
 * <p>Options: the JDK's standard ones for a TCP channel on Linux but SO_REUSEPORT (one listener a
 * port): TCP_NODELAY, SO_RCVBUF, SO_SNDBUF, SO_KEEPALIVE, SO_REUSEADDR, SO_LINGER (0: close
 * resets; positive: a blocking close waits for the acknowledgment, see
 * {@link #implCloseSelectableChannel()}), and IP_TOS (the TOS byte of every segment the
 * connection sends after its SYN, ECN bits cleared as Linux clears them). The JDK's extended
 * options ({@code jdk.net.ExtendedSocketOptions}) are not supported.
 */
public final class StackSocketChannel extends SocketChannel implements StackSelectable {
    private static final Set<SocketOption<?>> OPTIONS = Set.of(StandardSocketOptions.TCP_NODELAY,
            StandardSocketOptions.SO_RCVBUF, StandardSocketOptions.SO_SNDBUF, StandardSocketOptions.SO_KEEPALIVE,
            StandardSocketOptions.SO_LINGER, StandardSocketOptions.SO_REUSEADDR, StandardSocketOptions.IP_TOS);

    private final NetStack stack;
    final KeyList keys = new KeyList();
    private final TcpPipe pipe;
    /** Serializes readers with each other, and writers with each other (as the JDK does). */
    private final ReentrantLock readLock = new ReentrantLock();
    private final ReentrantLock writeLock = new ReentrantLock();
    private final Object stateLock = new Object();
    /** One-buffer arrays for read(ByteBuffer) and write(ByteBuffer), so they allocate nothing (under the locks). */
    private final ByteBuffer[] readOne = new ByteBuffer[1];
    private final ByteBuffer[] writeOne = new ByteBuffer[1];
    private StackSocketAdaptor adaptor; // guarded by stateLock

    // Guarded by stateLock.
    private int bindPort = -1; // -1: not bound; 0: bound to an ephemeral port chosen at connect
    private volatile boolean connectPending; // read lock-free by selectors (readyOps)
    private volatile boolean connected;
    private volatile InetSocketAddress local;
    private volatile InetSocketAddress remote;

    // Options, applied to the connection (its TcpConfig before connecting).
    private volatile boolean noDelay;
    private volatile boolean keepAlive;
    private volatile boolean reuseAddress;
    private volatile int trafficClass;
    private volatile int sendBufferSize;
    private volatile int receiveBufferSize;

    StackSocketChannel(StackSelectorProvider provider, NetStack stack) {
        super(provider);
        this.stack = stack;
        this.pipe = new TcpPipe(stack, keys);
        TcpConfig cfg = stack.tcp().config();
        this.noDelay = !cfg.nagle();
        this.sendBufferSize = cfg.sendBuffer();
        this.receiveBufferSize = cfg.receiveBuffer();
    }

    /** A channel around a connection a listener accepted (loop thread). */
    StackSocketChannel(StackSelectorProvider provider, NetStack stack, TcpConnection c) {
        super(provider);
        this.stack = stack;
        this.pipe = new TcpPipe(stack, keys);
        this.noDelay = c.noDelay();
        this.keepAlive = c.keepAlive();
        this.trafficClass = c.trafficClass();
        this.sendBufferSize = c.sendBufferSize();
        this.receiveBufferSize = c.receiveBufferSize();
        this.local = new InetSocketAddress(c.localInetAddress(), c.localPort());
        this.remote = new InetSocketAddress(c.remoteInetAddress(), c.remotePort());
        this.bindPort = c.localPort();
        this.connected = true;
        pipe.adopt(c);
    }

    // ------------------------------------------------------------------ connecting

    @Override
    public SocketChannel bind(SocketAddress localAddress) throws IOException {
        InetSocketAddress a = localAddress == null ? new InetSocketAddress(0) : checkAddress(localAddress);
        synchronized (stateLock) {
            ensureOpen();
            if (connectPending) {
                throw new ConnectionPendingException();
            }
            if (bindPort >= 0 || connected) {
                throw new AlreadyBoundException();
            }
            if (!a.getAddress().isAnyLocalAddress() && !isLocalAddress(a.getAddress())) {
                throw new java.net.BindException("Cannot assign requested address: " + a.getAddress().getHostAddress()
                        + " is not an address of this stack");
            }
            bindPort = a.getPort();
            local = new InetSocketAddress(a.getAddress(), a.getPort());
        }
        return this;
    }

    private boolean isLocalAddress(InetAddress a) throws IOException {
        if (a instanceof java.net.Inet4Address) {
            int bits = org.jnetstack.wire.Ipv4Address.read(a.getAddress(), 0);
            return stack.interfaces().stream().anyMatch(ni -> ni.address() == bits);
        }
        org.jnetstack.wire.Ipv6Address v6 = LoopTasks.address(a);
        return stack.ipv6() != null && LoopTasks.call(stack.loop(), () -> stack.ipv6().isLocalAddress(v6.hi(), v6.lo()));
    }

    @Override
    public boolean connect(SocketAddress remoteAddress) throws IOException {
        return connect(remoteAddress, 0);
    }

    /**
     * {@link #connect(SocketAddress)} with a timeout in milliseconds (0: none) when blocking: the
     * socket adaptor's {@code connect(address, timeout)}; on expiry the channel is closed and
     * {@code SocketTimeoutException: Connect timed out} thrown.
     */
    boolean connect(SocketAddress remoteAddress, int timeoutMillis) throws IOException {
        InetSocketAddress r = checkAddress(remoteAddress);
        if (r.getPort() == 0) {
            throw new java.net.SocketException("cannot connect to port 0");
        }
        org.jnetstack.wire.Ipv6Address ip = LoopTasks.address(r.getAddress());
        TcpConfig cfg;
        int localPort;
        synchronized (stateLock) {
            ensureOpen();
            if (connected) {
                throw new AlreadyConnectedException();
            }
            if (connectPending) {
                throw new ConnectionPendingException();
            }
            connectPending = true;
            remote = r;
            localPort = Math.max(bindPort, 0);
            cfg = stack.tcp().config().toBuilder().sendBuffer(sendBufferSize).receiveBuffer(receiveBufferSize)
                    .nagle(!noDelay).build();
        }
        boolean blocking = isBlocking();
        try {
            boolean completed = false;
            try {
                if (blocking) {
                    begin();
                }
                TcpConnection c = pipe.connect(localPort, ip, r.getPort(), cfg, keepAlive, trafficClass);
                synchronized (stateLock) {
                    local = new InetSocketAddress(c.localInetAddress(), c.localPort());
                    bindPort = c.localPort();
                }
                if (!blocking) {
                    completed = true;
                    return false; // finishConnect, or OP_CONNECT, tells the outcome
                }
                completed = establish(true, timeoutMillis);
                return completed;
            } finally {
                if (blocking) {
                    end(completed); // closed meanwhile: AsynchronousCloseException or ClosedByInterruptException
                }
            }
        } catch (IOException | RuntimeException e) {
            close(); // a failed connect leaves the channel closed, as the JDK's does
            throw e;
        }
    }

    @Override
    public boolean finishConnect() throws IOException {
        synchronized (stateLock) {
            ensureOpen();
            if (connected) {
                return true;
            }
            if (!connectPending) {
                throw new NoConnectionPendingException();
            }
        }
        boolean blocking = isBlocking();
        try {
            boolean completed = false;
            try {
                if (blocking) {
                    begin();
                }
                completed = establish(blocking, 0);
                return completed;
            } finally {
                if (blocking) {
                    end(completed);
                }
            }
        } catch (IOException | RuntimeException e) {
            close(); // a failed connection leaves the channel closed, as the JDK's does
            throw e;
        }
    }

    /** Waits for (or looks at) the handshake; on success the channel is connected. */
    private boolean establish(boolean block, int timeoutMillis) throws IOException {
        if (!pipe.awaitEstablished(block, timeoutMillis)) {
            if (!isOpen() && !block) {
                throw new ClosedChannelException();
            }
            return false;
        }
        synchronized (stateLock) {
            connectPending = false;
            connected = true;
        }
        keys.readinessChanged(); // OP_READ/OP_WRITE count from now on
        return true;
    }

    @Override
    public boolean isConnected() {
        return connected;
    }

    @Override
    public boolean isConnectionPending() {
        synchronized (stateLock) {
            return connectPending;
        }
    }

    // ------------------------------------------------------------------ reading and writing

    @Override
    public int read(ByteBuffer dst) throws IOException {
        Objects.requireNonNull(dst, "dst");
        readLock.lock();
        try {
            readOne[0] = dst;
            return (int) read(readOne, 0, 1, 0);
        } finally {
            readOne[0] = null;
            readLock.unlock();
        }
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        return read(dsts, offset, length, 0);
    }

    /** A read with SO_TIMEOUT (0: none) when blocking: the socket adaptor's. */
    long read(ByteBuffer[] dsts, int offset, int length, int timeoutMillis) throws IOException {
        Objects.checkFromIndexSize(offset, length, dsts.length);
        checkReadOnly(dsts, offset, length);
        readLock.lock();
        try {
            ensureOpen();
            ensureConnected();
            if (!hasRemaining(dsts, offset, length)) {
                return 0;
            }
            boolean blocking = isBlocking();
            long n = 0;
            try {
                if (blocking) {
                    begin();
                }
                n = pipe.read(dsts, offset, length, blocking, timeoutMillis);
                return n == TcpPipe.CLOSED ? 0 : n;
            } finally {
                if (blocking) {
                    end(n != TcpPipe.CLOSED);
                } else if (n == TcpPipe.CLOSED) {
                    throw new ClosedChannelException();
                }
            }
        } finally {
            readLock.unlock();
        }
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        Objects.requireNonNull(src, "src");
        writeLock.lock();
        try {
            writeOne[0] = src;
            return (int) write(writeOne, 0, 1);
        } finally {
            writeOne[0] = null;
            writeLock.unlock();
        }
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, srcs.length);
        writeLock.lock();
        try {
            ensureOpen();
            ensureConnected();
            boolean blocking = isBlocking();
            long n = 0;
            try {
                if (blocking) {
                    begin();
                }
                n = pipe.write(srcs, offset, length, blocking);
                return n == TcpPipe.CLOSED ? 0 : n;
            } finally {
                if (blocking) {
                    end(n != TcpPipe.CLOSED);
                } else if (n == TcpPipe.CLOSED) {
                    throw new ClosedChannelException();
                }
            }
        } finally {
            writeLock.unlock();
        }
    }

    private static boolean hasRemaining(ByteBuffer[] bufs, int off, int len) {
        for (int i = off; i < off + len; i++) {
            if (bufs[i].hasRemaining()) {
                return true;
            }
        }
        return false;
    }

    private static void checkReadOnly(ByteBuffer[] bufs, int off, int len) {
        for (int i = off; i < off + len; i++) {
            if (bufs[i].isReadOnly()) {
                throw new IllegalArgumentException("Read-only buffer");
            }
        }
    }

    @Override
    public SocketChannel shutdownInput() throws IOException {
        synchronized (stateLock) {
            ensureOpen();
            ensureConnected();
        }
        pipe.shutdownInput();
        return this;
    }

    @Override
    public SocketChannel shutdownOutput() throws IOException {
        synchronized (stateLock) {
            ensureOpen();
            ensureConnected();
        }
        pipe.shutdownOutput();
        return this;
    }

    // ------------------------------------------------------------------ selection and closing

    @Override
    public int readyOps(int interest) {
        int bits = pipe.pollBits();
        if ((bits & TcpPipe.HANGUP) != 0) {
            return interest; // as the JDK maps POLLERR/POLLHUP: the operation itself reports it
        }
        int ops = 0;
        boolean conn = connected;
        if ((bits & TcpPipe.IN) != 0 && conn) {
            ops |= SelectionKey.OP_READ;
        }
        if ((bits & TcpPipe.OUT) != 0 && conn) {
            ops |= SelectionKey.OP_WRITE;
        }
        if ((bits & TcpPipe.CONNECTED) != 0 && !conn && connectPending) {
            ops |= SelectionKey.OP_CONNECT;
        }
        return ops & interest;
    }

    @Override
    protected void implConfigureBlocking(boolean block) {
        // reads and writes look at isBlocking() each time
    }

    /**
     * Wakes threads blocked in this channel (they throw AsynchronousCloseException) and closes the
     * connection: a FIN after the bytes written, or RST (SO_LINGER 0, or received bytes unread).
     * With a positive SO_LINGER in blocking mode, waits until the peer has acknowledged the bytes
     * and the FIN, at most that many seconds, then resets the connection if it has not (the JDK
     * leaves a lingering close in non-blocking mode unspecified: here it goes on in the background).
     */
    @Override
    protected void implCloseSelectableChannel() throws IOException {
        pipe.close();
        keys.readinessChanged();
        int linger = pipe.lingerSeconds;
        if (linger > 0 && isBlocking()) {
            pipe.linger(linger);
        }
    }

    private void ensureOpen() throws ClosedChannelException {
        if (!isOpen()) {
            throw new ClosedChannelException();
        }
    }

    private void ensureConnected() {
        if (!connected) {
            throw new NotYetConnectedException();
        }
    }

    private static InetSocketAddress checkAddress(SocketAddress a) {
        Objects.requireNonNull(a, "address");
        if (!(a instanceof InetSocketAddress isa)) {
            throw new UnsupportedAddressTypeException();
        }
        if (isa.isUnresolved()) {
            throw new UnresolvedAddressException();
        }
        return isa;
    }

    // ------------------------------------------------------------------ addresses and options

    @Override
    public SocketAddress getLocalAddress() throws IOException {
        ensureOpen();
        return local;
    }

    @Override
    public SocketAddress getRemoteAddress() throws IOException {
        ensureOpen();
        return connected || connectPending ? remote : null;
    }

    @Override
    public <T> SocketChannel setOption(SocketOption<T> name, T value) throws IOException {
        ChannelOptions.checkSet(OPTIONS, name, value, this::ensureOpen);
        if (name == StandardSocketOptions.TCP_NODELAY) {
            boolean on = (Boolean) value;
            noDelay = on;
            onConnection(c -> c.setNoDelay(on));
        } else if (name == StandardSocketOptions.SO_KEEPALIVE) {
            boolean on = (Boolean) value;
            keepAlive = on;
            onConnection(c -> c.setKeepAlive(on));
        } else if (name == StandardSocketOptions.SO_SNDBUF) {
            int bytes = ChannelOptions.bufferSize((Integer) value);
            sendBufferSize = bytes;
            onConnection(c -> c.setSendBufferSize(bytes));
        } else if (name == StandardSocketOptions.SO_RCVBUF) {
            int bytes = ChannelOptions.bufferSize((Integer) value);
            receiveBufferSize = bytes;
            onConnection(c -> c.setReceiveBufferSize(bytes));
        } else if (name == StandardSocketOptions.SO_LINGER) {
            pipe.lingerSeconds = ChannelOptions.lingerSeconds((Integer) value);
        } else if (name == StandardSocketOptions.SO_REUSEADDR) {
            reuseAddress = (Boolean) value;
        } else if (name == StandardSocketOptions.IP_TOS) {
            int kept = ChannelOptions.trafficClass((Integer) value) & 0xFC; // the ECN bits are TCP's own (RFC 3168 §5), cleared as Linux does
            trafficClass = kept;
            onConnection(c -> c.setTrafficClass(kept));
        }
        return this;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T getOption(SocketOption<T> name) throws IOException {
        ChannelOptions.checkGet(OPTIONS, name, this::ensureOpen);
        Object v;
        if (name == StandardSocketOptions.TCP_NODELAY) {
            v = noDelay;
        } else if (name == StandardSocketOptions.SO_KEEPALIVE) {
            v = keepAlive;
        } else if (name == StandardSocketOptions.SO_SNDBUF) {
            v = sendBufferSize;
        } else if (name == StandardSocketOptions.SO_RCVBUF) {
            v = receiveBufferSize;
        } else if (name == StandardSocketOptions.SO_LINGER) {
            v = pipe.lingerSeconds;
        } else if (name == StandardSocketOptions.IP_TOS) {
            v = trafficClass;
        } else {
            v = reuseAddress;
        }
        return (T) v;
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return OPTIONS;
    }

    private void onConnection(java.util.function.Consumer<TcpConnection> change) {
        TcpConnection c = pipe.connection();
        if (c != null) {
            LoopTasks.post(pipe.loop(), () -> change.accept(c));
        }
    }

    /**
     * A {@code java.net.Socket} view of this channel (as the JDK's adaptor: its streams need
     * blocking mode; SO_TIMEOUT applies to them).
     */
    @Override
    public Socket socket() {
        synchronized (stateLock) {
            if (adaptor == null) {
                try {
                    adaptor = new StackSocketAdaptor(this);
                } catch (java.net.SocketException impossible) {
                    throw new AssertionError(impossible);
                }
            }
            return adaptor;
        }
    }

    boolean inputShut() {
        return pipe.isInputShutdown();
    }

    boolean outputShut() {
        return pipe.isOutputShutdown();
    }

    /** The connection (null before connecting), for tests that look at what the options did. */
    TcpConnection connectionForTest() {
        return pipe.connection();
    }

    @Override
    public String toString() {
        return "StackSocketChannel[" + (isOpen() ? "" : "closed ") + (connected ? "connected " : connectPending ? "connecting " : "")
                + "local=" + local + " remote=" + remote + "]";
    }
}
