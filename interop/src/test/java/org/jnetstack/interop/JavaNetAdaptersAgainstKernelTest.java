package org.jnetstack.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.impl.bootstrap.HttpServer;
import org.apache.hc.core5.http.impl.bootstrap.ServerBootstrap;
import org.apache.hc.core5.http.io.SocketConfig;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.util.Timeout;
import org.jnetstack.dns.NameResolver;
import org.jnetstack.socket.jdk.StackServerSocketFactory;
import org.jnetstack.socket.jdk.StackSocketFactory;
import org.jnetstack.tcp.TcpConfig;
import org.jnetstack.testing.Background;
import org.jnetstack.testing.CommandResult;
import org.jnetstack.testing.Netns;
import org.jnetstack.testing.Requirements;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The java.net adapters with the Linux kernel as peer over a TAP: JSSE TLS layered on one of our
 * sockets against python's ssl server, OkHttp fetching from python's http.server, and Apache
 * HttpCore5's classic server on our ServerSocketFactory answering curl.
 */
class JavaNetAdaptersAgainstKernelTest {
    private static final String KERNEL = "10.0.0.1";
    private static final String STACK = "10.0.0.2";

    /** Names of the kernel side, as a DNS server would give them (the test needs none). */
    private static final NameResolver NAMES = host -> {
        if (host.equals("kernel.test")) {
            return List.of(InetAddress.getByName(KERNEL));
        }
        InetAddress literal = org.jnetstack.dns.Literals.parse(host);
        if (literal == null) {
            throw new UnknownHostException(host + ": unknown in this test");
        }
        return List.of(literal);
    };

    @BeforeAll
    static void needsRoot() {
        Requirements.rootWithTap("ip", "sysctl", "python3", "curl");
    }

    @AfterAll
    static void nothingLeftBehind() {
        assertThat(Netns.leftovers()).isEmpty();
        assertThat(Netns.leftoverRootLinks()).isEmpty();
    }

    @Test
    void jsseTlsOverOurSocketAgainstPythonSsl(@TempDir Path dir) throws Exception {
        Path keystore = dir.resolve("server.p12");
        String password = "changeit";
        selfSignedCertificate(keystore, password, "kernel.test");
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            ks.load(in, password.toCharArray());
        }
        Files.writeString(dir.resolve("cert.pem"), pem("CERTIFICATE", ks.getCertificate("server").getEncoded()));
        Files.writeString(dir.resolve("key.pem"), pem("PRIVATE KEY", ks.getKey("server", password.toCharArray()).getEncoded()));
        Path server = dir.resolve("tls_server.py");
        Files.writeString(server, """
                import socket, ssl, sys, hashlib
                ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
                ctx.load_cert_chain(sys.argv[1], sys.argv[2])
                s = socket.socket()
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                s.bind((sys.argv[3], 4443))
                s.listen()
                print("ready", flush=True)
                c, _ = s.accept()
                t = ctx.wrap_socket(c, server_side=True)
                data = b""
                while len(data) < 1000000:
                    chunk = t.recv(65536)
                    if not chunk:
                        break
                    data += chunk
                reply = hashlib.sha256(data).hexdigest().encode() + b"\\n" + bytes(range(256)) * 4096
                t.sendall(reply)
                print("done " + t.version(), flush=True)
                t.close()
                """);

        byte[] upload = new byte[1_000_000];
        new java.util.Random(7).nextBytes(upload);
        try (Netns ns = Netns.create(); EmbeddedTcp e = new EmbeddedTcp(ns, STACK, KERNEL, TcpConfig.defaults(), t -> t)) {
            e.start();
            Background tls = ns.spawn("python3", "-u", server.toString(), dir.resolve("cert.pem").toString(),
                    dir.resolve("key.pem").toString(), KERNEL);
            tls.awaitLine(line -> line.contains("ready"), Duration.ofSeconds(30));

            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            Certificate cert = CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(dir.resolve("cert.pem"))));
            trust.setCertificateEntry("server", cert);
            tmf.init(trust);
            SSLContext tlsContext = SSLContext.getInstance("TLS");
            tlsContext.init(null, tmf.getTrustManagers(), null);

            Socket plain = StackSocketFactory.of(e.stack, NAMES).createSocket("kernel.test", 4443);
            try (SSLSocket s = (SSLSocket) tlsContext.getSocketFactory().createSocket(plain, "kernel.test", 4443, true)) {
                SSLParameters p = s.getSSLParameters();
                p.setEndpointIdentificationAlgorithm("HTTPS"); // the certificate must name kernel.test
                s.setSSLParameters(p);
                s.setSoTimeout(60_000);
                s.startHandshake();
                assertThat(s.getSession().getProtocol()).startsWith("TLSv1.");
                OutputStream out = s.getOutputStream();
                out.write(upload);
                out.flush();
                // Exactly the reply's length: whether a peer's TCP close without close_notify is an
                // error is JSSE's business, not this test's.
                byte[] reply = s.getInputStream().readNBytes(65 + 256 * 4096);
                String digest = new String(reply, 0, 64, StandardCharsets.US_ASCII);
                assertThat(digest).isEqualTo(sha256(upload));
                assertThat(reply.length).isEqualTo(65 + 256 * 4096);
                for (int i = 65; i < reply.length; i++) {
                    if (reply[i] != (byte) (i - 65)) {
                        throw new AssertionError("reply byte " + i + " is wrong");
                    }
                }
            }
            tls.awaitLine(line -> line.contains("done"), Duration.ofSeconds(30));
        }
    }

    @Test
    void okHttpFetchesOverTheStack(@TempDir Path dir) throws Exception {
        byte[] file = new byte[3_000_000];
        new java.util.Random(8).nextBytes(file);
        Files.write(dir.resolve("blob.bin"), file);
        try (Netns ns = Netns.create(); EmbeddedTcp e = new EmbeddedTcp(ns, STACK, KERNEL, TcpConfig.defaults(), t -> t)) {
            e.start();
            pythonHttpServer(ns, dir, KERNEL, 8000);

            OkHttpClient client = new OkHttpClient.Builder()
                    .socketFactory(StackSocketFactory.of(e.stack, NAMES))
                    .dns(NAMES::resolve)
                    .readTimeout(Duration.ofSeconds(60))
                    .build();
            try {
                for (int i = 0; i < 2; i++) { // the second request may reuse the pooled connection
                    try (Response r = client.newCall(new Request.Builder().url("http://kernel.test:8000/blob.bin").build())
                            .execute()) {
                        assertThat(r.code()).isEqualTo(200);
                        assertThat(r.body().bytes()).isEqualTo(file);
                    }
                }
                try (Response r = client.newCall(new Request.Builder().url("http://kernel.test:8000/missing").build())
                        .execute()) {
                    assertThat(r.code()).isEqualTo(404);
                }
            } finally {
                client.connectionPool().evictAll();
                client.dispatcher().executorService().shutdown();
            }
        }
    }

    @Test
    void httpCore5ServesCurlOverOurServerSocketFactory(@TempDir Path dir) throws Exception {
        byte[] upload = new byte[2_000_000];
        new java.util.Random(9).nextBytes(upload);
        Files.write(dir.resolve("upload.bin"), upload);
        try (Netns ns = Netns.create(); EmbeddedTcp e = new EmbeddedTcp(ns, STACK, KERNEL, TcpConfig.defaults(), t -> t)) {
            e.start();
            HttpServer server = ServerBootstrap.bootstrap()
                    .setListenerPort(8080)
                    .setCanonicalHostName(STACK) // requests for another authority get 421
                    .setServerSocketFactory(StackServerSocketFactory.of(e.stack))
                    .setSocketConfig(SocketConfig.custom().setSoTimeout(Timeout.ofSeconds(30)).setTcpNoDelay(true).build())
                    .register("/hello", (request, response, context) -> response.setEntity(
                            new StringEntity("hello over jnetstack\n", ContentType.TEXT_PLAIN)))
                    .register("/sha256", (request, response, context) -> {
                        byte[] body = EntityUtils.toByteArray(request.getEntity());
                        response.setEntity(new StringEntity(sha256(body) + " " + body.length + "\n", ContentType.TEXT_PLAIN));
                    })
                    .register("/big", (request, response, context) -> {
                        ClassicHttpResponse r = response;
                        r.setEntity(new ByteArrayEntity(upload, ContentType.APPLICATION_OCTET_STREAM));
                    })
                    .create();
            server.start();
            try {
                assertThat(server.getLocalPort()).isEqualTo(8080);
                CommandResult hello = ns.run(Duration.ofSeconds(60), "curl", "-sS", "--max-time", "30",
                        "http://" + STACK + ":8080/hello");
                assertThat(hello.exitStatus()).as(hello.describe()).isZero();
                assertThat(hello.stdout()).isEqualTo("hello over jnetstack\n");

                CommandResult post = ns.run(Duration.ofSeconds(60), "curl", "-sS", "--max-time", "30",
                        "--data-binary", "@" + dir.resolve("upload.bin"), "http://" + STACK + ":8080/sha256");
                assertThat(post.exitStatus()).as(post.describe()).isZero();
                assertThat(post.stdout()).isEqualTo(sha256(upload) + " " + upload.length + "\n");

                Path got = dir.resolve("got.bin");
                CommandResult big = ns.run(Duration.ofSeconds(60), "curl", "-sS", "--max-time", "30", "-o", got.toString(),
                        "http://" + STACK + ":8080/big", "http://" + STACK + ":8080/hello");
                assertThat(big.exitStatus()).as(big.describe()).isZero();
                assertThat(Files.readAllBytes(got)).isEqualTo(upload);
            } finally {
                server.close(CloseMode.IMMEDIATE);
                server.awaitTermination(Timeout.ofSeconds(10));
            }
        }
    }

    // ------------------------------------------------------------------ helpers

    /** python's http.server serving {@code dir} on {@code address:port} in {@code ns}, once it says it serves. */
    static Background pythonHttpServer(Netns ns, Path dir, String address, int port) throws InterruptedException {
        Background http = ns.spawn("python3", "-u", "-m", "http.server", "-d", dir.toString(), "-b", address,
                Integer.toString(port));
        http.awaitLine(line -> line.contains("Serving HTTP"), Duration.ofSeconds(30));
        return http;
    }

    static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    /** keytool from the running JDK: no openssl needed on the machine. */
    static void selfSignedCertificate(Path keystore, String password, String name) throws IOException, InterruptedException {
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Process p = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "server", "-keyalg", "EC",
                "-groupname", "secp256r1", "-dname", "CN=" + name, "-ext", "SAN=dns:" + name, "-validity", "2",
                "-storetype", "PKCS12", "-keystore", keystore.toString(), "-storepass", password, "-keypass", password)
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("keytool failed: " + output);
        }
    }
}
