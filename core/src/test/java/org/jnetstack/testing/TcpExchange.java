package org.jnetstack.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import org.jnetstack.tcp.TcpConnection;
import org.jnetstack.tcp.TcpHandler;

/**
 * A TCP client for tests, on the callback API: writes {@link #data} as the send buffer allows,
 * half-closes once all of it is written, and collects what comes back in {@link #got} (while
 * {@link #reading}; a test that stops reading closes the receive window, and calls
 * {@link #onReceive} after setting it again). Records end of input, close and error. Fields are
 * volatile, so a test thread may watch a loop running on its own thread.
 *
 * <pre>{@code
 * TcpExchange c = new TcpExchange(request);
 * stack.tcp().connect(server, 7, c);
 * loop.runUntil(() -> c.closed, 60 * SECOND);
 * assertThat(c.got.toByteArray()).isEqualTo(request);
 * }</pre>
 */
public class TcpExchange implements TcpHandler {
    public final byte[] data;
    /** What the peer sent, as read so far. */
    public final ByteArrayOutputStream got = new ByteArrayOutputStream();
    private final int maxWrite;
    private final byte[] buf = new byte[8192];
    public volatile int written;
    public volatile boolean reading = true;
    /** The peer's FIN arrived and everything before it was read. */
    public volatile boolean eof;
    public volatile boolean closed;
    public volatile IOException error;

    public TcpExchange(byte[] data) {
        this(data, Integer.MAX_VALUE);
    }

    /** Like {@link #TcpExchange(byte[])}, handing the connection at most {@code maxWrite} bytes a call. */
    public TcpExchange(byte[] data, int maxWrite) {
        this.data = data;
        this.maxWrite = maxWrite;
    }

    @Override
    public void onConnected(TcpConnection c) {
        onSent(c, 0);
    }

    @Override
    public void onSent(TcpConnection c, int bytes) {
        int w = written;
        while (w < data.length) {
            int n = c.write(data, w, Math.min(data.length - w, maxWrite));
            if (n == 0) {
                break;
            }
            w += n;
        }
        written = w;
        if (w == data.length && !c.isOutputShutdown()) {
            c.shutdownOutput();
        }
    }

    @Override
    public void onReceive(TcpConnection c) {
        if (!reading) {
            return;
        }
        int n;
        while ((n = c.read(buf, 0, buf.length)) > 0) {
            got.write(buf, 0, n);
        }
    }

    @Override
    public void onEndOfInput(TcpConnection c) {
        onReceive(c);
        eof = c.isEndOfInput();
    }

    @Override
    public void onError(TcpConnection c, IOException e) {
        error = e;
    }

    @Override
    public void onClosed(TcpConnection c) {
        closed = true;
    }
}
