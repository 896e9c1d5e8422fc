package org.jnetstack.socket.nio;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTPS over the JVM-wide provider: a forked JVM ({@link HttpsOnStackMain}) whose
 * {@code HttpClient} fetches over TLS from the JDK's {@code HttpsServer} on the stack and from a
 * JSSE server on a second stack across the virtual wire, trusting a self-signed certificate made
 * here with {@code keytool} for the host names the stack's resolver gives.
 */
@Timeout(180)
class HttpsOnStackTest {
    @Test
    void jdkHttpClientSpeaksTlsToServersOnTheStack(@TempDir Path dir) throws Exception {
        String bin = System.getProperty("java.home") + File.separator + "bin" + File.separator;
        Path store = dir.resolve("web.p12");
        Process keytool = new ProcessBuilder(List.of(bin + "keytool", "-genkeypair", "-alias", "web", "-keyalg", "EC",
                "-groupname", "secp256r1", "-dname", "CN=self.test", "-ext", "SAN=dns:self.test,dns:peer.test",
                "-validity", "2", "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass", "changeit",
                "-keypass", "changeit")).redirectErrorStream(true).start();
        String keytoolOut = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(keytool.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(keytool.exitValue()).as(keytoolOut).isZero();

        Path entry = dir.resolve("services/META-INF/services/java.net.spi.InetAddressResolverProvider");
        Files.createDirectories(entry.getParent());
        Files.writeString(entry, StackInetAddressResolverProvider.class.getName() + "\n");
        Process p = new ProcessBuilder(List.of(bin + "java",
                "-Djava.nio.channels.spi.SelectorProvider=" + StackSelectorProvider.GLOBAL_CLASS,
                "-cp", dir.resolve("services") + File.pathSeparator + System.getProperty("java.class.path"),
                HttpsOnStackMain.class.getName(), store.toString(), "changeit"))
                .redirectErrorStream(true).start();
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(out).contains("httpsserver status 200 tls TLSv1.3 at 10.0.0.2")
                    .contains("httpsserver body byte-exact 500000")
                    .contains("untrusted refused SSLHandshakeException")
                    .contains("jsse status 200 tls TLSv1.3")
                    .contains("jsse body byte-exact 200000");
            assertThat(p.exitValue()).as(out).isZero();
        } finally {
            p.destroyForcibly();
        }
    }
}
