package org.jnetstack.usernet;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.jnetstack.tcp.Tcp;
import org.jnetstack.tcp.TcpConnection;
import org.jnetstack.tcp.TcpHandler;

/** Servers the usernet tests talk to: one on the host, one in the guest. */
final class TestServers {
    private TestServers() {
    }

    /** A started host HTTP server on {@code address} whose {@code /hello} says which address the client came from. */
    static HttpServer hostHello(InetAddress address) throws IOException {
        HttpServer http = HttpServer.create(new InetSocketAddress(address, 0), 0);
        http.createContext("/hello", ex -> {
            byte[] body = ("hello guest, you came from " + ex.getRemoteAddress().getAddress().getHostAddress())
                    .getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream o = ex.getResponseBody()) {
                o.write(body);
            }
        });
        http.start();
        return http;
    }

    /** A guest HTTP/1.0 server on {@code port} answering every request with "guest says hi" (loop thread). */
    static void guestSaysHi(Tcp tcp, int port) {
        tcp.listen(port, l -> {
            TcpConnection c;
            while ((c = l.accept()) != null) {
                c.setHandler(new TcpHandler() {
                    @Override
                    public void onReceive(TcpConnection c) {
                        byte[] b = new byte[c.readable()];
                        c.read(b, 0, b.length);
                        if (new String(b, StandardCharsets.US_ASCII).contains("\r\n\r\n")) {
                            byte[] resp = "HTTP/1.0 200 OK\r\nContent-Length: 13\r\n\r\nguest says hi".getBytes(StandardCharsets.US_ASCII);
                            c.write(resp, 0, resp.length);
                            c.close();
                        }
                    }
                });
            }
        });
    }
}
