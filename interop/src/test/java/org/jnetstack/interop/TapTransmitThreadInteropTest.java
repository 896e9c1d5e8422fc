package org.jnetstack.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.jnetstack.testing.Background;
import org.jnetstack.testing.CommandResult;
import org.jnetstack.testing.Netns;
import org.jnetstack.testing.Requirements;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The TAP's transmit thread ({@code -Djnetstack.tap.transmitRing=true}, TapOptions) under load:
 * 100 MiB each way at once through {@code jns run --echo} on plain frames: everything the stack
 * sends goes through the ring and the thread; the SHA-256 of the echo equals that of the data, and
 * a capture holds no malformed packet. The thread is seen running in the {@code jns} process, so
 * the test cannot pass with the option silently off. With offloads granted the option is ignored
 * (TapOptions): no such thread, and the same transfer.
 */
class TapTransmitThreadInteropTest {
    private static final String KERNEL = "10.0.0.1";
    private static final String STACK = "10.0.0.2";
    private static final long SIZE = 100L * 1024 * 1024;

    @TempDir
    static Path dir;
    private static Path data;
    private static String dataSha;

    @BeforeAll
    static void needsRootAndData() throws Exception {
        Requirements.rootWithTap("ip", "sysctl", "python3", "tshark");
        data = KernelTcp.randomFile(dir, "data", SIZE, 13);
        dataSha = KernelTcp.sha256(data);
    }

    @AfterAll
    static void nothingLeftBehind() {
        assertThat(Netns.leftovers()).isEmpty();
    }

    @ParameterizedTest(name = "offload {0}")
    @ValueSource(booleans = {false, true})
    void hundredMegabytesEachWayThroughTheTransmitThread(boolean offload) throws Exception {
        try (Netns ns = Netns.create()) {
            String tap = Netns.uniqueTapName();
            ns.createTap(tap, KERNEL + "/24");
            Path pcap = dir.resolve("txthread-" + offload + ".pcap");
            Capture capture = Capture.start(ns, tap, pcap, 128);
            List<String> cmd = new ArrayList<>(List.of(Jns.command("run", "--tap", tap, "--ip", STACK + "/24", "--echo")));
            if (!offload) {
                cmd.add("--no-offload");
            }
            cmd.add(1, "-Djnetstack.tap.transmitRing=true");
            Background jns = ns.spawn(cmd.toArray(new String[0]));
            jns.awaitLine(line -> line.startsWith("jns: up: "), Duration.ofSeconds(60));
            if (offload) {
                assertThat(threadNames(jns.pid())).as("threads of the jns process").noneMatch(n -> n.startsWith("jnetstack-tap-t"));
            } else {
                assertThat(threadNames(jns.pid())).as("threads of the jns process").anyMatch(n -> n.startsWith("jnetstack-tap-t"));
            }
            Path client = KernelTcp.script(dir, "client.py", KernelTcp.CLIENT);

            CommandResult r = ns.run(Duration.ofMinutes(5), "python3", client.toString(), STACK, "7", data.toString());
            Path file = capture.stop();

            assertThat(r.exitStatus()).as(r.describe() + "\njns printed:\n" + jns.output()).isZero();
            KernelTcp.Result result = KernelTcp.Result.parse(r.stdout());
            assertThat(result.bytes()).isEqualTo(SIZE);
            assertThat(result.sha256()).as("SHA-256 of the echo").isEqualTo(dataSha);
            assertThat(Tshark.count(file, "_ws.malformed")).as("malformed packets").isZero();
            System.out.printf("TCP echo via jns run with the TAP transmit thread, offloads %s: 100 MiB each way, %.1f MB/s%n",
                    offload ? "on" : "off", result.megabytesPerSecond());
            assertThat(jns.output()).doesNotContain("Exception");
        }
    }

    /** The names of the threads of {@code pid} and its descendants (the namespace launcher may wrap java). */
    private static List<String> threadNames(long pid) throws IOException {
        List<Long> pids = new ArrayList<>(List.of(pid));
        ProcessHandle.of(pid).ifPresent(h -> h.descendants().forEach(d -> pids.add(d.pid())));
        List<String> names = new ArrayList<>();
        for (long p : pids) {
            Path tasks = Path.of("/proc", Long.toString(p), "task");
            if (!Files.isDirectory(tasks)) {
                continue;
            }
            try (Stream<Path> s = Files.list(tasks)) {
                for (Path t : s.toList()) {
                    try {
                        names.add(Files.readString(t.resolve("comm")).trim());
                    } catch (IOException gone) {
                        // the thread ended meanwhile
                    }
                }
            }
        }
        return names;
    }
}
