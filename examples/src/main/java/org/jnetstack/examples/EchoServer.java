package org.jnetstack.examples;

import java.io.IOException;
import java.time.Duration;
import org.jnetstack.NetStack;
import org.jnetstack.link.TapDevice;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.tcp.TcpConnection;
import org.jnetstack.tcp.TcpHandler;

/**
 * A TCP echo server on the callback API, in the style of the lwIP raw-API samples: one thread
 * builds the stack, registers callbacks, and runs the loop; everything else happens in the
 * callbacks.
 *
 * <pre>
 * sudo java -cp ... org.jnetstack.examples.EchoServer jns0 10.0.0.2/24 7
 * </pre>
 */
public final class EchoServer implements TcpHandler {
    private final byte[] buffer = new byte[16 * 1024];

    /** Listens on {@code port} (lwIP: tcp_new + tcp_bind + tcp_listen + tcp_accept). */
    public static EchoServer listen(NetStack stack, int port) {
        EchoServer server = new EchoServer();
        stack.tcp().listen(port, listener -> {
            TcpConnection c;
            while ((c = listener.accept()) != null) {
                c.setHandler(server); // lwIP: tcp_recv + tcp_sent + tcp_err on the new pcb
            }
        });
        return server;
    }

    /** New data arrived (lwIP: the recv callback). */
    @Override
    public void onReceive(TcpConnection c) {
        echo(c);
    }

    /** The peer took some of our data, so there is room to send again (lwIP: the sent callback). */
    @Override
    public void onSent(TcpConnection c, int bytes) {
        echo(c);
    }

    /** The client sent FIN: echo what is left, then close our side. */
    @Override
    public void onEndOfInput(TcpConnection c) {
        echo(c);
    }

    private void echo(TcpConnection c) {
        // Read only what we can write back right now: what we do not read stays in the
        // receive window, which is how a slow reader of the echo slows its own sending down.
        while (c.readable() > 0 && c.writable() > 0) {
            int n = c.read(buffer, 0, Math.min(buffer.length, c.writable()));
            c.write(buffer, 0, n);
        }
        if (c.isEndOfInput() && !c.isOutputShutdown()) {
            c.shutdownOutput();
        }
    }

    /** {@code EchoServer TAP ADDRESS/PREFIX [PORT]}: serve until killed. */
    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: EchoServer TAP ADDRESS/PREFIX [PORT]   e.g. EchoServer jns0 10.0.0.2/24 7");
            System.exit(2);
        }
        int port = args.length > 2 ? Integer.parseInt(args[2]) : 7;
        EventLoop loop = EventLoop.system();
        NetStack stack = NetStack.builder(loop).device(TapDevice.open(args[0])).address(args[1]).build();
        listen(stack, port);
        System.out.println("echo server on " + args[1] + " port " + port);
        // The single loop: read frames from the TAP, run the TCP timers, call the callbacks.
        loop.runUntil(() -> false, Duration.ofDays(365 * 100).toNanos());
    }
}
