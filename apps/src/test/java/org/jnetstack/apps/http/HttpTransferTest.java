package org.jnetstack.apps.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import okhttp3.Response;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.impl.bootstrap.HttpServer;
import org.apache.hc.core5.http.impl.bootstrap.ServerBootstrap;
import org.apache.hc.core5.http.io.HttpRequestHandler;
import org.apache.hc.core5.http.io.entity.AbstractHttpEntity;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.apache.hc.core5.io.CloseMode;
import org.jnetstack.apps.appliance.VirtualAppliance;
import org.jnetstack.dns.NameResolver;
import org.jnetstack.socket.jdk.StackServerSocketFactory;
import org.jnetstack.socket.jdk.StackSocketFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The HTTP client between two stacks on a virtual wire: redirect, chunked download, streamed upload, keep-alive. */
class HttpTransferTest {
    private static final int BIG = 3 * 1024 * 1024 + 17;

    @TempDir
    Path dir;

    private VirtualAppliance v;
    private HttpServer server;
    private HttpTransfer http;

    @BeforeEach
    void start() throws Exception {
        v = new VirtualAppliance(dir, VirtualAppliance.BASE, List.of());
        HttpRequestHandler router = (req, res, ctx) -> {
            switch (req.getPath()) {
                case "/redirect" -> {
                    res.setCode(302);
                    res.setHeader("Location", "/data");
                }
                case "/data" -> res.setEntity(new AbstractHttpEntity(ContentType.APPLICATION_OCTET_STREAM, null, true) {
                    // length unknown: HttpCore5 sends it chunked
                    @Override
                    public InputStream getContent() {
                        throw new UnsupportedOperationException();
                    }

                    @Override
                    public void writeTo(OutputStream out) throws java.io.IOException {
                        out.write(pattern(BIG));
                    }

                    @Override
                    public long getContentLength() {
                        return -1;
                    }

                    @Override
                    public boolean isStreaming() {
                        return false;
                    }

                    @Override
                    public void close() {
                    }
                });
                case "/upload" -> {
                    try {
                        MessageDigest md = MessageDigest.getInstance("SHA-256");
                        long n = 0;
                        byte[] buf = new byte[65536];
                        try (InputStream in = req.getEntity().getContent()) {
                            int r;
                            while ((r = in.read(buf)) > 0) {
                                md.update(buf, 0, r);
                                n += r;
                            }
                        }
                        res.setEntity(new StringEntity(n + " " + HexFormat.of().formatHex(md.digest()) + " "
                                + req.getMethod() + " " + req.getFirstHeader("Content-Type").getValue()));
                    } catch (java.security.NoSuchAlgorithmException e) {
                        throw new AssertionError(e);
                    }
                }
                default -> res.setCode(404);
            }
        };
        server = ServerBootstrap.bootstrap().setServerSocketFactory(StackServerSocketFactory.of(v.server))
                .setLocalAddress(InetAddress.getByAddress(new byte[4])).setListenerPort(8000)
                .setRequestRouter((r, c) -> router).create();
        server.start();
        http = new HttpTransfer(StackSocketFactory.of(v.client), NameResolver.literalsOnly(), HttpTransfer.Tls.DEFAULT);
    }

    @AfterEach
    void stop() {
        if (http != null) {
            http.close();
        }
        if (server != null) {
            server.close(CloseMode.IMMEDIATE);
        }
        v.close();
    }

    static byte[] pattern(int n) {
        byte[] b = new byte[n];
        new Random(42).nextBytes(b);
        return b;
    }

    @Test
    void followsARedirectAndDecodesAChunkedBodyByteExact() throws Exception {
        try (Response r = http.execute("GET", "http://10.0.0.2:8000/redirect", List.of(), null, null)) {
            assertThat(r.code()).isEqualTo(200);
            assertThat(r.request().url().encodedPath()).isEqualTo("/data");
            assertThat(r.priorResponse().code()).isEqualTo(302);
            assertThat(r.header("Transfer-Encoding")).as("the server sent it chunked").isEqualTo("chunked");
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            long n = HttpTransfer.copy(r.body().byteStream(), out, null);
            assertThat(n).isEqualTo(BIG);
            assertThat(out.toByteArray()).isEqualTo(pattern(BIG));
        }
    }

    @Test
    void uploadsAFileStreamedAndKeepsTheConnectionAlive() throws Exception {
        Path file = dir.resolve("big.bin");
        Files.write(file, pattern(BIG));
        String expected = BIG + " " + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(pattern(BIG)));

        try (Response r = http.execute("PUT", "http://10.0.0.2:8000/upload", List.of(),
                new HttpTransfer.Body.FromFile(file, "application/octet-stream"), null)) {
            assertThat(r.body().string()).isEqualTo(expected + " PUT application/octet-stream");
        }
        try (Response r = http.execute("POST", "http://10.0.0.2:8000/upload", List.<String[]>of(new String[] {"X-A", "1"}),
                new HttpTransfer.Body.Bytes("{\"a\":1}".getBytes(), "application/json"), null)) {
            assertThat(r.body().string()).startsWith("7 ").endsWith(" POST application/json");
        }

        assertThat(v.appliance.onLoop(() -> v.client.tcp().connections().size()))
                .as("both requests went over one kept-alive connection").isEqualTo(1);
    }
}
