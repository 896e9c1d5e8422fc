package org.jnetstack.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
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
 * Jetty 12, unmodified, on the stack against the Linux kernel over TAP: a JVM started with
 * {@code -Djava.nio.channels.spi.SelectorProvider=}{@value StackSelectorProvider#GLOBAL_CLASS}
 * ({@link JettyOnStackMain}) serves a handler to kernel {@code curl}: a GET, and a 10 MB POST
 * echoed byte-exact.
 */
@Timeout(300)
class JettyOnStackTest {
    private static final String KERNEL = "10.0.0.1";
    private static final String STACK = "10.0.0.2";

    @AfterAll
    static void nothingLeftBehind() {
        assertThat(Netns.leftovers()).isEmpty();
    }

    @Test
    void jettyOnTheStackAnswersKernelCurl(@TempDir Path dir) throws Exception {
        Requirements.rootWithTap("ip", "sysctl", "curl");
        Path post = KernelTcp.randomFile(dir, "post.bin", 10_000_000, 41);
        try (Netns ns = Netns.create()) {
            String tap = Netns.uniqueTapName();
            ns.createTap(tap, KERNEL + "/24");
            Background jvm = ns.spawn(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "--enable-native-access=ALL-UNNAMED",
                    "-Djava.nio.channels.spi.SelectorProvider=" + StackSelectorProvider.GLOBAL_CLASS,
                    "-cp", System.getProperty("java.class.path"), JettyOnStackMain.class.getName(), tap, STACK + "/24");
            String ready = jvm.awaitLine(line -> line.startsWith("jetty ready"), Duration.ofSeconds(60));
            assertThat(ready).startsWith("jetty ready on 8000");

            Path headers = dir.resolve("headers.txt");
            CommandResult get = ns.run(Duration.ofMinutes(1), "curl", "-sS", "--max-time", "30", "-D", headers.toString(),
                    "http://" + STACK + ":8000/hello");
            assertThat(get.exitStatus()).as(get.describe() + "\nthe JVM printed:\n" + jvm.output()).isZero();
            assertThat(get.stdout()).isEqualTo("hello\n");
            assertThat(Files.readString(headers)).contains("HTTP/1.1 200 OK", "X-Client: " + KERNEL, "X-Server: Jetty on jnetstack");

            Path echoed = dir.resolve("echoed.bin");
            CommandResult echo = ns.run(Duration.ofMinutes(2), "curl", "-sS", "--max-time", "90", "--data-binary", "@" + post,
                    "-H", "Content-Type: application/octet-stream", "-o", echoed.toString(), "http://" + STACK + ":8000/echo");
            assertThat(echo.exitStatus()).as(echo.describe() + "\nthe JVM printed:\n" + jvm.output()).isZero();
            assertThat(KernelTcp.sha256(echoed)).isEqualTo(KernelTcp.sha256(post));
            assertThat(jvm.output()).doesNotContain("Exception");
        }
    }
}
