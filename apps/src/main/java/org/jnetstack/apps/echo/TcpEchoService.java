package org.jnetstack.apps.echo;

import org.jnetstack.NetStack;
import org.jnetstack.tcp.TcpConnection;
import org.jnetstack.tcp.TcpHandler;

/**
 * The Echo Protocol over TCP (RFC 862): "Once a connection is established any data received is
 * sent back. This continues until the calling user terminates the connection." Loop thread only.
 *
 * <p>Backpressure: the service never reads more than the connection can take back at once (it
 * reads at most {@link TcpConnection#writable()} bytes), so it holds no data of its own. When
 * the send buffer is full it stops reading; the receive window then closes and the client is
 * slowed down by TCP itself. {@link TcpHandler#onSent} (space freed) resumes the pump.
 *
 * <p>Half-close: when the client sends FIN, whatever it sent before is still echoed, and only
 * then does the service send its own FIN, so a client that half-closes gets every byte back.
 */
public final class TcpEchoService extends TcpService {
    /** RFC 862: "A TCP Based Echo Service is defined as a connection based application on TCP ... port 7." */
    public static final int PORT = 7;

    /** Copy buffer shared by every connection: the loop thread runs one pump at a time, and nothing stays in it between calls. */
    private final byte[] scratch = new byte[64 * 1024];
    private long echoedBytes;

    private TcpEchoService(NetStack stack, int port) {
        super(stack, port);
    }

    /** Starts serving on {@code port} of {@code stack}; call on the loop thread (or before the loop starts). */
    public static TcpEchoService open(NetStack stack, int port) {
        return new TcpEchoService(stack, port);
    }

    /** Moves what can be echoed now; sends FIN once the client's FIN is reached and all of it is echoed. */
    @Override
    void serve(TcpConnection c) {
        int room;
        while (c.readable() > 0 && (room = c.writable()) > 0) {
            int n = c.read(scratch, 0, Math.min(room, scratch.length));
            int w = c.write(scratch, 0, n);
            echoedBytes += w;
            if (w != n) {
                // writable() promised room for n bytes; never drop echo data silently.
                fail(c);
                return;
            }
        }
        if (c.isEndOfInput() && !c.isOutputShutdown()) {
            c.shutdownOutput(); // RFC 9293 §3.6: our FIN follows the last echoed byte
        }
    }

    /** Bytes handed back to clients so far. */
    public long echoedBytes() {
        return echoedBytes;
    }
}
