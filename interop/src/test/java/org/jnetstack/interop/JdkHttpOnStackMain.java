package org.jnetstack.interop;

import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import org.jnetstack.NetStack;
import org.jnetstack.link.TapDevice;
import org.jnetstack.loop.EventLoop;
import org.jnetstack.socket.nio.StackSelectorProvider;

/**
 * Started by {@link JdkHttpOnStackTest} inside a namespace, in a JVM whose
 * {@code -Djava.nio.channels.spi.SelectorProvider} is ours: a stack on the TAP {@code args[0]}
 * with address {@code args[1]} (CIDR) becomes the JVM's network. The JDK's own HttpClient
 * fetches {@code args[2]} (a URL on the kernel's side) and prints its status and SHA-256, and so
 * for {@code args[3]} if given (an https URL, its CA in the JVM's trust store); then the
 * JDK's own HttpServer serves /hello and /echo on port 8000 until the process is stopped.
 */
public final class JdkHttpOnStackMain {
    public static void main(String[] args) throws Exception {
        EventLoop loop = EventLoop.system();
        NetStack stack = NetStack.builder(loop).device(TapDevice.open(args[0])).address(args[1]).name("jdk-http").build();
        loop.start("jdk-http-loop");
        StackSelectorProvider.installGlobalStack(stack);

        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(30)).build();
        HttpResponse<byte[]> r = client.send(HttpRequest.newBuilder(URI.create(args[2])).timeout(Duration.ofSeconds(60)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        System.out.println("httpclient status " + r.statusCode() + " bytes " + r.body().length + " sha256 "
                + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(r.body())));

        if (args.length > 3) { // HTTPS, trusting the CA in -Djavax.net.ssl.trustStore
            HttpResponse<byte[]> tls = client.send(HttpRequest.newBuilder(URI.create(args[3]))
                    .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofByteArray());
            System.out.println("httpsclient status " + tls.statusCode() + " bytes " + tls.body().length + " sha256 "
                    + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(tls.body())));
        }

        HttpServer server = HttpServer.create(new InetSocketAddress(8000), 0);
        server.createContext("/hello", exchange -> {
            byte[] body = ("hello from the JDK's HttpServer on jnetstack, to "
                    + exchange.getRemoteAddress().getAddress().getHostAddress() + "\n").getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.createContext("/echo", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        System.out.println("httpserver ready on " + server.getAddress());
        Thread.sleep(Long.MAX_VALUE); // until the test stops the process
    }
}
