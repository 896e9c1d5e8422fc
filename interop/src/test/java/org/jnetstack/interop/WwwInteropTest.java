package org.jnetstack.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import org.jnetstack.testing.Background;
import org.jnetstack.testing.CommandResult;
import org.jnetstack.testing.Netns;
import org.jnetstack.testing.Requirements;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jns run --www DIR} as a user runs it, fetched by the kernel's curl over the TAP: a
 * whole file and ranges of it byte-exact, HEAD, revalidation, and requests that try to leave
 * the directory.
 */
class WwwInteropTest {
    private static final String KERNEL = "10.0.0.1";
    private static final String STACK = "10.0.0.2";
    private static final Duration CURL_TIMEOUT = Duration.ofMinutes(2);

    @BeforeAll
    static void needsRootAndCurl() {
        Requirements.rootWithTap("ip", "sysctl", "curl");
    }

    @AfterAll
    static void nothingLeftBehind() {
        assertThat(Netns.leftovers()).isEmpty();
    }

    @Test
    void curlGetsFilesAndRangesByteExactAndNothingOutside(@TempDir Path dir) throws Exception {
        Path site = Files.createDirectory(dir.resolve("site"));
        Path data = KernelTcp.randomFile(site, "data.bin", 5L * 1024 * 1024 + 17, 80);
        byte[] bytes = Files.readAllBytes(data);
        Files.writeString(site.resolve("index.html"), "<h1>jns</h1>\n");
        Files.writeString(dir.resolve("secret.txt"), "outside\n");
        Files.createSymbolicLink(site.resolve("link.txt"), dir.resolve("secret.txt"));
        try (Netns ns = Netns.create()) {
            String tap = Netns.uniqueTapName();
            ns.createTap(tap, KERNEL + "/24");
            Background jns = ns.spawn(Jns.command("run", "--tap", tap, "--ip", STACK + "/24", "--www", site.toString(),
                    "--www-port", "80"));
            String up = jns.awaitLine(line -> line.startsWith("jns: web files on"), Duration.ofSeconds(60));
            assertThat(up).isEqualTo("jns: web files on http://" + STACK + ":80/ (" + site.toRealPath() + ")");
            String base = "http://" + STACK + "/";

            Path got = dir.resolve("got.bin");
            curl(ns, "-o", got.toString(), base + "data.bin");
            assertThat(KernelTcp.sha256(got)).as("the whole file").isEqualTo(KernelTcp.sha256(data));

            curl(ns, "-r", "1000000-1999999", "-o", got.toString(), base + "data.bin");
            assertThat(Files.readAllBytes(got)).isEqualTo(Arrays.copyOfRange(bytes, 1_000_000, 2_000_000));
            curl(ns, "-r", "-17", "-o", got.toString(), base + "data.bin");
            assertThat(Files.readAllBytes(got)).isEqualTo(Arrays.copyOfRange(bytes, bytes.length - 17, bytes.length));

            String head = curl(ns, "-sI", base + "data.bin");
            assertThat(head).startsWith("HTTP/1.1 200").contains("Content-Length: " + bytes.length)
                    .contains("Content-Type: application/octet-stream").contains("Accept-Ranges: bytes");
            String etag = head.lines().filter(l -> l.startsWith("ETag: ")).findFirst().orElseThrow().substring(6).trim();
            assertThat(status(ns, "-H", "If-None-Match: " + etag, base + "data.bin")).isEqualTo("304");
            assertThat(status(ns, "-r", bytes.length + "-", base + "data.bin")).isEqualTo("416");

            assertThat(curl(ns, "-s", base)).isEqualTo("<h1>jns</h1>\n");
            assertThat(curl(ns, "-s", "-o", "/dev/null", "-w", "%{content_type}", base)).isEqualTo("text/html; charset=utf-8");
            assertThat(status(ns, "--path-as-is", base + "../secret.txt")).isEqualTo("400");
            assertThat(status(ns, base + "%2e%2e/secret.txt")).isEqualTo("400");
            assertThat(status(ns, base + "link.txt")).as("a symbolic link out of the root").isEqualTo("404");
            assertThat(jns.output()).doesNotContain("Exception");
        }
    }

    private static String curl(Netns ns, String... args) {
        String[] cmd = new String[args.length + 3];
        cmd[0] = "curl";
        cmd[1] = "-sS";
        cmd[2] = "--fail-with-body";
        System.arraycopy(args, 0, cmd, 3, args.length);
        CommandResult r = ns.run(CURL_TIMEOUT, cmd);
        assertThat(r.exitStatus()).as(r.describe()).isZero();
        return r.stdout().replace("\r\n", "\n");
    }

    /** The status code curl got. */
    private static String status(Netns ns, String... args) {
        String[] cmd = new String[args.length + 5];
        cmd[0] = "curl";
        cmd[1] = "-s";
        cmd[2] = "-o";
        cmd[3] = "/dev/null";
        cmd[4] = "-w%{http_code}";
        System.arraycopy(args, 0, cmd, 5, args.length);
        return ns.run(CURL_TIMEOUT, cmd).stdout().trim();
    }
}
