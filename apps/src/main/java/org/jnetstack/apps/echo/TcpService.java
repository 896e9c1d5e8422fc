package org.jnetstack.apps.echo;

import java.io.IOException;
import org.jnetstack.NetStack;
import org.jnetstack.tcp.TcpConnection;
import org.jnetstack.tcp.TcpHandler;
import org.jnetstack.tcp.TcpListener;

/**
 * A TCP service on the callback API: accepts every connection, gives each one the same stateless
 * handler (per-connection state lives in the connection), counts connections, and calls
 * {@link #serve} whenever a connection may have work — data arrived, the peer sent FIN, or send
 * space was freed. Loop thread only.
 */
abstract class TcpService implements AutoCloseable {
    private final TcpListener listener;
    private final Handler handler = new Handler();
    private int open;
    private long accepted;
    private long failed;

    TcpService(NetStack stack, int port) {
        this.listener = stack.tcp().listen(port, this::acceptAll);
    }

    /** Moves what can be moved on {@code c} now; never blocks. */
    abstract void serve(TcpConnection c);

    /** Ends {@code c} after a failure the service detected itself (counted as failed). */
    final void fail(TcpConnection c) {
        failed++;
        c.abort();
    }

    private void acceptAll(TcpListener l) {
        TcpConnection c;
        while ((c = l.accept()) != null) {
            accepted++;
            open++;
            c.setHandler(handler);
            serve(c);
        }
    }

    private final class Handler implements TcpHandler {
        @Override
        public void onReceive(TcpConnection c) {
            serve(c);
        }

        @Override
        public void onEndOfInput(TcpConnection c) {
            serve(c);
        }

        @Override
        public void onSent(TcpConnection c, int bytes) {
            serve(c);
        }

        @Override
        public void onError(TcpConnection c, IOException error) {
            open--;
            failed++;
        }

        @Override
        public void onClosed(TcpConnection c) {
            open--;
        }
    }

    public int port() {
        return listener.port();
    }

    /** Connections accepted and not yet closed or failed (loop thread). */
    public int openConnections() {
        return open;
    }

    /** Connections accepted so far. */
    public long acceptedConnections() {
        return accepted;
    }

    /** Connections that ended with an error (reset, timeout, or one the service aborted). */
    public long failedConnections() {
        return failed;
    }

    /** Stops accepting; connections already open go on until their clients finish. */
    @Override
    public void close() {
        listener.close();
    }
}
