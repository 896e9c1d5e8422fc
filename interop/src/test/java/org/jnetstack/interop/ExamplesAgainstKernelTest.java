package org.jnetstack.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.jnetstack.examples.EchoServer;
import org.jnetstack.examples.HttpGet;
import org.jnetstack.tcp.TcpConfig;
import org.jnetstack.testing.Background;
import org.jnetstack.testing.CommandResult;
import org.jnetstack.testing.Netns;
import org.jnetstack.testing.Requirements;
import org.jnetstack.wire.Ipv4Address;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The callback-API examples with the kernel as peer: nc through EchoServer, HttpGet from python's http.server. */
class ExamplesAgainstKernelTest {
    private static final String KERNEL = "10.0.0.1";
    private static final String STACK = "10.0.0.2";

    @BeforeAll
    static void needsRoot() {
        Requirements.rootWithTap("ip", "sysctl", "python3", "nc");
    }

    @AfterAll
    static void nothingLeftBehind() {
        assertThat(Netns.leftovers()).isEmpty();
        assertThat(Netns.leftoverRootLinks()).isEmpty();
    }

    @Test
    void kernelNcThroughTheExampleEchoServer(@TempDir Path dir) throws Exception {
        Path data = KernelTcp.randomFile(dir, "data", 3_000_000, 5);
        Path echoed = dir.resolve("echoed");
        try (Netns ns = Netns.create(); EmbeddedTcp e = new EmbeddedTcp(ns, STACK, KERNEL, TcpConfig.defaults(), t -> t)) {
            e.onLoopBeforeStart(() -> EchoServer.listen(e.stack, 7));
            e.start();

            // netcat-openbsd: -N sends FIN at the end of its input, then it reads until the server's FIN.
            CommandResult nc = ns.run(Duration.ofMinutes(2), "sh", "-c",
                    "nc -N " + STACK + " 7 < " + data + " > " + echoed);

            assertThat(nc.exitStatus()).as(nc.describe()).isZero();
            assertThat(KernelTcp.sha256(echoed)).isEqualTo(KernelTcp.sha256(data));
        }
    }

    @Test
    void exampleHttpGetFetchesFromPythonsHttpServer(@TempDir Path dir) throws Exception {
        String body = "hello from the kernel's side\n".repeat(5000);
        Files.writeString(dir.resolve("index.txt"), body);
        try (Netns ns = Netns.create(); EmbeddedTcp e = new EmbeddedTcp(ns, STACK, KERNEL, TcpConfig.defaults(), t -> t)) {
            e.start();
            Background http = ns.spawn("python3", "-u", "-m", "http.server", "-d", dir.toString(), "-b", KERNEL, "8000");
            http.awaitLine(line -> line.contains("Serving HTTP"), Duration.ofSeconds(30));

            HttpGet get = e.onLoop(() -> HttpGet.start(e.stack, Ipv4Address.parse(KERNEL), 8000, "/index.txt"));
            long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!e.onLoop(get::isDone) && System.nanoTime() < end) {
                Thread.sleep(20);
            }

            assertThat(e.onLoop(get::isDone)).isTrue();
            assertThat(get.error()).isNull();
            String response = new String(get.response(), StandardCharsets.ISO_8859_1);
            assertThat(response).startsWith("HTTP/1.0 200 OK\r\n").contains("Content-Length: " + body.length() + "\r\n")
                    .endsWith("\r\n\r\n" + body);
        }
    }
}
