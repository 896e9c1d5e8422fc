package org.jnetstack.usernet;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;
import org.jnetstack.tcp.Tcp;
import org.jnetstack.tcp.TcpConnection;
import org.jnetstack.tcp.TcpHandler;
import org.jnetstack.tcp.TcpListener;

/** A guest echo service on the callback API: echoes as the send buffer allows, FIN after FIN. */
final class GuestEcho implements TcpHandler {
    final AtomicInteger accepted = new AtomicInteger();
    final AtomicInteger open = new AtomicInteger();
    final AtomicInteger maxOpen = new AtomicInteger();
    private final byte[] buf = new byte[64 * 1024];

    static GuestEcho listen(Tcp tcp, int port, int backlog) {
        GuestEcho echo = new GuestEcho();
        tcp.listen(0, port, backlog, l -> {
            TcpConnection c;
            while ((c = l.accept()) != null) {
                echo.accepted.incrementAndGet();
                echo.maxOpen.accumulateAndGet(echo.open.incrementAndGet(), Math::max);
                c.setHandler(echo);
                echo.pump(c);
            }
        });
        return echo;
    }

    private void pump(TcpConnection c) {
        int n;
        while ((n = Math.min(c.readable(), Math.min(c.writable(), buf.length))) > 0) {
            c.read(buf, 0, n);
            c.write(buf, 0, n);
        }
        if (c.isEndOfInput() && !c.isOutputShutdown()) {
            c.shutdownOutput();
        }
    }

    @Override
    public void onReceive(TcpConnection c) {
        pump(c);
    }

    @Override
    public void onSent(TcpConnection c, int bytes) {
        pump(c);
    }

    @Override
    public void onEndOfInput(TcpConnection c) {
        pump(c);
    }

    @Override
    public void onError(TcpConnection c, IOException error) {
        open.decrementAndGet();
    }

    @Override
    public void onClosed(TcpConnection c) {
        open.decrementAndGet();
    }
}
