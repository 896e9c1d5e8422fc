package org.jnetstack.apps.echo;

import java.io.IOException;
import org.jnetstack.NetStack;
import org.jnetstack.tcp.TcpConnection;
import org.jnetstack.tcp.TcpHandler;
import org.jnetstack.tcp.TcpListener;

/**
 * The Discard Protocol over TCP (RFC 863): "Once a connection is established any data received
 * is thrown away. No response is sent." When the client sends FIN the service closes its side
 * too, so the connection ends cleanly. Loop thread only.
 */
public final class TcpDiscardService implements AutoCloseable {
    /** RFC 863: "A TCP Based Discard Service is defined as a connection based application on TCP ... port 9." */
    public static final int PORT = 9;

    private final byte[] sink = new byte[64 * 1024];
    private final TcpListener listener;
    private final Handler handler = new Handler();
    private int open;
    private long accepted;
    private long discardedBytes;

    private TcpDiscardService(NetStack stack, int port) {
        this.listener = stack.tcp().listen(port, this::acceptAll);
    }

    /** Starts serving on {@code port} of {@code stack}; call on the loop thread (or before the loop starts). */
    public static TcpDiscardService open(NetStack stack, int port) {
        return new TcpDiscardService(stack, port);
    }

    private void acceptAll(TcpListener l) {
        TcpConnection c;
        while ((c = l.accept()) != null) {
            accepted++;
            open++;
            c.setHandler(handler);
            drain(c);
        }
    }

    private void drain(TcpConnection c) {
        int n;
        while ((n = c.read(sink, 0, sink.length)) > 0) {
            discardedBytes += n; // reading is what reopens the window: the client goes at full speed
        }
        if (c.isEndOfInput() && !c.isOutputShutdown()) {
            c.shutdownOutput();
        }
    }

    private final class Handler implements TcpHandler {
        @Override
        public void onReceive(TcpConnection c) {
            drain(c);
        }

        @Override
        public void onEndOfInput(TcpConnection c) {
            drain(c);
        }

        @Override
        public void onError(TcpConnection c, IOException error) {
            open--;
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

    public long acceptedConnections() {
        return accepted;
    }

    /** Bytes received and thrown away so far. */
    public long discardedBytes() {
        return discardedBytes;
    }

    @Override
    public void close() {
        listener.close();
    }
}
