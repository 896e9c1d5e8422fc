package org.jnetstack.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.jnetstack.apps.tftp.TftpOptions;
import org.jnetstack.apps.tftp.TftpServer;
import org.jnetstack.link.FaultInjector;
import org.jnetstack.link.FaultProfile;
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
 * The TFTP server against the tftp-hpa client (the kernel's side, in a namespace): 10 MB get
 * and put, byte-exact (SHA-256), through {@code jns run --tftp-root --tftp-write} as a user
 * runs it, and through an embedded stack whose device loses 1% of frames each way.
 */
class TftpInteropTest {
    private static final String KERNEL = "10.0.0.1";
    private static final String STACK = "10.0.0.2";
    private static final long SIZE = 10L * 1024 * 1024;
    /**
     * Through loss a lost DATA of a put costs the client's 1 s timer, about 20 losses per MiB at
     * 1 % each way: 1 MiB keeps the test near half a minute and still loses dozens of packets.
     */
    private static final long LOSSY_SIZE = 1024 * 1024;
    private static final Duration TRANSFER_TIMEOUT = Duration.ofMinutes(8);

    @BeforeAll
    static void needsRootAndTftp() {
        Requirements.rootWithTap("ip", "sysctl", "tftp");
    }

    @AfterAll
    static void nothingLeftBehind() {
        assertThat(Netns.leftovers()).isEmpty();
        assertThat(Netns.leftoverRootLinks()).isEmpty();
    }

    @Test
    void tenMegabytesGetAndPutThroughJnsRun(@TempDir Path dir) throws Exception {
        Path served = Files.createDirectory(dir.resolve("served"));
        Path data = KernelTcp.randomFile(served, "big.bin", SIZE, 69);
        String sha = KernelTcp.sha256(data);
        try (Netns ns = Netns.create()) {
            String tap = Netns.uniqueTapName();
            ns.createTap(tap, KERNEL + "/24");
            Background jns = ns.spawn(Jns.command("run", "--tap", tap, "--ip", STACK + "/24",
                    "--tftp-root", served.toString(), "--tftp-write", "--tftp-max-write", "20M"));
            String up = jns.awaitLine(line -> line.contains("TFTP on UDP"), Duration.ofSeconds(60));
            assertThat(up).isEqualTo("jns: TFTP on UDP " + STACK + ":69 (" + served.toRealPath() + ", read-write)");

            getAndPut(ns, dir, sha, served);
            assertThat(jns.output()).doesNotContain("Exception");
        }
    }

    @Test
    void oneMegabyteGetAndPutThroughOnePercentLoss(@TempDir Path dir) throws Exception {
        Path served = Files.createDirectory(dir.resolve("served"));
        Path data = KernelTcp.randomFile(served, "big.bin", LOSSY_SIZE, 70);
        String sha = KernelTcp.sha256(data);
        FaultProfile loss = FaultProfile.builder().loss(0.01).build();
        try (Netns ns = Netns.create();
                EmbeddedTcp e = new EmbeddedTcp(ns, STACK, KERNEL, TcpConfig.defaults(),
                        tap -> FaultInjector.builder().seed(5).both(loss).wrap(tap))) {
            TftpServer[] server = new TftpServer[1];
            e.onLoopBeforeStart(() -> server[0] = TftpServer.start(e.stack,
                    TftpOptions.builder(served).writable(true).minTimeout(Duration.ofMillis(50)).build()));
            e.start();

            getAndPut(ns, dir, sha, served);

            long retransmitted = e.onLoop(() -> server[0].status().retransmissions());
            System.out.printf("TFTP through 1%% loss: %d retransmissions by the server%n", retransmitted);
            assertThat(retransmitted).as("losses happened and the server's timer recovered them").isPositive();
        }
    }

    /**
     * tftp-hpa gets big.bin, then puts it back as copy.bin; both must be byte-exact. The
     * client's retransmission timeout is set to 1 s (its least; the default is 5 s): a lost
     * DATA of a put is recovered only by the client's timer, since a TFTP server must not make
     * the client resend by repeating its ACK (RFC 1123 §4.2.3.1).
     */
    private static void getAndPut(Netns ns, Path dir, String sha, Path served) throws Exception {
        Path got = dir.resolve("got.bin");
        long start = System.nanoTime();
        CommandResult get = tftp(ns, "get big.bin " + got);
        double getSeconds = (System.nanoTime() - start) / 1e9;
        assertThat(KernelTcp.sha256(got)).as("SHA-256 of the file tftp got; " + get.describe()).isEqualTo(sha);

        start = System.nanoTime();
        CommandResult put = tftp(ns, "put " + got + " copy.bin");
        double putSeconds = (System.nanoTime() - start) / 1e9;
        assertThat(KernelTcp.sha256(served.resolve("copy.bin"))).as("SHA-256 of the file tftp put; " + put.describe())
                .isEqualTo(sha);
        System.out.printf("TFTP %d bytes: get %.1f s, put %.1f s%n", Files.size(got), getSeconds, putSeconds);
    }

    /** Runs one tftp-hpa command (binary mode, 1 s retransmission) in the namespace; it must print no error. */
    private static CommandResult tftp(Netns ns, String command) {
        CommandResult r = ns.run(TRANSFER_TIMEOUT, "sh", "-c",
                "printf 'binary\\nrexmt 1\\n" + command + "\\nquit\\n' | tftp " + STACK);
        assertThat(r.exitStatus()).as(r.describe()).isZero();
        assertThat(r.stdout() + r.stderr()).as(r.describe()).doesNotContain("Error").doesNotContain("timed out");
        return r;
    }
}
