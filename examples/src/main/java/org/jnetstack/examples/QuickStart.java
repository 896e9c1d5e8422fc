package org.jnetstack.examples;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import org.jnetstack.NetStack;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.socket.Sockets;
import org.jnetstack.socket.TcpSocket;
import org.jnetstack.usernet.UserNet;
import org.jnetstack.usernet.UserNetConfig;

/**
 * The README's first example, compiled and run by {@code QuickStartTest}, which also checks that
 * the README shows this very method: a stack of our own on the user-mode network (no root, no
 * TAP) fetches a page from an HTTP server on this host's 127.0.0.1.
 *
 * <pre>
 * python3 -m http.server -b 127.0.0.1 8000 &amp;
 * java -cp core/target/classes:examples/target/classes org.jnetstack.examples.QuickStart 8000
 * </pre>
 */
public final class QuickStart {
    private QuickStart() {
    }

    // README begin
    /** GETs http://127.0.0.1:{port}/ of this host through a stack of our own; writes the response to {@code out}. */
    static void fetch(int port, OutputStream out) throws IOException {
        EventLoop loop = EventLoop.system();                              // the thread that owns the stack
        UserNet net = UserNet.create(loop, UserNetConfig.defaults());     // gateway 10.0.2.2: NAT to the host
        NetStack stack = NetStack.builder(loop).device(net.guestDevice())
                .address(net.config().guest(), 24).gateway(net.config().gateway()).build();
        loop.start();
        try (TcpSocket s = Sockets.of(stack).connect("10.0.2.2", port)) { // the host's 127.0.0.1
            s.getOutputStream().write("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.write(s.getInputStream().readAllBytes());                 // until the server closes
        } finally {
            net.close();
            loop.close();
        }
    }
    // README end

    /** {@code QuickStart PORT}: prints the response of the host's http://127.0.0.1:PORT/. */
    public static void main(String[] args) throws IOException {
        fetch(args.length > 0 ? Integer.parseInt(args[0]) : 8000, System.out);
        System.out.flush();
    }
}
