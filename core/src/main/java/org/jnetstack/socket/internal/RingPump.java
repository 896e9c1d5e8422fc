package org.jnetstack.socket.internal;

import java.io.IOException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jnetstack.loop.BatchEndTask;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.tcp.Tcp;
import org.jnetstack.tcp.TcpConfig;
import org.jnetstack.tcp.TcpConnection;
import org.jnetstack.tcp.TcpHandler;
import org.jnetstack.tcp.TcpState;
import org.jnetstack.util.ByteRing;

/**
 * A TCP connection seen through two bounded rings, as the blocking socket and the NIO channel
 * both see theirs: the state the application's threads and the loop share, and the loop's side
 * of it. On the loop thread, the connection's events move received bytes into {@link #rx} while
 * it has room (so a reader that stops reading closes the TCP window), move written bytes from
 * {@link #tx} into the connection while it takes them, and close the connection as the
 * application asked. Moves happen at the loop's end of batch: one move and one wake-up of the
 * application per batch of received frames, not per segment.
 *
 * <p>Every field below the lock is guarded by it. A subclass that publishes readiness (a
 * selector's view) overrides {@link #publish()} and {@link #announce()}.
 */
public class RingPump implements TcpHandler {
    private final EventLoop loop;
    /** Both directions shut is a close to TCP, as on Linux for a channel: later data is answered with RST. */
    private final boolean closeWhenBothShut;
    /** A close before the handshake completed resets instead of dropping the half-open connection quietly. */
    private final boolean resetBeforeEstablished;

    public final ReentrantLock lock = new ReentrantLock();
    /** Data, end of input, an error or close: what a reader waits for. */
    public final Condition readable = lock.newCondition();
    /** Room to write, the handshake's end, an error, close, the connection's end. */
    public final Condition writable = lock.newCondition();

    public TcpConnection connection;
    public ByteRing rx;
    public ByteRing tx;
    public volatile boolean established; // the handshake completed; written under lock
    public volatile boolean closed;      // the application closed; written under lock
    public boolean finished;             // the connection ended (closed or failed)
    public boolean peerFin;              // the peer's FIN arrived
    public boolean moreInConnection;     // the connection holds received bytes the ring had no room for
    public boolean pullPosted;
    public boolean flushPosted;
    public boolean inputShutdown;
    public boolean outputShutdown;
    public boolean closeRequested;       // the loop is to close the connection once tx has drained
    public boolean bothShut;             // input and output shut: the connection was closed
    public IOException error;
    public volatile int lingerSeconds = -1;

    /** Posted from the application's threads: made once. */
    public final Runnable pullOnLoop = this::pull;
    public final Runnable flushOnLoop = this::flush;
    public final Runnable closeOnLoop = this::closeOnLoop;

    // Loop thread only: made on first use, then re-requested without allocating.
    private BatchEndTask pullAtBatchEnd;
    private BatchEndTask flushAtBatchEnd;

    public RingPump(EventLoop loop, boolean closeWhenBothShut, boolean resetBeforeEstablished) {
        this.loop = loop;
        this.closeWhenBothShut = closeWhenBothShut;
        this.resetBeforeEstablished = resetBeforeEstablished;
    }

    /** Takes connection {@code c} and sizes the rings (each at most the configured socket ring). Holding the lock. */
    private void attach(TcpConnection c, int ringMax) {
        connection = c;
        rx = new ByteRing(Math.min(ringMax, c.receiveBufferSize()));
        tx = new ByteRing(Math.min(ringMax, c.sendBufferSize()));
    }

    /** Loop thread: takes over a connection a listener accepted (bytes and FIN that came already included). */
    public void adopt(TcpConnection c, int ringMax) {
        lock.lock();
        try {
            attach(c, ringMax);
            established = true;
        } finally {
            lock.unlock();
        }
        c.setHandler(this);
        // Data and FIN that came before the accept, into the ring now: a reader must never see
        // end of input while bytes still wait in the connection.
        pull();
    }

    /** Loop thread: the active open; aborted at once if the application closed meanwhile. */
    public TcpConnection open(Tcp tcp, int localPort, org.jnetstack.wire.Ipv6Address ip, int port, TcpConfig cfg,
                              boolean keepAlive, int trafficClass) {
        TcpConnection c = tcp.connect(localPort, ip, port, cfg, this);
        lock.lock();
        try {
            attach(c, tcp.config().socketRing());
            if (closed) { // closed while we were on our way here
                finished = true;
                c.abort();
                return c;
            }
        } finally {
            lock.unlock();
        }
        c.setKeepAlive(keepAlive);
        c.setTrafficClass(trafficClass);
        return c;
    }

    // ------------------------------------------------------------------ the application's side (lock held)

    /**
     * The end-of-input rule, with the receive ring empty: the peer's FIN came or the connection
     * ended, and no received byte is left in the connection either. Until then a reader waits
     * (or, non-blocking, reads nothing) while the loop moves the rest into the ring.
     */
    public boolean inputEnded() {
        return (peerFin || finished) && !moreInConnection;
    }

    /** True once until the pull it asks for has run: the caller posts {@link #pullOnLoop}. */
    public boolean pullWanted() {
        if (moreInConnection && !pullPosted) {
            pullPosted = true;
            return true;
        }
        return false;
    }

    /** True once until the flush it asks for has run: the caller posts {@link #flushOnLoop}. */
    public boolean flushWanted() {
        if (!flushPosted) {
            flushPosted = true;
            return true;
        }
        return false;
    }

    /** Marks the pipe closed and wakes blocked readers and writers; false if it already was. */
    public boolean markClosed() {
        if (closed) {
            return false;
        }
        closed = true;
        readable.signalAll();
        writable.signalAll();
        return true;
    }

    /** Wakes every waiter and republishes readiness, lock held; true if it became more ready. */
    private boolean wakeAll() {
        readable.signalAll();
        writable.signalAll();
        return publish();
    }

    /** Recomputes what a selector sees, lock held; true if it became more ready. None here. */
    protected boolean publish() {
        return false;
    }

    /** Tells selectors that readiness changed, lock not held. None here. */
    protected void announce() {
    }

    // ------------------------------------------------------------------ the loop's side

    @Override
    public void onConnected(TcpConnection c) {
        boolean gained;
        lock.lock();
        try {
            established = true;
            writable.signalAll();
            gained = publish();
        } finally {
            lock.unlock();
        }
        if (gained) {
            announce();
        }
    }

    @Override
    public void onReceive(TcpConnection c) {
        pullAfterBatch();
    }

    @Override
    public void onEndOfInput(TcpConnection c) {
        pullAfterBatch();
    }

    @Override
    public void onSent(TcpConnection c, int bytes) {
        if (flushAtBatchEnd == null) {
            flushAtBatchEnd = loop.newBatchEndTask(flushOnLoop);
        }
        flushAtBatchEnd.request();
    }

    private void pullAfterBatch() {
        if (pullAtBatchEnd == null) {
            pullAtBatchEnd = loop.newBatchEndTask(pullOnLoop);
        }
        pullAtBatchEnd.request();
    }

    /**
     * The stack is ending (its program exits): closed as the application's close would be, so the
     * bytes still in the send ring go out before the FIN, and unread data means RST.
     */
    @Override
    public void onStackEnding(TcpConnection c) {
        lock.lock();
        try {
            markClosed(); // closed already or not, the connection is ended below
        } finally {
            lock.unlock();
        }
        closeOnLoop();
    }

    @Override
    public void onError(TcpConnection c, IOException e) {
        pull(); // bytes that arrived before the reset are still read first, as on Linux
        lock.lock();
        try {
            error = e;
            finished = true;
            tx.clear();
            wakeAll();
        } finally {
            lock.unlock();
        }
        announce();
    }

    @Override
    public void onClosed(TcpConnection c) {
        // Bytes and a FIN that arrived in this batch are still waiting for the batch's end:
        // take them now, so a reader woken by the close sees them before the end.
        pull();
        boolean gained;
        lock.lock();
        try {
            if (c.state() == TcpState.CLOSED) {
                finished = true;
            }
            gained = wakeAll();
        } finally {
            lock.unlock();
        }
        if (gained) {
            announce();
        }
    }

    /** Moves received bytes from the connection into the ring while it has room. */
    public void pull() {
        boolean gained;
        lock.lock();
        try {
            pullPosted = false;
            TcpConnection c = connection;
            if (c == null || closed) {
                return; // unread bytes stay in the connection: closing it then resets
            }
            int room;
            while (c.readable() > 0 && (room = rx.freeContiguous()) > 0) {
                int got = c.read(rx.array(), rx.tail(), room);
                if (got <= 0) {
                    break;
                }
                rx.added(got);
                if (inputShutdown) {
                    rx.clear();
                }
            }
            moreInConnection = c.readable() > 0;
            if (c.peerClosedOutput()) {
                peerFin = true;
            }
            readable.signalAll();
            gained = publish();
        } finally {
            lock.unlock();
        }
        if (gained) {
            announce();
        }
    }

    /** Moves written bytes from the ring into the connection while it takes them; then FIN if asked. */
    public void flush() {
        boolean closeNow = false;
        boolean gained = false;
        TcpConnection c;
        lock.lock();
        try {
            flushPosted = false;
            c = connection;
            if (c == null || finished || !established && !closeRequested) {
                return; // before the handshake: onConnected's writable signal starts the flush
            }
            int before = tx.size();
            while (!tx.isEmpty()) {
                int room = c.writable();
                if (room == 0) {
                    break;
                }
                int n = Math.min(room, tx.usedContiguous());
                int w = c.write(tx.array(), tx.head(), n);
                tx.skip(w);
                if (w < n) {
                    break;
                }
            }
            if (tx.size() != before || closeRequested) {
                writable.signalAll();
                gained = publish();
            }
            if (tx.isEmpty()) {
                if (closeRequested) {
                    closeRequested = false;
                    closeNow = true;
                } else if (closeWhenBothShut && outputShutdown && inputShutdown && !bothShut) {
                    bothShut = true;
                    closeNow = true;
                } else if (outputShutdown && !c.isOutputShutdown()) {
                    c.shutdownOutput();
                }
            }
        } finally {
            lock.unlock();
        }
        if (gained) {
            announce();
        }
        if (closeNow) {
            if (bothShut) {
                pull(); // discards what came after shutdownInput, so the close is a FIN, not a RST
            }
            c.close(); // FIN after the data; RST if received bytes were never read
        }
    }

    /** After the application's close: a graceful FIN once written bytes are out, or RST. */
    public void closeOnLoop() {
        TcpConnection c;
        boolean reset;
        lock.lock();
        try {
            c = connection;
            if (c == null || finished) {
                return;
            }
            reset = lingerSeconds == 0 || !rx.isEmpty() || moreInConnection || c.readable() > 0
                    || resetBeforeEstablished && !established;
            if (reset) {
                tx.clear();
            } else {
                closeRequested = true;
            }
        } finally {
            lock.unlock();
        }
        if (reset) {
            c.abort();
        } else {
            flush();
        }
    }
}
