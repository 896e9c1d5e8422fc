package org.jnetstack.socket;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.Objects;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jnetstack.NetStack;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.socket.internal.RingPump;
import org.jnetstack.socket.internal.SocketErrors;
import org.jnetstack.tcp.TcpConfig;
import org.jnetstack.tcp.TcpConnection;
import org.jnetstack.tcp.TcpInfo;
import org.jnetstack.tcp.TcpState;
import org.jnetstack.wire.Ipv4Address;

/**
 * A blocking TCP socket for any thread (platform or virtual), on the callback API of one
 * {@link NetStack} — uSock's {@code open/send/recv/close} in Java idiom.
 *
 * <pre>{@code
 * try (TcpSocket s = Sockets.of(stack).connect("10.0.0.1", 80)) {
 *     s.getOutputStream().write("GET / HTTP/1.0\r\n\r\n".getBytes());
 *     s.shutdownOutput();                        // half-close: our FIN follows the request
 *     s.getInputStream().transferTo(System.out); // until the server's FIN
 * }
 * }</pre>
 *
 * <p>Between the application and the connection sit two bounded rings: the loop moves received
 * bytes into one only while it has room, so a reader that stops reading closes the TCP window
 * (memory stays bounded), and a writer blocks while the other is full. Waits park on a
 * {@link ReentrantLock} condition, never in {@code synchronized}, so virtual threads unmount.
 * {@link #close()} from any thread wakes blocked readers and writers at once with
 * {@code SocketException: Socket closed}. Errors are java.net's: {@code ConnectException:
 * Connection refused}, {@code SocketTimeoutException: Read timed out}, {@code SocketException:
 * Connection reset}. Interrupting a thread blocked here closes the socket ({@code SocketException:
 * Closed by interrupt}), as the JDK's own sockets do for virtual threads.
 *
 * <p>Never call the blocking methods on the stack's event-loop thread: they would wait for the
 * very thread they block; they throw {@link IllegalStateException} there instead.
 */
public final class TcpSocket implements Closeable {
    final NetStack stack;
    final EventLoop loop;
    /**
     * The rings, the state this socket shares with the loop, and the loop's side that moves bytes
     * between them and the connection. Unlike a channel's, a socket's connection stays open with
     * both directions shut, and a close during the handshake drops it as TCP's CLOSE does.
     */
    final RingPump pump;

    // Guarded by pump.lock.
    boolean connecting;
    volatile InetSocketAddress remote; // set on the loop when the connection is attached
    volatile InetSocketAddress local;

    // Options: kept here and applied to the connection (its per-connection TcpConfig before connecting).
    int bindPort; // guarded by pump.lock
    private volatile int soTimeoutMillis;
    volatile boolean noDelay;
    volatile boolean keepAlive;
    volatile int trafficClass;
    volatile int sendBufferSize;
    volatile int receiveBufferSize;

    private InputStream in;
    private OutputStream out;

    /** An unconnected socket; {@link #connect} it. */
    public TcpSocket(NetStack stack) {
        this.stack = Objects.requireNonNull(stack, "stack");
        this.loop = stack.loop();
        this.pump = new RingPump(loop, false, false);
        TcpConfig cfg = stack.tcp().config();
        this.noDelay = !cfg.nagle();
        this.sendBufferSize = cfg.sendBuffer();
        this.receiveBufferSize = cfg.receiveBuffer();
    }

    /** A socket around a connection a listener accepted (loop thread). */
    TcpSocket(NetStack stack, TcpConnection c) {
        this.stack = stack;
        this.loop = stack.loop();
        this.pump = new RingPump(loop, false, false);
        this.noDelay = c.noDelay();
        this.keepAlive = c.keepAlive();
        this.trafficClass = c.trafficClass();
        this.sendBufferSize = c.sendBufferSize();
        this.receiveBufferSize = c.receiveBufferSize();
        addressesOf(c);
        pump.adopt(c, stack.tcp().config().socketRing());
    }

    /** Takes the addresses of the connection this socket is attached to (loop thread). */
    void addressesOf(TcpConnection c) {
        local = new InetSocketAddress(c.localInetAddress(), c.localPort());
        remote = new InetSocketAddress(c.remoteInetAddress(), c.remotePort());
    }

    // ------------------------------------------------------------------ opening

    /** Chooses the local port before {@link #connect} (0: ephemeral, the default). */
    public void bind(int localPort) throws SocketException {
        if (localPort < 0 || localPort > 65535) {
            throw new IllegalArgumentException("port out of range: " + localPort);
        }
        pump.lock.lock();
        try {
            if (pump.closed) {
                throw new SocketException("Socket is closed");
            }
            if (pump.connection != null || connecting) {
                throw new SocketException("Already bound");
            }
            bindPort = localPort;
        } finally {
            pump.lock.unlock();
        }
    }

    /**
     * Connects to {@code host} by name or address literal over both families, Happy Eyeballs v2
     * (RFC 8305, {@link HappyEyeballs}): IPv6 and IPv4 addresses interleaved, a new attempt every
     * 250 ms until one connects; the others are aborted. {@code timeoutMillis} (0: none) bounds
     * the whole. The local port is ephemeral. If it fails, the socket is closed.
     *
     * @throws java.net.UnknownHostException when the name has no address
     * @throws java.net.ConnectException when no address accepted the connection
     */
    public void connect(String host, int port, org.jnetstack.dns.NameResolver resolver, int timeoutMillis) throws IOException {
        TcpSocketConnect.connect(this, host, port, resolver, timeoutMillis);
    }

    /** Connects without a timeout (TCP's own SYN retries still end it). */
    public void connect(InetSocketAddress remote) throws IOException {
        connect(remote, 0);
    }

    /**
     * Opens the connection (active open) and waits for the handshake. If it fails, the socket is
     * closed (as with java.net).
     *
     * @param timeoutMillis 0: wait until TCP gives up (its SYN retries)
     * @throws java.net.ConnectException "Connection refused" when the peer answers with RST
     * @throws SocketTimeoutException "Connect timed out" after {@code timeoutMillis}
     * @throws UnknownHostException for an unresolved address (resolve names with {@link Sockets})
     */
    public void connect(InetSocketAddress remote, int timeoutMillis) throws IOException {
        TcpSocketConnect.connect(this, remote, timeoutMillis);
    }

    // ------------------------------------------------------------------ reading

    /**
     * Reads up to {@code len} bytes, waiting for at least one (up to {@link #setSoTimeout}).
     *
     * @return bytes read, or -1 at end of input (the peer's FIN, or {@link #shutdownInput})
     */
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        boolean pull = false;
        int n;
        pump.lock.lock();
        try {
            checkConnected();
            if (len == 0) {
                return 0;
            }
            long deadline = Waits.deadline(soTimeoutMillis);
            while (true) {
                if (pump.closed) {
                    throw SocketErrors.closed();
                }
                if (pump.inputShutdown) {
                    return -1;
                }
                if (!pump.rx.isEmpty()) {
                    n = pump.rx.read(b, off, len);
                    pull = pump.pullWanted();
                    break;
                }
                if (pump.error != null) {
                    throw SocketErrors.rethrown(pump.error);
                }
                if (pump.inputEnded()) {
                    return -1;
                }
                if (pump.pullWanted()) { // the ring is empty but the connection is not: fill it first
                    LoopCall.post(loop, pump.pullOnLoop);
                }
                if (!Waits.await(pump.readable, deadline, loop, this)) {
                    throw new SocketTimeoutException("Read timed out");
                }
            }
        } finally {
            pump.lock.unlock();
        }
        if (pull) {
            LoopCall.post(loop, pump.pullOnLoop);
        }
        return n;
    }

    /** Bytes that {@link #read} returns without waiting. */
    public int available() throws IOException {
        pump.lock.lock();
        try {
            if (pump.closed) {
                throw SocketErrors.closed();
            }
            return pump.rx == null || pump.inputShutdown ? 0 : pump.rx.size();
        } finally {
            pump.lock.unlock();
        }
    }

    // ------------------------------------------------------------------ writing

    /**
     * Writes all of {@code b[off, off+len)}, waiting while the send buffers are full. The bytes
     * are on their way when this returns (there is nothing to flush).
     */
    public void write(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        while (true) {
            boolean flush = false;
            pump.lock.lock();
            try {
                checkConnected();
                while (true) {
                    if (pump.closed) {
                        throw SocketErrors.closed();
                    }
                    if (pump.outputShutdown) {
                        throw new SocketException("Socket output is shutdown");
                    }
                    if (pump.error != null) {
                        throw SocketErrors.rethrown(pump.error);
                    }
                    if (pump.finished) {
                        throw new SocketException("Broken pipe");
                    }
                    if (len == 0) {
                        return;
                    }
                    if (pump.tx.free() > 0) {
                        break;
                    }
                    Waits.await(pump.writable, 0, loop, this);
                }
                int n = pump.tx.write(b, off, len);
                off += n;
                len -= n;
                flush = pump.flushWanted();
            } finally {
                pump.lock.unlock();
            }
            if (flush) {
                LoopCall.post(loop, pump.flushOnLoop);
            }
            if (len == 0) {
                return;
            }
        }
    }

    // ------------------------------------------------------------------ half-close, close

    /**
     * Half-close: a FIN follows the bytes written so far; reading goes on (uSock's zero-length
     * send). Later writes throw {@code SocketException: Socket output is shutdown}.
     */
    public void shutdownOutput() throws IOException {
        pump.lock.lock();
        try {
            checkConnected();
            if (pump.closed) {
                throw SocketErrors.closed();
            }
            if (pump.outputShutdown) {
                return;
            }
            pump.outputShutdown = true;
            pump.writable.signalAll();
        } finally {
            pump.lock.unlock();
        }
        LoopCall.post(loop, pump.flushOnLoop);
    }

    /** Reads return end of input from now on; what arrives is discarded (the window stays open). */
    public void shutdownInput() throws IOException {
        pump.lock.lock();
        try {
            checkConnected();
            if (pump.closed) {
                throw SocketErrors.closed();
            }
            pump.inputShutdown = true;
            pump.rx.clear();
            pump.readable.signalAll();
        } finally {
            pump.lock.unlock();
        }
        LoopCall.post(loop, pump.pullOnLoop);
    }

    /**
     * Closes the socket: blocked readers and writers wake at once with {@code Socket closed}; the
     * bytes already written still go out, then a FIN. With unread received data, or with
     * {@code SO_LINGER} 0, the connection is reset instead (as Linux does). With a positive linger
     * time this waits (up to that time) for the connection to finish. Safe from any thread;
     * closing twice is harmless.
     */
    @Override
    public void close() {
        int linger;
        pump.lock.lock();
        try {
            if (!pump.markClosed()) {
                return;
            }
            linger = pump.lingerSeconds;
            if (pump.connection == null) {
                return; // never connected, or the connect call in flight sees 'closed' on the loop
            }
        } finally {
            pump.lock.unlock();
        }
        LoopCall.post(loop, pump.closeOnLoop);
        if (linger > 0 && !loop.inLoop()) {
            lingerUntilSent(System.nanoTime() + linger * 1_000_000_000L);
        }
    }

    /**
     * SO_LINGER: waits until every byte written and our FIN are acknowledged (or the connection
     * ended), at most until {@code deadline}. The state is asked of the loop after each wake-up
     * (a FIN's ACK raises no event of its own; waits wake at least once a second).
     */
    private void lingerUntilSent(long deadline) {
        TcpConnection c = pump.connection;
        while (System.nanoTime() - deadline < 0) {
            try {
                TcpState s = LoopCall.call(loop, c::state);
                if (s == TcpState.FIN_WAIT_2 || s == TcpState.TIME_WAIT || s == TcpState.CLOSED) {
                    return;
                }
            } catch (IOException stopped) {
                return;
            }
            pump.lock.lock();
            try {
                if (pump.finished || !awaitQuietly(pump.writable, deadline)) {
                    return;
                }
            } finally {
                pump.lock.unlock();
            }
        }
    }

    /** Resets the connection at once (RST), discarding buffered data both ways. */
    public void abort() {
        setSoLinger(true, 0);
        close();
    }

    // ------------------------------------------------------------------ state

    public boolean isConnected() {
        return pump.established;
    }

    public boolean isClosed() {
        return pump.closed;
    }

    /** uSock's read-EOF: the peer's FIN arrived and every byte before it has been read. */
    public boolean isInputEnded() {
        pump.lock.lock();
        try {
            return pump.inputShutdown || pump.peerFin && !pump.moreInConnection && (pump.rx == null || pump.rx.isEmpty());
        } finally {
            pump.lock.unlock();
        }
    }

    /** uSock's write-EOF: our side shut output down (or closed). */
    public boolean isOutputShutdown() {
        pump.lock.lock();
        try {
            return pump.outputShutdown || pump.closed;
        } finally {
            pump.lock.unlock();
        }
    }

    public boolean isInputShutdown() {
        pump.lock.lock();
        try {
            return pump.inputShutdown;
        } finally {
            pump.lock.unlock();
        }
    }

    /** The peer's address and port; null before connecting. */
    public InetSocketAddress remoteAddress() {
        return remote;
    }

    /** Our address and port; null before connecting. */
    public InetSocketAddress localAddress() {
        return local;
    }

    public NetStack stack() {
        return stack;
    }

    /** A snapshot of the connection (windows, RTT, retransmissions); null before connecting. */
    public TcpInfo info() throws IOException {
        TcpConnection c;
        c = pump.connection;
        return c == null ? null : LoopCall.call(loop, c::info);
    }

    // ------------------------------------------------------------------ options

    /** SO_TIMEOUT: how long {@link #read} waits (0: for ever). */
    public void setSoTimeout(int millis) {
        soTimeoutMillis = Waits.checkTimeout(millis);
    }

    public int getSoTimeout() {
        return soTimeoutMillis;
    }

    /** TCP_NODELAY: send small segments at once instead of coalescing them (Nagle off). */
    public void setTcpNoDelay(boolean on) {
        noDelay = on;
        onConnection(c -> c.setNoDelay(on));
    }

    public boolean getTcpNoDelay() {
        return noDelay;
    }

    /** SO_KEEPALIVE: probe an idle peer (timing from {@link TcpConfig}). */
    public void setKeepAlive(boolean on) {
        keepAlive = on;
        onConnection(c -> c.setKeepAlive(on));
    }

    public boolean getKeepAlive() {
        return keepAlive;
    }

    /** IP_TOS: the TOS byte of the segments sent after the SYN; the ECN bits are TCP's own and cleared, as Linux does. */
    public void setTrafficClass(int tos) {
        if (tos < 0 || tos > 255) {
            throw new IllegalArgumentException("TOS must be 0-255: " + tos);
        }
        int kept = tos & 0xFC;
        trafficClass = kept;
        onConnection(c -> c.setTrafficClass(kept));
    }

    public int getTrafficClass() {
        return trafficClass;
    }

    /** SO_SNDBUF: the connection's send buffer. Before connecting it also sizes our ring. */
    public void setSendBufferSize(int bytes) {
        sendBufferSize = Waits.checkBufferSize(bytes);
        onConnection(c -> c.setSendBufferSize(bytes));
    }

    public int getSendBufferSize() {
        return sendBufferSize;
    }

    /**
     * SO_RCVBUF: the connection's receive buffer, which bounds the window. Set it before
     * connecting for windows beyond 64 KiB: the window scale is fixed by the SYN (RFC 7323 §2.2).
     */
    public void setReceiveBufferSize(int bytes) {
        receiveBufferSize = Waits.checkBufferSize(bytes);
        onConnection(c -> c.setReceiveBufferSize(bytes));
    }

    public int getReceiveBufferSize() {
        return receiveBufferSize;
    }

    /** SO_LINGER: off (-1) by default; 0 resets on close; a positive time makes close wait. */
    public void setSoLinger(boolean on, int seconds) {
        if (on && seconds < 0) {
            throw new IllegalArgumentException("invalid linger time: " + seconds);
        }
        pump.lingerSeconds = on ? Math.min(seconds, 65535) : -1;
    }

    /** The linger time, or -1 when off. */
    public int getSoLinger() {
        return pump.lingerSeconds;
    }

    private void onConnection(java.util.function.Consumer<TcpConnection> change) {
        TcpConnection c;
        c = pump.connection;
        if (c != null) {
            LoopCall.post(loop, () -> change.accept(c));
        }
    }

    // ------------------------------------------------------------------ streams

    /** The input side; closing it closes the socket (as with java.net). */
    public InputStream getInputStream() throws IOException {
        pump.lock.lock();
        try {
            checkConnected();
            if (in == null) {
                in = new TcpSocketStreams.Input(this);
            }
            return in;
        } finally {
            pump.lock.unlock();
        }
    }

    /** The output side; closing it closes the socket (as with java.net). */
    public OutputStream getOutputStream() throws IOException {
        pump.lock.lock();
        try {
            checkConnected();
            if (out == null) {
                out = new TcpSocketStreams.Output(this);
            }
            return out;
        } finally {
            pump.lock.unlock();
        }
    }

    // ------------------------------------------------------------------ waiting

    private void checkConnected() throws SocketException {
        if (!pump.established) {
            throw new SocketException(pump.closed ? "Socket is closed" : "Socket is not connected");
        }
    }

    private boolean awaitQuietly(Condition cond, long deadline) {
        try {
            return Waits.await(cond, deadline, loop, this);
        } catch (SocketException interrupted) {
            return false;
        }
    }

    static InetAddress inet(int bits) {
        return new Ipv4Address(bits).toInetAddress();
    }

    @Override
    public String toString() {
        InetSocketAddress l = localAddress();
        InetSocketAddress r = remoteAddress();
        return "TcpSocket[" + (l == null ? "unconnected" : format(l) + " -> " + format(r)) + (isClosed() ? " closed" : "") + "]";
    }

    private static String format(InetSocketAddress a) {
        return a.getAddress().getHostAddress() + ":" + a.getPort();
    }
}
