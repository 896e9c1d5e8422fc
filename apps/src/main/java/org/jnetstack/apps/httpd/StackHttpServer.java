package org.jnetstack.apps.httpd;

import java.io.IOException;
import java.net.InetAddress;
import javax.net.ServerSocketFactory;
import org.apache.hc.core5.http.impl.bootstrap.HttpServer;
import org.apache.hc.core5.http.impl.bootstrap.ServerBootstrap;
import org.apache.hc.core5.http.io.HttpRequestHandler;
import org.apache.hc.core5.http.io.SocketConfig;
import org.apache.hc.core5.util.Timeout;

/**
 * Apache HttpCore5's classic server on a {@link ServerSocketFactory} — the stack's, so a page is
 * served by our own TCP — with one handler for every path and every Host (the appliance answers
 * whatever name or address a browser used). Shared by the admin page and {@code --www}.
 */
public final class StackHttpServer {
    /** An idle keep-alive connection is closed after this long. */
    static final Timeout IDLE = Timeout.ofSeconds(30);

    private StackHttpServer() {
    }

    /** Starts serving on {@code port} (0: any free port) of {@code bindAddress}. */
    public static HttpServer start(ServerSocketFactory sockets, InetAddress bindAddress, int port, HttpRequestHandler handler)
            throws IOException {
        HttpServer server = ServerBootstrap.bootstrap()
                .setLocalAddress(bindAddress)
                .setListenerPort(port)
                .setServerSocketFactory(sockets)
                .setSocketConfig(SocketConfig.custom().setSoTimeout(IDLE).setTcpNoDelay(true).build())
                .setRequestRouter((request, context) -> handler)
                .create();
        server.start();
        return server;
    }
}
