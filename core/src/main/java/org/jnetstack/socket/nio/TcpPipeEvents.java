package org.jnetstack.socket.nio;

import java.io.IOException;
import org.jnetstack.loop.BatchEndTask;
import org.jnetstack.tcp.TcpConnection;
import org.jnetstack.tcp.TcpHandler;
import org.jnetstack.tcp.TcpState;

/**
 * The loop's side of a {@link TcpPipe}: the connection's events, on the loop thread, move bytes
 * between the pipe's rings and the connection, and close it as the application asked.
 */
final class TcpPipeEvents implements TcpHandler {
    private final TcpPipe pipe;
    // Loop thread only: one move and one wake-up per batch of received frames, not per segment,
    // at the loop's end-of-batch step. Made on first use (the loop thread), then re-requested
    // without allocating.
    private BatchEndTask pullTask;
    private BatchEndTask flushTask;

    TcpPipeEvents(TcpPipe pipe) {
        this.pipe = pipe;
    }

    @Override
    public void onConnected(TcpConnection c) {
        boolean gained;
        pipe.lock.lock();
        try {
            pipe.established = true;
            pipe.writable.signalAll();
            gained = pipe.publish();
        } finally {
            pipe.lock.unlock();
        }
        if (gained) {
            pipe.keys.readinessChanged();
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
        flushAfterBatch();
    }

    private void pullAfterBatch() {
        if (pullTask == null) {
            pullTask = pipe.loop.newBatchEndTask(this::pull);
        }
        pullTask.request();
    }

    private void flushAfterBatch() {
        if (flushTask == null) {
            flushTask = pipe.loop.newBatchEndTask(this::flush);
        }
        flushTask.request();
    }

    /** The stack is ending: close as the application's close would (bytes written go out first). */
    @Override
    public void onStackEnding(TcpConnection c) {
        pipe.lock.lock();
        try {
            pipe.closed = true;
            pipe.readable.signalAll();
            pipe.writable.signalAll();
        } finally {
            pipe.lock.unlock();
        }
        closeOnLoop();
    }

    @Override
    public void onError(TcpConnection c, IOException e) {
        pull(); // bytes that arrived before a reset are still read first, as on Linux
        pipe.lock.lock();
        try {
            pipe.error = e;
            pipe.finished = true;
            pipe.tx.clear();
            pipe.readable.signalAll();
            pipe.writable.signalAll();
            pipe.publish();
        } finally {
            pipe.lock.unlock();
        }
        pipe.keys.readinessChanged();
    }

    @Override
    public void onClosed(TcpConnection c) {
        // Bytes and a FIN that arrived in this batch still wait for the batch's end: take them
        // now, so a reader woken by the close sees them before the end (as TcpSocketEvents does).
        pull();
        boolean gained = false;
        pipe.lock.lock();
        try {
            if (c.state() == TcpState.CLOSED) {
                pipe.finished = true;
            }
            pipe.readable.signalAll();
            pipe.writable.signalAll();
            gained = pipe.publish();
        } finally {
            pipe.lock.unlock();
        }
        if (gained) {
            pipe.keys.readinessChanged();
        }
    }

    /** Moves received bytes from the connection into the ring while it has room. */
    void pull() {
        boolean gained;
        pipe.lock.lock();
        try {
            pipe.pullPosted = false;
            TcpConnection c = pipe.connection;
            if (c == null || pipe.closed) {
                return; // unread bytes stay in the connection: closing it then resets
            }
            int room;
            while (c.readable() > 0 && (room = pipe.rx.freeContiguous()) > 0) {
                int got = c.read(pipe.rx.array(), pipe.rx.tail(), room);
                if (got <= 0) {
                    break;
                }
                pipe.rx.added(got);
                if (pipe.inputShutdown) {
                    pipe.rx.clear();
                }
            }
            pipe.moreInConnection = c.readable() > 0;
            if (c.peerClosedOutput()) {
                pipe.peerFin = true;
            }
            pipe.readable.signalAll();
            gained = pipe.publish();
        } finally {
            pipe.lock.unlock();
        }
        if (gained) {
            pipe.keys.readinessChanged();
        }
    }

    /** Moves written bytes from the ring into the connection while it takes them; then FIN if asked. */
    void flush() {
        boolean closeNow = false;
        boolean gained = false;
        TcpConnection c;
        pipe.lock.lock();
        try {
            pipe.flushPosted = false;
            c = pipe.connection;
            if (c == null || pipe.finished || !pipe.established && !pipe.closeRequested) {
                return; // before the handshake: onConnected's writable signal starts the flush
            }
            int before = pipe.tx.size();
            while (!pipe.tx.isEmpty()) {
                int room = c.writable();
                if (room == 0) {
                    break;
                }
                int n = Math.min(room, pipe.tx.usedContiguous());
                int w = c.write(pipe.tx.array(), pipe.tx.head(), n);
                pipe.tx.skip(w);
                if (w < n) {
                    break;
                }
            }
            if (pipe.tx.size() != before || pipe.closeRequested) {
                pipe.writable.signalAll();
                gained = pipe.publish();
            }
            if (pipe.tx.isEmpty()) {
                if (pipe.closeRequested) {
                    pipe.closeRequested = false;
                    closeNow = true;
                } else if (pipe.outputShutdown && pipe.inputShutdown && !pipe.bothShut) {
                    // Both directions shut is a close to TCP, as on Linux: later data is answered with RST
                    pipe.bothShut = true;
                    closeNow = true;
                } else if (pipe.outputShutdown && !c.isOutputShutdown()) {
                    c.shutdownOutput();
                }
            }
        } finally {
            pipe.lock.unlock();
        }
        if (gained) {
            pipe.keys.readinessChanged();
        }
        if (closeNow) {
            if (pipe.bothShut) {
                pull(); // discards what came after shutdownInput, so the close is a FIN, not a RST
            }
            c.close(); // FIN after the data; RST if received bytes were never read
        }
    }

    /** A lingering close's question: is the connection over, or are our data and FIN acknowledged? */
    boolean allAcknowledged() {
        TcpConnection c;
        pipe.lock.lock();
        try {
            c = pipe.connection;
            if (c == null || pipe.finished) {
                return true;
            }
            if (!pipe.tx.isEmpty() || pipe.closeRequested) {
                return false;
            }
        } finally {
            pipe.lock.unlock();
        }
        TcpState s = c.state();
        return s == TcpState.FIN_WAIT_2 || s == TcpState.TIME_WAIT || s == TcpState.CLOSED;
    }

    /** The linger time is over: RST instead of the rest of the graceful close. */
    Void resetUnacknowledged() {
        TcpConnection c;
        pipe.lock.lock();
        try {
            c = pipe.connection;
            pipe.tx.clear();
            pipe.closeRequested = false;
        } finally {
            pipe.lock.unlock();
        }
        if (c != null) {
            c.abort();
        }
        return null;
    }

    /** After close: a graceful FIN once written bytes are out, or RST. */
    void closeOnLoop() {
        TcpConnection c;
        boolean reset;
        pipe.lock.lock();
        try {
            c = pipe.connection;
            if (c == null || pipe.finished) {
                return;
            }
            reset = pipe.lingerSeconds == 0 || !pipe.rx.isEmpty() || pipe.moreInConnection || c.readable() > 0 || !pipe.established;
            if (reset) {
                pipe.tx.clear();
            } else {
                pipe.closeRequested = true;
            }
        } finally {
            pipe.lock.unlock();
        }
        if (reset) {
            c.abort();
        } else {
            flush();
        }
    }
}
