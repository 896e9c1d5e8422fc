package org.jnetstack.apps.httpd;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import javax.net.ServerSocketFactory;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The static file handler over the JDK's loopback sockets (the stack's own are in the interop test). */
class StaticFilesTest {
    @TempDir
    Path site;
    byte[] data = new byte[300_000];
    StackHttpServer server;
    HttpClient client = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        new Random(7).nextBytes(data);
        Files.write(site.resolve("data.bin"), data);
        Files.writeString(site.resolve("index.html"), "<h1>hi</h1>");
        Files.writeString(site.resolve("style.css"), "h1{}");
        Files.createDirectories(site.resolve("docs"));
        Files.writeString(site.resolve("docs/index.html"), "docs");
        server = StackHttpServer.start(ServerSocketFactory.getDefault(), InetAddress.getLoopbackAddress(), 0,
                new StaticFiles(site));
    }

    @AfterEach
    void stop() {
        server.close();
        client.close();
    }

    private HttpResponse<byte[]> send(String method, String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (headers.length > 0) {
            b.headers(headers);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static String header(HttpResponse<?> r, String name) {
        return r.headers().firstValue(name).orElse(null);
    }

    @Test
    void wholeFilesWithTheirTypes() throws Exception {
        HttpResponse<byte[]> r = send("GET", "/data.bin");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo(data);
        assertThat(header(r, "Content-Type")).isEqualTo("application/octet-stream");
        assertThat(header(r, "Accept-Ranges")).isEqualTo("bytes");
        assertThat(header(r, "ETag")).startsWith("\"");
        assertThat(header(r, "Last-Modified")).endsWith("GMT");

        r = send("GET", "/");
        assertThat(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo("<h1>hi</h1>");
        assertThat(header(r, "Content-Type")).isEqualTo("text/html; charset=utf-8");
        assertThat(header(send("GET", "/style.css"), "Content-Type")).isEqualTo("text/css; charset=utf-8");

        r = send("GET", "/docs");
        assertThat(r.statusCode()).isEqualTo(301);
        assertThat(header(r, "Location")).isEqualTo("/docs/");
        assertThat(new String(send("GET", "/docs/").body(), StandardCharsets.UTF_8)).isEqualTo("docs");
        assertThat(send("GET", "/missing").statusCode()).isEqualTo(404);
    }

    @Test
    void headSaysTheLengthAndSendsNoBody() throws Exception {
        HttpResponse<byte[]> r = send("HEAD", "/data.bin", "Range", "bytes=0-9");
        assertThat(r.statusCode()).as("Range is for GET only").isEqualTo(200);
        assertThat(header(r, "Content-Length")).isEqualTo(Integer.toString(data.length));
        assertThat(r.body()).isEmpty();
        r = send("POST", "/data.bin");
        assertThat(r.statusCode()).isEqualTo(405);
        assertThat(header(r, "Allow")).isEqualTo("GET, HEAD");
    }

    @Test
    void oneRangeSeveralRangesAndNone() throws Exception {
        HttpResponse<byte[]> r = send("GET", "/data.bin", "Range", "bytes=1000-1999");
        assertThat(r.statusCode()).isEqualTo(206);
        assertThat(header(r, "Content-Range")).isEqualTo("bytes 1000-1999/" + data.length);
        assertThat(r.body()).isEqualTo(Arrays.copyOfRange(data, 1000, 2000));

        r = send("GET", "/data.bin", "Range", "bytes=-10");
        assertThat(r.body()).isEqualTo(Arrays.copyOfRange(data, data.length - 10, data.length));

        r = send("GET", "/data.bin", "Range", "bytes=0-3,100-103");
        assertThat(r.statusCode()).isEqualTo(206);
        String type = header(r, "Content-Type");
        assertThat(type).startsWith("multipart/byteranges; boundary=");
        String boundary = type.substring(type.indexOf('=') + 1);
        byte[] expected = concat(
                ("\r\n--" + boundary + "\r\nContent-Type: application/octet-stream\r\nContent-Range: bytes 0-3/" + data.length
                        + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII), Arrays.copyOfRange(data, 0, 4),
                ("\r\n--" + boundary + "\r\nContent-Type: application/octet-stream\r\nContent-Range: bytes 100-103/" + data.length
                        + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII), Arrays.copyOfRange(data, 100, 104),
                ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        assertThat(r.body()).isEqualTo(expected);
        assertThat(header(r, "Content-Length")).isEqualTo(Integer.toString(expected.length));

        r = send("GET", "/data.bin", "Range", "bytes=" + data.length + "-");
        assertThat(r.statusCode()).isEqualTo(416);
        assertThat(header(r, "Content-Range")).isEqualTo("bytes */" + data.length);
    }

    @Test
    void conditionalRequests() throws Exception {
        HttpResponse<byte[]> first = send("GET", "/data.bin");
        String etag = header(first, "ETag");
        String lastModified = header(first, "Last-Modified");

        HttpResponse<byte[]> r = send("GET", "/data.bin", "If-None-Match", "\"other\", " + etag);
        assertThat(r.statusCode()).isEqualTo(304);
        assertThat(r.body()).isEmpty();
        assertThat(send("GET", "/data.bin", "If-None-Match", "W/" + etag).statusCode()).as("weak comparison").isEqualTo(304);
        assertThat(send("GET", "/data.bin", "If-None-Match", "\"other\"").statusCode()).isEqualTo(200);
        assertThat(send("GET", "/data.bin", "If-Modified-Since", lastModified).statusCode()).isEqualTo(304);
        assertThat(send("GET", "/data.bin", "If-Modified-Since", "Thu, 01 Jan 1970 00:00:00 GMT").statusCode()).isEqualTo(200);
        assertThat(send("GET", "/data.bin", "If-None-Match", "\"other\"", "If-Modified-Since", lastModified).statusCode())
                .as("If-None-Match decides when present").isEqualTo(200);

        assertThat(send("GET", "/data.bin", "Range", "bytes=0-9", "If-Range", etag).statusCode()).isEqualTo(206);
        r = send("GET", "/data.bin", "Range", "bytes=0-9", "If-Range", "\"stale\"");
        assertThat(r.statusCode()).as("a stale If-Range gets the whole file").isEqualTo(200);
        assertThat(r.body()).isEqualTo(data);
        assertThat(send("GET", "/data.bin", "Range", "bytes=0-9", "If-Range", lastModified).statusCode()).isEqualTo(206);
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    @Test
    void aSymbolicLinkToADotFileIsNotFound() throws Exception {
        Files.writeString(site.resolve(".env"), "SECRET=1");
        Files.createSymbolicLink(site.resolve("env.txt"), site.resolve(".env"));

        HttpResponse<byte[]> r = send("GET", "/env.txt");

        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(new String(r.body(), StandardCharsets.UTF_8)).doesNotContain("SECRET");
    }
}
