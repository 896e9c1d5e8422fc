package org.jnetstack.socket.nio;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsServer;
import java.io.File;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.jnetstack.socket.TwoHosts;
import org.jnetstack.socket.jdk.StackServerSocketFactory;

/**
 * Run in a JVM started with {@code -Djava.nio.channels.spi.SelectorProvider=}
 * {@value StackSelectorProvider#GLOBAL_CLASS} (by {@link HttpsOnStackTest}): the JDK's unmodified
 * {@code HttpClient} speaks TLS over the stack 10.0.0.2 — to the JDK's {@code HttpsServer} on
 * the same stack (both ends channels of the JVM-wide provider), and across the virtual wire to a
 * JSSE server socket on the stack 10.0.0.1 — trusting only a self-signed certificate the test made
 * (args: its PKCS12 key store and password). A client that does not trust it must fail the
 * handshake. Prints one line per check; exits 0 when all ran.
 */
public final class HttpsOnStackMain {
    public static void main(String[] args) throws Exception {
        try (TwoHosts net = new TwoHosts()) {
            StackSelectorProvider.installGlobalStack(net.server);
            StackInetAddressResolverProvider.install(host -> switch (host) {
                case "self.test" -> List.of(TwoHosts.serverIp());
                case "peer.test" -> List.of(TwoHosts.clientIp());
                default -> throw new java.net.UnknownHostException(host + ": not in the test's table");
            });
            char[] password = args[1].toCharArray();
            KeyStore keys = KeyStore.getInstance(new File(args[0]), password);
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, password);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(keys);
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
            HttpClient client = HttpClient.newBuilder().sslContext(tls).version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(20)).build();

            httpsServerOnTheStack(tls, client);
            jsseServerAcrossTheWire(net, tls, client);
        } catch (Throwable t) {
            t.printStackTrace(System.out);
            System.out.flush();
            System.exit(1);
        }
        System.out.flush();
        System.exit(0); // HttpClient's selector thread is not a daemon until the client is collected
    }

    static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    static HttpResponse<byte[]> get(HttpClient client, String url) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    /** com.sun.net.httpserver.HttpsServer on the stack serves 500 kB to the HttpClient of the same JVM. */
    static void httpsServerOnTheStack(SSLContext tls, HttpClient client) throws Exception {
        byte[] body = random(500_000, 21);
        HttpsServer server = HttpsServer.create(new InetSocketAddress(8443), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(tls));
        server.createContext("/data", exchange -> {
            exchange.getResponseHeaders().add("X-Tls", ((HttpsExchange) exchange).getSSLSession().getProtocol());
            exchange.getResponseHeaders().add("X-Channel", exchange.getLocalAddress().getAddress().getHostAddress());
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        try {
            HttpResponse<byte[]> r = get(client, "https://self.test:8443/data");
            System.out.println("httpsserver status " + r.statusCode() + " tls " + r.headers().firstValue("X-Tls").orElse("?")
                    + " at " + r.headers().firstValue("X-Channel").orElse("?"));
            System.out.println("httpsserver body " + (java.util.Arrays.equals(r.body(), body) ? "byte-exact" : "DIFFERENT")
                    + " " + r.body().length);
            HttpClient untrusting = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            try {
                get(untrusting, "https://self.test:8443/data");
                System.out.println("untrusted accepted: should not be");
            } catch (java.io.IOException e) {
                System.out.println("untrusted refused " + e.getClass().getSimpleName());
            }
        } finally {
            server.stop(0);
        }
    }

    /** A JSSE server socket on the other stack (a StackServerSocketFactory socket under TLS) serves 200 kB over the wire. */
    static void jsseServerAcrossTheWire(TwoHosts net, SSLContext tls, HttpClient client) throws Exception {
        byte[] body = random(200_000, 22);
        ServerSocket listener = StackServerSocketFactory.of(net.client).createServerSocket(9443);
        Thread.startVirtualThread(() -> {
            try (Socket raw = listener.accept();
                 SSLSocket s = (SSLSocket) tls.getSocketFactory().createSocket(raw, null, raw.getPort(), true)) {
                s.setUseClientMode(false);
                InputStream in = s.getInputStream();
                int matched = 0; // of "\r\n\r\n"
                while (matched < 4) {
                    int b = in.read();
                    if (b < 0) {
                        return;
                    }
                    matched = b == (matched % 2 == 0 ? '\r' : '\n') ? matched + 1 : (b == '\r' ? 1 : 0);
                }
                OutputStream out = s.getOutputStream();
                out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + body.length + "\r\nX-Tls: " + s.getSession().getProtocol()
                        + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(body);
                out.flush();
            } catch (Exception e) {
                e.printStackTrace(System.out);
            }
        });
        try {
            HttpResponse<byte[]> r = get(client, "https://peer.test:9443/");
            System.out.println("jsse status " + r.statusCode() + " tls " + r.headers().firstValue("X-Tls").orElse("?"));
            System.out.println("jsse body " + (java.util.Arrays.equals(r.body(), body) ? "byte-exact" : "DIFFERENT")
                    + " " + r.body().length);
        } finally {
            listener.close();
        }
    }
}
