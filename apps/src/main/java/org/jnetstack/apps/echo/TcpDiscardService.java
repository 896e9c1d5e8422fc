package org.jnetstack.apps.echo;

import org.jnetstack.NetStack;
import org.jnetstack.tcp.TcpConnection;

/**
 * The Discard Protocol over TCP (RFC 863): "Once a connection is established any data received
 * is thrown away. No response is sent." When the client sends FIN the service closes its side
 * too, so the connection ends cleanly. Loop thread only.
 */
public final class TcpDiscardService extends TcpService {
    /** RFC 863: "A TCP Based Discard Service is defined as a connection based application on TCP ... port 9." */
    public static final int PORT = 9;

    private final byte[] sink = new byte[64 * 1024];
    private long discardedBytes;

    private TcpDiscardService(NetStack stack, int port) {
        super(stack, port);
    }

    /** Starts serving on {@code port} of {@code stack}; call on the loop thread (or before the loop starts). */
    public static TcpDiscardService open(NetStack stack, int port) {
        return new TcpDiscardService(stack, port);
    }

    @Override
    void serve(TcpConnection c) {
        int n;
        while ((n = c.read(sink, 0, sink.length)) > 0) {
            discardedBytes += n; // reading is what reopens the window: the client goes at full speed
        }
        if (c.isEndOfInput() && !c.isOutputShutdown()) {
            c.shutdownOutput();
        }
    }

    /** Bytes received and thrown away so far. */
    public long discardedBytes() {
        return discardedBytes;
    }
}
