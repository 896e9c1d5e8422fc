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
 * The JVM-wide provider: a forked JVM with {@code -Djava.nio.channels.spi.SelectorProvider} runs
 * the JDK's own {@code HttpServer} and {@code HttpClient}, unmodified, on the stack
 * ({@link GlobalProviderMain}), and {@link StackInetAddressResolverProvider} resolves its host
 * names. Forked because the JVM reads the property once, at the first
 * {@code SelectorProvider.provider()}, and this test JVM has used the default one already.
 */
@Timeout(120)
class GlobalProviderTest {
    @Test
    void jdkHttpServerAndHttpClientRunUnchangedOnTheStack(@TempDir Path services) throws Exception {
        // The resolver provider is found only through ServiceLoader: a services entry for this JVM alone.
        Path entry = services.resolve("META-INF/services/java.net.spi.InetAddressResolverProvider");
        Files.createDirectories(entry.getParent());
        Files.writeString(entry, StackInetAddressResolverProvider.class.getName() + "\n");
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        Process p = new ProcessBuilder(List.of(java,
                "-Djava.nio.channels.spi.SelectorProvider=" + StackSelectorProvider.GLOBAL_CLASS,
                "-cp", services + File.pathSeparator + System.getProperty("java.class.path"), GlobalProviderMain.class.getName()))
                .redirectErrorStream(true).start();
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(out).contains("provider " + StackSelectorProvider.GLOBAL_CLASS)
                    .contains("resolved web.test 10.0.0.1")
                    .contains("unknown nowhere.test: not in the test's table")
                    .contains("httpserver bound /0.0.0.0:8000")
                    .contains("httpserver status HTTP/1.1 200 OK")
                    .contains("httpserver remote X-remote: 10.0.0.1")
                    .contains("httpserver echo byte-exact 1048576")
                    .contains("httpclient status 200")
                    .contains("httpclient body byte-exact 300000");
            assertThat(out.lines().filter(l -> l.startsWith("host resolver web.test ")))
                    .singleElement().asString().doesNotContain("10.0.0.1");
            assertThat(p.exitValue()).as(out).isZero();
        } finally {
            p.destroyForcibly();
        }
    }
}
