package org.jnetstack.socket;

import java.io.IOException;
import java.net.InetSocketAddress;
import org.jnetstack.loop.BatchEndTask;
import org.jnetstack.tcp.TcpConfig;
import org.jnetstack.tcp.TcpConnection;
import org.jnetstack.tcp.TcpHandler;
import org.jnetstack.tcp.TcpState;
import org.jnetstack.util.ByteRing;

/**
 * The loop's side of a {@link TcpSocket}: the connection's events, on the loop thread, move bytes
 * between the socket's rings and the connection, and close it as the application asked. Every
 * change to the socket's state is made holding the socket's lock.
 */
final class TcpSocketEvents implements TcpHandler {
    private final TcpSocket s;

    // Loop thread only. Both run at the end of the loop's batch of received frames: one move
    // and one wake-up of the application per batch, not per segment. Made on first use (the
    // loop thread), then re-requested without allocating.
    private BatchEndTask pullTask;
    private BatchEndTask flushTask;

    TcpSocketEvents(TcpSocket s) {
        this.s = s;
    }

    /** Sizes the rings for connection {@code c} and takes its addresses. Holding the socket's lock. */
    void attach(TcpConnection c) {
        s.connection = c;
        int ringMax = s.stack.tcp().config().socketRing();
        s.rx = new ByteRing(Math.min(ringMax, s.receiveBufferSize));
        s.tx = new ByteRing(Math.min(ringMax, s.sendBufferSize));
        s.local = new InetSocketAddress(TcpSocket.inet(c.localAddress()), c.localPort());
        s.remote = new InetSocketAddress(TcpSocket.inet(c.remoteAddress()), c.remotePort());
    }

    /** The active open, on the loop: aborted at once if the socket was closed meanwhile. */
    void open(int localPort, int ip, int port, TcpConfig cfg, boolean keepAlive, int tos) {
        TcpConnection c = s.stack.tcp().connect(localPort, ip, port, cfg, this);
        s.lock.lock();
        try {
            attach(c);
            if (s.closed) { // closed while we were on our way here
                s.finished = true;
                c.abort();
                return;
            }
        } finally {
            s.lock.unlock();
        }
        c.setKeepAlive(keepAlive);
        c.setTrafficClass(tos);
    }

    @Override
    public void onConnected(TcpConnection c) {
        s.lock.lock();
        try {
            s.connected = true;
            s.writable.signalAll();
        } finally {
            s.lock.unlock();
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
            pullTask = s.loop.newBatchEndTask(this::pull);
        }
        pullTask.request();
    }

    private void flushAfterBatch() {
        if (flushTask == null) {
            flushTask = s.loop.newBatchEndTask(this::flush);
        }
        flushTask.request();
    }

    /**
     * The stack is ending (its program exits): the socket closes as {@link TcpSocket#close()}
     * would, so the bytes still in its ring go out before the FIN, and unread data means RST.
     */
    @Override
    public void onStackEnding(TcpConnection c) {
        s.lock.lock();
        try {
            s.markClosed(); // closed already or not, the connection is ended below
        } finally {
            s.lock.unlock();
        }
        closeOnLoop();
    }

    @Override
    public void onError(TcpConnection c, IOException e) {
        pull(); // bytes that arrived before the reset are still read first, as on Linux
        s.lock.lock();
        try {
            s.error = e;
            s.finished = true;
            s.tx.clear();
            s.readable.signalAll();
            s.writable.signalAll();
        } finally {
            s.lock.unlock();
        }
    }

    @Override
    public void onClosed(TcpConnection c) {
        // Bytes and a FIN that arrived in this batch are still waiting for the batch's end:
        // take them now, so a reader woken by the close sees them before the end.
        pull();
        s.lock.lock();
        try {
            if (c.state() == TcpState.CLOSED) {
                s.finished = true;
            }
            s.readable.signalAll();
            s.writable.signalAll();
        } finally {
            s.lock.unlock();
        }
    }

    /** Moves received bytes from the connection into the ring while it has room. */
    void pull() {
        s.lock.lock();
        try {
            s.pullPosted = false;
            TcpConnection c = s.connection;
            if (c == null || s.closed) {
                return; // unread bytes stay in the connection: closing it then resets
            }
            ByteRing rx = s.rx;
            int room;
            while (c.readable() > 0 && (room = rx.freeContiguous()) > 0) {
                int got = c.read(rx.array(), rx.tail(), room);
                if (got <= 0) {
                    break;
                }
                rx.added(got);
                if (s.inputShutdown) {
                    rx.clear();
                }
            }
            s.moreInConnection = c.readable() > 0;
            if (c.peerClosedOutput()) {
                s.peerFin = true;
            }
            s.readable.signalAll();
        } finally {
            s.lock.unlock();
        }
    }

    /** Moves written bytes from the ring into the connection while it takes them; then FIN if asked. */
    void flush() {
        boolean closeNow = false;
        TcpConnection c;
        s.lock.lock();
        try {
            s.flushPosted = false;
            c = s.connection;
            if (c == null || s.finished) {
                return;
            }
            ByteRing tx = s.tx;
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
            if (tx.size() != before || s.closeRequested) {
                s.writable.signalAll();
            }
            if (tx.isEmpty()) {
                if (s.closeRequested) {
                    s.closeRequested = false;
                    closeNow = true;
                } else if (s.outputShutdown && !c.isOutputShutdown()) {
                    c.shutdownOutput();
                }
            }
        } finally {
            s.lock.unlock();
        }
        if (closeNow) {
            c.close(); // FIN after the data; RST if received bytes were never read
        }
    }

    /** After {@link TcpSocket#close()}: a graceful FIN once written bytes are out, or RST. */
    void closeOnLoop() {
        TcpConnection c;
        boolean reset;
        s.lock.lock();
        try {
            c = s.connection;
            if (s.finished) {
                return;
            }
            reset = s.lingerSeconds == 0 || !s.rx.isEmpty() || s.moreInConnection || c.readable() > 0;
            if (reset) {
                s.tx.clear();
            } else {
                s.closeRequested = true;
            }
        } finally {
            s.lock.unlock();
        }
        if (reset) {
            c.abort();
        } else {
            flush();
        }
    }
}
