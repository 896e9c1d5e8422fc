package org.jnetstack.apps.cli.programs;

import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.channels.spi.SelectorProvider;
import java.util.Random;

/**
 * An ordinary JDK program for {@code jns java}: {@code --port N --size BYTES} serves BYTES seeded
 * random bytes (seed 7) at {@code /blob} with the JDK's {@code HttpServer}, and the name of the
 * JVM-wide {@code SelectorProvider} at {@code /provider}; {@code /stop} stops the server, after
 * which the program ends (its main returned long before).
 */
public final class HttpServerProgram {
    private HttpServerProgram() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[1]);
        byte[] blob = new byte[Integer.parseInt(args[3])];
        new Random(7).nextBytes(blob);
        HttpServer server = HttpServer.create(new InetSocketAddress(port), 0);
        server.createContext("/blob", ex -> {
            ex.sendResponseHeaders(200, blob.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(blob);
            }
        });
        server.createContext("/provider", ex -> {
            byte[] name = SelectorProvider.provider().getClass().getName().getBytes();
            ex.sendResponseHeaders(200, name.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(name);
            }
        });
        server.createContext("/stop", ex -> {
            ex.sendResponseHeaders(204, -1);
            ex.close();
            new Thread(() -> server.stop(0)).start();
        });
        server.start();
    }
}
