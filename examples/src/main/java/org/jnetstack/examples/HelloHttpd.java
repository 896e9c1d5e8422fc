package org.jnetstack.examples;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.jnetstack.NetStack;
import org.jnetstack.link.TapDevice;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.socket.Sockets;
import org.jnetstack.socket.TcpServerSocket;
import org.jnetstack.socket.TcpSocket;

/**
 * uSock's hello-world httpd on the blocking sockets: accept, read the request head, answer
 * "Hello, world!", close. One virtual thread per client.
 *
 * <pre>
 * sudo java -cp ... org.jnetstack.examples.HelloHttpd jns0 10.0.0.2/24 80
 * curl http://10.0.0.2/
 * </pre>
 */
public final class HelloHttpd {
    static final byte[] BODY = "Hello, world!\n".getBytes(StandardCharsets.US_ASCII);
    private static final int MAX_HEAD = 8192;

    private HelloHttpd() {
    }

    /** Serves until {@code server} is closed. */
    public static void serve(TcpServerSocket server) {
        try {
            while (true) {
                TcpSocket client = server.accept(); // uSock: open(TCP, 80, 0, 0) waits for anyone
                Thread.startVirtualThread(() -> answer(client));
            }
        } catch (IOException closed) {
            // the server socket was closed: stop
        }
    }

    static void answer(TcpSocket client) {
        try (client) {
            client.setSoTimeout(10_000); // uSock: recv with a timeout
            String head = readHead(client.getInputStream());
            String status = head.startsWith("GET ") || head.startsWith("HEAD ") ? "200 OK" : "501 Not Implemented";
            byte[] body = status.startsWith("200") ? BODY : new byte[0];
            String response = "HTTP/1.0 " + status + "\r\nContent-Type: text/plain\r\nContent-Length: " + body.length
                    + "\r\nConnection: close\r\n\r\n";
            client.getOutputStream().write(response.getBytes(StandardCharsets.US_ASCII));
            if (!head.startsWith("HEAD ")) {
                client.getOutputStream().write(body);
            }
            client.shutdownOutput(); // uSock: a zero-length send — our FIN
            // Read until the client's FIN, so that closing with unread bytes does not reset the answer.
            client.getInputStream().skip(Long.MAX_VALUE);
        } catch (IOException e) {
            // a client that went away or timed out: nothing to answer
        }
    }

    /** The request line and headers, up to the empty line. */
    static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int b;
        while (head.size() < MAX_HEAD && (b = in.read()) >= 0) {
            head.write(b);
            byte[] h = head.toByteArray();
            int n = h.length;
            if (n >= 4 && h[n - 4] == '\r' && h[n - 3] == '\n' && h[n - 2] == '\r' && h[n - 1] == '\n') {
                break;
            }
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    /** {@code HelloHttpd TAP ADDRESS/PREFIX [PORT]}: serve until killed. */
    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: HelloHttpd TAP ADDRESS/PREFIX [PORT]   e.g. HelloHttpd jns0 10.0.0.2/24 80");
            System.exit(2);
        }
        int port = args.length > 2 ? Integer.parseInt(args[2]) : 80;
        EventLoop loop = EventLoop.system();
        NetStack stack = NetStack.builder(loop).device(TapDevice.open(args[0])).address(args[1]).build();
        loop.start(); // the stack runs on its own thread; this one blocks in accept
        TcpServerSocket server = Sockets.of(stack).listen(port);
        System.out.println("httpd on " + args[1] + " port " + port);
        serve(server);
    }
}
