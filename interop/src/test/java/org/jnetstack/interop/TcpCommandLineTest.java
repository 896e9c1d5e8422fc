package org.jnetstack.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jnetstack.testing.Background;
import org.jnetstack.testing.CommandResult;
import org.jnetstack.testing.Netns;
import org.jnetstack.testing.Requirements;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 100 MB each way between the Linux kernel (python3 sockets in a namespace) and the command line
 * as a user runs it: through {@code jns run --echo} (TCP echo) and through {@code jns nc} in both
 * roles. Every byte must arrive: SHA-256 of what was received equals that of what was sent.
 * Throughput is printed (not asserted) for the benchmark notes.
 */
class TcpCommandLineTest {
    private static final String KERNEL = "10.0.0.1";
    private static final String STACK = "10.0.0.2";
    private static final long SIZE = 100L * 1024 * 1024;
    private static final Duration TRANSFER_TIMEOUT = Duration.ofMinutes(5);

    @TempDir
    static Path dir;
    private static Path data;
    private static String dataSha;

    @BeforeAll
    static void needsRootAndData() throws Exception {
        Requirements.rootWithTap("ip", "sysctl", "python3", "sh");
        data = KernelTcp.randomFile(dir, "data", SIZE, 42);
        dataSha = KernelTcp.sha256(data);
    }

    @AfterAll
    static void nothingLeftBehind() {
        assertThat(Netns.leftovers()).isEmpty();
    }

    @Test
    void hundredMegabytesEachWayThroughTheTcpEchoService() throws Exception {
        try (Netns ns = Netns.create()) {
            String tap = Netns.uniqueTapName();
            ns.createTap(tap, KERNEL + "/24");
            Background jns = ns.spawn(Jns.command("run", "--tap", tap, "--ip", STACK + "/24", "--echo"));
            jns.awaitLine(line -> line.startsWith("jns: up: "), Duration.ofSeconds(60));
            // Each service says where it listens on a line of its own after the "up" line.
            assertThat(jns.awaitLine(line -> line.startsWith("jns: echo on "), Duration.ofSeconds(30)))
                    .isEqualTo("jns: echo on UDP and TCP " + STACK + ":7");
            Path client = KernelTcp.script(dir, "client.py", KernelTcp.CLIENT);

            CommandResult r = ns.run(TRANSFER_TIMEOUT, "python3", client.toString(), STACK, "7", data.toString());

            assertThat(r.exitStatus()).as(r.describe() + "\njns printed:\n" + jns.output()).isZero();
            KernelTcp.Result result = KernelTcp.Result.parse(r.stdout());
            assertThat(result.bytes()).isEqualTo(SIZE);
            assertThat(result.sha256()).as("SHA-256 of the echo").isEqualTo(dataSha);
            System.out.printf("TCP echo via jns run: 100 MiB each way at the same time, %.1f MB/s each way%n",
                    result.megabytesPerSecond());
            assertThat(jns.output()).doesNotContain("Exception");
        }
    }

    @Test
    void hundredMegabytesFromJnsNcToTheKernel() throws Exception {
        try (Netns ns = Netns.create()) {
            String tap = Netns.uniqueTapName();
            ns.createTap(tap, KERNEL + "/24");
            Path server = KernelTcp.script(dir, "server.py", KernelTcp.SERVER);
            Background kernel = ns.spawn("python3", server.toString(), KERNEL, "5000", "-");
            kernel.awaitLine(line -> line.equals("LISTENING"), Duration.ofSeconds(30));
            Path received = dir.resolve("nc-connect.out");

            long start = System.nanoTime();
            CommandResult nc = ns.run(TRANSFER_TIMEOUT, redirected(data, received,
                    Jns.command("nc", "--tap", tap, "--ip", STACK + "/24", KERNEL, "5000")));
            double seconds = (System.nanoTime() - start) / 1e9;

            assertThat(nc.exitStatus()).as(nc.describe()).isZero();
            kernel.awaitExit(Duration.ofSeconds(30));
            KernelTcp.Result result = KernelTcp.Result.parse(kernel.output());
            assertThat(result.bytes()).isEqualTo(SIZE);
            assertThat(result.sha256()).as("SHA-256 of what the kernel received").isEqualTo(dataSha);
            assertThat(received).as("the kernel sent nothing back").isEmptyFile();
            System.out.printf("jns nc -> kernel: 100 MiB, %.1f MB/s at the receiver; %.1f s for the whole command"
                    + " (JVM start included)%n", result.megabytesPerSecond(), seconds);
        }
    }

    @Test
    void hundredMegabytesFromTheKernelToJnsNcListening() throws Exception {
        try (Netns ns = Netns.create()) {
            String tap = Netns.uniqueTapName();
            ns.createTap(tap, KERNEL + "/24");
            Path received = dir.resolve("nc-listen.out");
            Background nc = ns.spawn(redirected(Path.of("/dev/null"), received,
                    Jns.command("nc", "--tap", tap, "--ip", STACK + "/24", "-v", "-l", "5000")));
            nc.awaitLine(line -> line.startsWith("Listening on " + STACK + " 5000"), Duration.ofSeconds(60));
            Path client = KernelTcp.script(dir, "client.py", KernelTcp.CLIENT);

            CommandResult r = ns.run(TRANSFER_TIMEOUT, "python3", client.toString(), STACK, "5000", data.toString());

            assertThat(r.exitStatus()).as(r.describe()).isZero();
            assertThat(nc.awaitExit(Duration.ofSeconds(60))).as(nc.output()).isZero();
            KernelTcp.Result result = KernelTcp.Result.parse(r.stdout());
            assertThat(result.bytes()).as("jns nc with empty stdin sends nothing").isZero();
            assertThat(KernelTcp.sha256(received)).as("SHA-256 of what jns nc wrote to stdout").isEqualTo(dataSha);
            assertThat(nc.output()).contains("Connection received on " + KERNEL + " ");
            System.out.printf("kernel -> jns nc -l: 100 MiB, %.1f MB/s at the sender (until its last sendall)%n",
                    result.sentMegabytesPerSecond());
        }
    }

    @Test
    void refusedConnectionIsReportedLikeNc() throws Exception {
        try (Netns ns = Netns.create()) {
            String tap = Netns.uniqueTapName();
            ns.createTap(tap, KERNEL + "/24");

            CommandResult nc = ns.run(Duration.ofMinutes(1), redirected(Path.of("/dev/null"), dir.resolve("refused.out"),
                    Jns.command("nc", "--tap", tap, "--ip", STACK + "/24", KERNEL, "5001")));

            assertThat(nc.exitStatus()).as(nc.describe()).isEqualTo(1);
            assertThat(nc.stderr()).contains("nc: connect to " + KERNEL + " port 5001 (tcp) failed: Connection refused");
        }
    }

    /** {@code sh -c 'exec command < in > out'}: a command with its stdin and stdout on files, stderr kept. */
    static String[] redirected(Path in, Path out, String... command) {
        List<String> cmd = new ArrayList<>(List.of("sh", "-c", "i=$1; o=$2; shift 2; exec \"$@\" < \"$i\" > \"$o\"",
                "sh", in.toString(), out.toString()));
        cmd.addAll(List.of(command));
        return cmd.toArray(new String[0]);
    }
}
