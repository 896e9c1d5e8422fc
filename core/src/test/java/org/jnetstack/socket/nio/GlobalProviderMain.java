package org.jnetstack.socket.nio;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Random;
import org.jnetstack.socket.Sockets;
import org.jnetstack.socket.TcpServerSocket;
import org.jnetstack.socket.TcpSocket;
import org.jnetstack.socket.TwoHosts;

/**
 * Run in a JVM started with {@code -Djava.nio.channels.spi.SelectorProvider=}
 * {@value StackSelectorProvider#GLOBAL_CLASS} (by {@link GlobalProviderTest}): the JDK's
 * unmodified {@code HttpServer} and {@code HttpClient} on the stack 10.0.0.2, talking to the
 * stack 10.0.0.1 on the same virtual wire, with host names resolved through
 * {@link StackInetAddressResolverProvider} (listed in a services file on this JVM's class path by
 * the test). Prints one line per check; exits 0 when all pass.
 */
public final class GlobalProviderMain {
    public static void main(String[] args) throws Exception {
        try (TwoHosts net = new TwoHosts()) {
            StackSelectorProvider.installGlobalStack(net.server);
            System.out.println("provider " + SelectorProvider.provider().getClass().getName());
            // names through the stack's resolver (here a table standing in for its DnsResolver)
            StackInetAddressResolverProvider.install(host -> {
                if (host.equals("web.test")) {
                    return java.util.List.of(TwoHosts.clientIp());
                }
                throw new java.net.UnknownHostException(host + ": not in the test's table");
            });
            System.out.println("resolved web.test " + java.net.InetAddress.getByName("web.test").getHostAddress());
            try {
                java.net.InetAddress.getByName("nowhere.test");
                System.out.println("resolved nowhere.test: should not have");
            } catch (java.net.UnknownHostException e) {
                System.out.println("unknown " + e.getMessage());
            }
            // The host's own resolver (which the user-mode gateway's DNS forwarder asks) must not come back here.
            try {
                System.out.println("host resolver web.test " + java.util.Arrays.toString(org.jnetstack.dns.HostResolver.lookup("web.test")));
            } catch (java.net.UnknownHostException e) {
                System.out.println("host resolver web.test unknown");
            }
            httpServerAnswersAnInStackClient(net);
            httpClientFetchesFromAnInStackServer(net);
        } catch (Throwable t) {
            t.printStackTrace(System.out);
            System.out.flush();
            System.exit(1);
        }
        System.out.flush();
        System.exit(0); // HttpClient's selector thread is not a daemon until the client is collected
    }

    static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    /** com.sun.net.httpserver.HttpServer echoes a 1 MiB POST to a client channel of the other stack. */
    static void httpServerAnswersAnInStackClient(TwoHosts net) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress(8000), 0);
        server.createContext("/echo", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            exchange.getResponseHeaders().add("X-Remote", exchange.getRemoteAddress().getAddress().getHostAddress());
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        try {
            System.out.println("httpserver bound " + server.getAddress());
            byte[] body = new byte[1 << 20];
            new Random(7).nextBytes(body);
            SocketChannel c = new StackSelectorProvider(net.client).openSocketChannel();
            c.connect(TwoHosts.server(8000));
            String head = "POST /echo HTTP/1.1\r\nHost: 10.0.0.2\r\nContent-Length: " + body.length
                    + "\r\nConnection: close\r\n\r\n";
            c.write(new ByteBuffer[] {ByteBuffer.wrap(head.getBytes(StandardCharsets.US_ASCII)), ByteBuffer.wrap(body)});
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            ByteBuffer buf = ByteBuffer.allocateDirect(16384);
            while (c.read(buf) >= 0) {
                buf.flip();
                byte[] b = new byte[buf.remaining()];
                buf.get(b);
                got.writeBytes(b);
                buf.clear();
            }
            c.close();
            byte[] response = got.toByteArray();
            int end = indexOf(response, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            String headers = new String(response, 0, end, StandardCharsets.US_ASCII);
            byte[] echoed = java.util.Arrays.copyOfRange(response, end + 4, response.length);
            System.out.println("httpserver status " + headers.lines().findFirst().orElse(""));
            System.out.println("httpserver remote " + headers.lines().filter(l -> l.toLowerCase().startsWith("x-remote"))
                    .findFirst().orElse("none"));
            System.out.println("httpserver echo " + (sha256(echoed).equals(sha256(body)) ? "byte-exact" : "DIFFERENT")
                    + " " + echoed.length);
        } finally {
            server.stop(0);
        }
    }

    static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new IllegalStateException("no header end in " + hay.length + " bytes");
    }

    /** java.net.http.HttpClient fetches 300 kB from a plain HTTP server on the other stack. */
    static void httpClientFetchesFromAnInStackServer(TwoHosts net) throws Exception {
        byte[] body = new byte[300_000];
        new Random(8).nextBytes(body);
        TcpServerSocket listener = Sockets.of(net.client).listen(8080);
        Thread.startVirtualThread(() -> {
            try (TcpSocket s = listener.accept()) {
                InputStream in = s.getInputStream();
                int state = 0; // count of "\r\n\r\n" matched
                while (state < 4) {
                    int b = in.read();
                    if (b < 0) {
                        return;
                    }
                    state = (b == '\r' || b == '\n') && ((state % 2 == 0) == (b == '\r')) ? state + 1 : (b == '\r' ? 1 : 0);
                }
                OutputStream out = s.getOutputStream();
                out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + body.length + "\r\nConnection: close\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.write(body);
                s.shutdownOutput();
                while (in.read() >= 0) {
                    // until the client closes
                }
            } catch (Exception e) {
                e.printStackTrace(System.out);
            }
        });
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(20)).build();
        HttpResponse<byte[]> r = client.send(HttpRequest.newBuilder(URI.create("http://web.test:8080/data"))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofByteArray());
        System.out.println("httpclient status " + r.statusCode());
        System.out.println("httpclient body " + (sha256(r.body()).equals(sha256(body)) ? "byte-exact" : "DIFFERENT")
                + " " + r.body().length);
        listener.close();
    }
}
