package org.jnetstack.examples;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.jnetstack.NetStack;
import org.jnetstack.link.TapDevice;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.socket.Sockets;
import org.jnetstack.socket.TcpSocket;

/**
 * uSock's HTTP client on the blocking sockets: connect, send an HTTP/1.0 GET, read until the
 * server closes. The host may be a name when {@link Sockets} has a resolver.
 *
 * <pre>
 * sudo java -cp ... org.jnetstack.examples.BlockingHttpGet jns0 10.0.0.2/24 http://10.0.0.1:8000/
 * </pre>
 */
public final class BlockingHttpGet {
    private BlockingHttpGet() {
    }

    /** The whole response (status line, headers, body) of {@code GET url}. */
    public static byte[] get(Sockets sockets, URI url) throws IOException {
        if (!"http".equals(url.getScheme()) || url.getHost() == null) {
            throw new IllegalArgumentException("expected http://HOST[:PORT]/PATH, got " + url);
        }
        int port = url.getPort() < 0 ? 80 : url.getPort();
        String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
        if (url.getRawQuery() != null) {
            path += "?" + url.getRawQuery();
        }
        try (TcpSocket s = sockets.connect(url.getHost(), port, Duration.ofSeconds(10))) {
            s.setSoTimeout(30_000);
            OutputStream out = s.getOutputStream();
            out.write(("GET " + path + " HTTP/1.0\r\nHost: " + url.getHost() + "\r\nUser-Agent: jnetstack-example\r\n"
                    + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            return s.getInputStream().readAllBytes(); // HTTP/1.0: the response ends with the server's FIN
        }
    }

    /** {@code BlockingHttpGet TAP ADDRESS/PREFIX URL}: prints the response like {@code curl -i}. */
    public static void main(String[] args) throws IOException {
        if (args.length < 3) {
            System.err.println("usage: BlockingHttpGet TAP ADDRESS/PREFIX http://IP[:PORT]/PATH");
            System.exit(2);
        }
        EventLoop loop = EventLoop.system();
        NetStack stack = NetStack.builder(loop).device(TapDevice.open(args[0])).address(args[1]).build();
        loop.start();
        try {
            System.out.write(get(Sockets.of(stack), URI.create(args[2])));
            System.out.flush();
        } finally {
            stack.endConnections(java.time.Duration.ofSeconds(2)); // FINs out before the loop stops
            loop.close();
        }
    }
}
