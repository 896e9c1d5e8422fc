package org.jnetstack.socket.nio;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import org.jnetstack.NetStack;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.socket.internal.RingPump;
import org.jnetstack.socket.internal.SocketErrors;
import org.jnetstack.tcp.TcpConfig;
import org.jnetstack.tcp.TcpConnection;
import org.jnetstack.tcp.TcpState;

/**
 * The byte pipe between a {@link StackSocketChannel} and its TCP connection: two bounded rings
 * that the loop fills and drains through the callback API, the connection's state as the
 * application sees it, blocking waits, and the readiness bits a selector reads.
 *
 * <p>The loop moves received bytes into the receive ring only while it has room, so an
 * application that stops reading closes the TCP window; writes wait (or, non-blocking, return
 * short) while the send ring is full. Every state change that can make the channel more ready
 * republishes {@link #pollBits} and tells the channel's selectors. This class is the application's
 * side; the loop's is the {@link RingPump} it extends, shared with the blocking socket.
 */
final class TcpPipe extends RingPump {
    /** Poll bits, as poll(2) would report them for a kernel socket. */
    static final int IN = 1;
    static final int OUT = 2;
    static final int CONNECTED = 4;
    static final int HANGUP = 8; // an error, the connection is over, or both directions are shut (poll's POLLHUP)

    final NetStack stack;
    final EventLoop loop;
    final KeyList keys;

    private volatile int pollBits;

    TcpPipe(NetStack stack, KeyList keys) {
        // Both directions shut closes the connection, and a close before the handshake resets:
        // what Linux does for the JDK's own channels (SameAsJdkPropertiesTest compares).
        super(stack.loop(), true, true);
        this.stack = stack;
        this.loop = stack.loop();
        this.keys = keys;
    }

    EventLoop loop() {
        return loop;
    }

    int pollBits() {
        return pollBits;
    }

    /** Loop thread: takes over a connection a listener accepted (bytes and FIN that came already included). */
    void adopt(TcpConnection c) {
        adopt(c, stack.tcp().config().socketRing());
    }

    /** Starts the handshake (active open) on the loop; returns the connection (its local port is chosen). */
    TcpConnection connect(int localPort, org.jnetstack.wire.Ipv6Address ip, int port, TcpConfig cfg, boolean keepAlive, int trafficClass)
            throws IOException {
        return LoopTasks.call(loop, () -> open(stack.tcp(), localPort, ip, port, cfg, keepAlive, trafficClass));
    }

    TcpConnection connection() {
        lock.lock();
        try {
            return connection;
        } finally {
            lock.unlock();
        }
    }

    // ------------------------------------------------------------------ the application's side

    /** Outcome of waiting: the operation can go on, or the channel was closed meanwhile. */
    static final int GO = 0;
    static final int CLOSED = -2;

    /**
     * The handshake's outcome: true when established; false when still under way and
     * {@code block} is false. Throws the connection's error (refused, unreachable, timed out).
     * Returns false as well when the channel was closed meanwhile (the caller then checks).
     */
    boolean awaitEstablished(boolean block) throws IOException {
        return awaitEstablished(block, 0);
    }

    /** {@link #awaitEstablished(boolean)} with a timeout in milliseconds (0: none): "Connect timed out". */
    boolean awaitEstablished(boolean block, int timeoutMillis) throws IOException {
        long deadline = timeoutMillis == 0 ? 0 : System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        lock.lock();
        try {
            while (true) {
                if (closed) {
                    return false;
                }
                if (established) {
                    return true;
                }
                if (error != null) {
                    throw SocketErrors.rethrown(error);
                }
                if (finished) {
                    throw new ConnectException("Connection refused");
                }
                if (!block) {
                    return false;
                }
                if (deadline != 0 && deadline - System.nanoTime() <= 0) {
                    throw new SocketTimeoutException("Connect timed out");
                }
                await(writable, deadline);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Reads into {@code dsts[off, off+len)}: the bytes read, -1 at end of input, 0 when
     * non-blocking and nothing has arrived, or {@link #CLOSED} when the channel was closed.
     */
    long read(ByteBuffer[] dsts, int off, int len, boolean block) throws IOException {
        return read(dsts, off, len, block, 0);
    }

    /** {@link #read} with a timeout in milliseconds (0: none) when blocking: SO_TIMEOUT of the socket adaptor. */
    long read(ByteBuffer[] dsts, int off, int len, boolean block, int timeoutMillis) throws IOException {
        long deadline = timeoutMillis == 0 ? 0 : System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        long n = 0;
        boolean pull = false;
        lock.lock();
        try {
            while (true) {
                if (closed) {
                    return CLOSED;
                }
                if (inputShutdown) {
                    return -1;
                }
                if (!rx.isEmpty()) {
                    for (int i = off; i < off + len && !rx.isEmpty(); i++) {
                        n += rx.take(dsts[i]);
                    }
                    pull = pullWanted();
                    publish();
                    break;
                }
                if (error != null) {
                    throw SocketErrors.rethrown(error);
                }
                if (inputEnded()) {
                    return -1;
                }
                if (pullWanted()) { // the ring is empty but the connection is not: fill it first
                    LoopTasks.post(loop, pullOnLoop);
                }
                if (!block) {
                    return 0;
                }
                if (deadline != 0 && deadline - System.nanoTime() <= 0) {
                    throw new SocketTimeoutException("Read timed out");
                }
                await(readable, deadline);
            }
        } finally {
            lock.unlock();
        }
        if (pull) {
            LoopTasks.post(loop, pullOnLoop);
        }
        return n;
    }

    /**
     * Writes from {@code srcs[off, off+len)}: all of it when blocking, what fits when not.
     * Returns the bytes taken, or {@link #CLOSED} when the channel was closed before any was.
     * Throws {@code AsynchronousCloseException} (a ClosedChannelException) after {@link #shutdownOutput()}, as the JDK does.
     */
    long write(ByteBuffer[] srcs, int off, int len, boolean block) throws IOException {
        long n = 0;
        boolean flush = false;
        lock.lock();
        try {
            while (true) {
                if (closed) {
                    return n > 0 ? n : CLOSED;
                }
                if (outputShutdown) {
                    // The JDK's SocketChannel throws this subclass of ClosedChannelException here
                    // (SameAsJdkPropertiesTest compares): code written against it may rely on it.
                    throw new java.nio.channels.AsynchronousCloseException();
                }
                if (error != null) {
                    throw SocketErrors.rethrown(error);
                }
                if (finished) {
                    throw new SocketException("Broken pipe");
                }
                for (int i = off; i < off + len && tx.free() > 0; i++) {
                    int put = tx.put(srcs[i]);
                    n += put;
                    if (put > 0 && !flush) {
                        flush = flushWanted();
                    }
                }
                if (!block || remaining(srcs, off, len) == 0) {
                    publish();
                    break;
                }
                if (flush) { // hand the loop what we have before waiting for room
                    flush = false;
                    LoopTasks.post(loop, flushOnLoop);
                }
                await(writable, 0);
            }
        } finally {
            lock.unlock();
        }
        if (flush) {
            LoopTasks.post(loop, flushOnLoop);
        }
        return n;
    }

    private static long remaining(ByteBuffer[] bufs, int off, int len) {
        long r = 0;
        for (int i = off; i < off + len; i++) {
            r += bufs[i].remaining();
        }
        return r;
    }

    /** Reads return end of input from now on; what arrives is discarded (the window stays open). */
    void shutdownInput() {
        lock.lock();
        try {
            inputShutdown = true;
            rx.clear();
            readable.signalAll();
            publish();
        } finally {
            lock.unlock();
        }
        LoopTasks.post(loop, pullOnLoop);
        LoopTasks.post(loop, flushOnLoop); // with output shut too, that closes the connection
        keys.readinessChanged();
    }

    /** Half-close: a FIN follows the bytes written so far. */
    void shutdownOutput() {
        lock.lock();
        try {
            if (outputShutdown) {
                return;
            }
            outputShutdown = true;
            writable.signalAll();
            publish();
        } finally {
            lock.unlock();
        }
        LoopTasks.post(loop, flushOnLoop);
        keys.readinessChanged();
    }

    boolean isInputShutdown() {
        lock.lock();
        try {
            return inputShutdown;
        } finally {
            lock.unlock();
        }
    }

    boolean isOutputShutdown() {
        lock.lock();
        try {
            return outputShutdown;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Closes: blocked readers and writers wake at once (the channel throws
     * AsynchronousCloseException in them); the bytes already written still go out, then a FIN;
     * with unread received data, or SO_LINGER 0, the connection is reset instead (as Linux does).
     */
    void close() {
        boolean hasConnection;
        lock.lock();
        try {
            if (!markClosed()) {
                return;
            }
            hasConnection = connection != null;
        } finally {
            lock.unlock();
        }
        if (hasConnection) {
            LoopTasks.post(loop, closeOnLoop);
        }
    }

    /** How often a lingering close asks the loop whether everything was acknowledged. */
    private static final long LINGER_CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    /**
     * After {@link #close()}, for SO_LINGER with a positive time in blocking mode: waits until the
     * peer has acknowledged every byte written and the FIN, at most {@code seconds}; what is still
     * unacknowledged then is discarded and the connection reset (RST). Returns at once on the loop
     * thread, and stops waiting (the close goes on in the background) when the thread is
     * interrupted, keeping its interrupt status.
     */
    void linger(int seconds) throws IOException {
        if (loop.inLoop() || connection() == null) {
            return;
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!LoopTasks.call(loop, this::allAcknowledged)) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                LoopTasks.call(loop, this::resetUnacknowledged);
                return;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(Math.min(left, LINGER_CHECK_NANOS));
            if (Thread.currentThread().isInterrupted()) {
                return;
            }
        }
    }

    /**
     * Waits on {@code cond} (lock held) until signalled, at most a second (to notice a stopped
     * loop) and at most until {@code deadline} (0: none).
     */
    private void await(Condition cond, long deadline) throws IOException {
        LoopTasks.checkNotLoopThread(loop);
        if (loop.isClosed()) {
            throw new SocketException("Socket closed: the network stack's event loop has stopped");
        }
        try {
            long wait = TimeUnit.SECONDS.toNanos(1);
            if (deadline != 0) {
                wait = Math.min(wait, deadline - System.nanoTime());
            }
            cond.awaitNanos(wait);
        } catch (InterruptedException e) {
            // Thread.interrupt() runs the channel's interruptor right after setting the status: it
            // closes the channel, which signals us. Wait for that without spinning, then leave the
            // status set for the caller (the channel throws ClosedByInterruptException).
            if (!closed) {
                cond.awaitUninterruptibly();
            }
            Thread.currentThread().interrupt();
        }
    }

    /** A lingering close's question: is the connection over, or are our data and FIN acknowledged? */
    private boolean allAcknowledged() {
        TcpConnection c;
        lock.lock();
        try {
            c = connection;
            if (c == null || finished) {
                return true;
            }
            if (!tx.isEmpty() || closeRequested) {
                return false;
            }
        } finally {
            lock.unlock();
        }
        TcpState s = c.state();
        return s == TcpState.FIN_WAIT_2 || s == TcpState.TIME_WAIT || s == TcpState.CLOSED;
    }

    /** The linger time is over: RST instead of the rest of the graceful close. */
    private Void resetUnacknowledged() {
        TcpConnection c;
        lock.lock();
        try {
            c = connection;
            tx.clear();
            closeRequested = false;
        } finally {
            lock.unlock();
        }
        if (c != null) {
            c.abort();
        }
        return null;
    }

    /** Recomputes {@link #pollBits} (lock held); true if it gained a bit. */
    @Override
    protected boolean publish() {
        int bits = 0;
        if (rx != null && !rx.isEmpty() || inputShutdown || inputEnded() || error != null) {
            bits |= IN;
        }
        if (established && (tx.free() > 0 || outputShutdown) || finished || error != null) {
            bits |= OUT;
        }
        if (established || finished || error != null) {
            bits |= CONNECTED;
        }
        if (finished || error != null || (peerFin || inputShutdown) && outputShutdown) { // Linux: both directions shut
            bits |= HANGUP;
        }
        int before = pollBits;
        pollBits = bits;
        return (bits & ~before) != 0;
    }

    @Override
    protected void announce() {
        keys.readinessChanged();
    }
}
