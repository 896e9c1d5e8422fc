package org.jnetstack.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import org.jnetstack.socket.nio.StackSelectorProvider;
import org.jnetstack.testing.Background;
import org.jnetstack.testing.CommandResult;
import org.jnetstack.testing.Netns;
import org.jnetstack.testing.Requirements;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JDK's own {@code HttpClient} (HTTP/1.1, and HTTPS with a test CA) and {@code com.sun.net.httpserver.HttpServer}, unmodified, on
 * the stack against the Linux kernel over TAP: a JVM started with
 * {@code -Djava.nio.channels.spi.SelectorProvider=}{@value StackSelectorProvider#GLOBAL_CLASS}
 * ({@link JdkHttpOnStackMain}) fetches a file from python's http.server, then its HttpServer
 * answers kernel {@code curl}: a GET, and a 10 MB POST echoed byte-exact.
 */
@Timeout(300)
class JdkHttpOnStackTest {
    private static final String KERNEL = "10.0.0.1";
    private static final String STACK = "10.0.0.2";

    @AfterAll
    static void nothingLeftBehind() {
        assertThat(Netns.leftovers()).isEmpty();
    }

    @Test
    void jdkHttpClientAndHttpServerOnTheStackWithTheKernel(@TempDir Path dir) throws Exception {
        Requirements.rootWithTap("ip", "sysctl", "python3", "curl", "openssl");
        Path served = dir.resolve("www");
        java.nio.file.Files.createDirectories(served);
        Path file = KernelTcp.randomFile(served, "blob.bin", 5_000_000, 31);
        Path post = KernelTcp.randomFile(dir, "post.bin", 10_000_000, 32);
        Path ca = TestCertificates.certificateAuthority(dir, "ca");
        TestCertificates.serverCertificate(dir, KERNEL);
        Path trust = dir.resolve("trust.p12");
        CommandResult imported = Netns.runCommand(Duration.ofMinutes(1), java.util.List.of(
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString(), "-importcert", "-noprompt",
                "-alias", "test-ca", "-file", ca.toString(), "-keystore", trust.toString(), "-storetype", "PKCS12",
                "-storepass", "changeit"));
        assertThat(imported.exitStatus()).as(imported.describe()).isZero();
        try (Netns ns = Netns.create()) {
            String tap = Netns.uniqueTapName();
            ns.createTap(tap, KERNEL + "/24");
            Background http = ns.spawn("python3", "-u", "-m", "http.server", "-d", served.toString(), "-b", KERNEL, "8080");
            http.awaitLine(line -> line.contains("Serving HTTP"), Duration.ofSeconds(30));
            Path script = KernelTcp.script(dir, "tls_server.py", TestCertificates.TLS_SERVER);
            Background https = ns.spawn("python3", script.toString(), KERNEL, "8443", served.toString(),
                    dir.resolve("server.pem").toString(), dir.resolve("server.key").toString());
            https.awaitLine(line -> line.equals("LISTENING"), Duration.ofSeconds(30));
            Background jvm = ns.spawn(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "--enable-native-access=ALL-UNNAMED",
                    "-Djava.nio.channels.spi.SelectorProvider=" + StackSelectorProvider.GLOBAL_CLASS,
                    "-Djavax.net.ssl.trustStore=" + trust, "-Djavax.net.ssl.trustStorePassword=changeit",
                    "-cp", System.getProperty("java.class.path"), JdkHttpOnStackMain.class.getName(),
                    tap, STACK + "/24", "http://" + KERNEL + ":8080/blob.bin", "https://" + KERNEL + ":8443/blob.bin");

            String fetched = jvm.awaitLine(line -> line.startsWith("httpclient "), Duration.ofSeconds(90));
            assertThat(fetched).isEqualTo("httpclient status 200 bytes 5000000 sha256 " + KernelTcp.sha256(file));
            String overTls = jvm.awaitLine(line -> line.startsWith("httpsclient "), Duration.ofSeconds(90));
            assertThat(overTls).as("HTTPS from python's TLS server, its certificate signed by the test CA")
                    .isEqualTo("httpsclient status 200 bytes 5000000 sha256 " + KernelTcp.sha256(file));
            String ready = jvm.awaitLine(line -> line.startsWith("httpserver ready"), Duration.ofSeconds(30));
            assertThat(ready).endsWith(":8000");

            CommandResult get = ns.run(Duration.ofMinutes(1), "curl", "-sS", "--max-time", "30", "http://" + STACK + ":8000/hello");
            assertThat(get.exitStatus()).as(get.describe()).isZero();
            assertThat(get.stdout()).isEqualTo("hello from the JDK's HttpServer on jnetstack, to " + KERNEL + "\n");

            Path echoed = dir.resolve("echoed.bin");
            CommandResult echo = ns.run(Duration.ofMinutes(2), "curl", "-sS", "--max-time", "90", "--data-binary", "@" + post,
                    "-H", "Content-Type: application/octet-stream", "-o", echoed.toString(), "http://" + STACK + ":8000/echo");
            assertThat(echo.exitStatus()).as(echo.describe() + "\nthe JVM printed:\n" + jvm.output()).isZero();
            assertThat(KernelTcp.sha256(echoed)).isEqualTo(KernelTcp.sha256(post));
            assertThat(jvm.output()).doesNotContain("Exception");
        }
    }
}
