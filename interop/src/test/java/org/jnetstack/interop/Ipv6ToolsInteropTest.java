package org.jnetstack.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.jnetstack.testing.Background;
import org.jnetstack.testing.CommandResult;
import org.jnetstack.testing.Netns;
import org.jnetstack.testing.Requirements;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line over IPv6 against the kernel's own tools, in a namespace whose kernel has
 * fd00::1/64 on its side of the TAP and the stack fd00::2/64 (and 10.0.0.2/24): kernel
 * {@code curl -6} against {@code jns run --www}; kernel {@code nc -6} to and from {@code jns nc -6}
 * (bytes compared); {@code jns ping -6} of the kernel; {@code jns http} with an IPv6 literal
 * against the kernel's python http.server; {@code jns dns} asking dnsmasq over IPv6.
 */
class Ipv6ToolsInteropTest {
    private static final String KERNEL6 = "fd00::1";
    private static final String STACK6 = "fd00::2";
    private static final long SIZE = 1024 * 1024;
    private static final Duration TIMEOUT = Duration.ofMinutes(2);

    @TempDir
    static Path dir;
    private static Path data;
    private static String dataSha;

    @BeforeAll
    static void needsRootAndTools() throws Exception {
        Requirements.rootWithTap("ip", "sysctl", "ss", "curl", "nc", "python3", "sh");
        data = KernelTcp.randomFile(dir, "data6", SIZE, 6);
        dataSha = KernelTcp.sha256(data);
    }

    @AfterAll
    static void nothingLeftBehind() {
        assertThat(Netns.leftovers()).isEmpty();
    }

    /** A namespace with a TAP whose kernel side has 10.0.0.1/24 and fd00::1/64; returns the TAP's name. */
    private static String tap(Netns ns) {
        String tap = Netns.uniqueTapName();
        ns.createTap(tap, "10.0.0.1/24");
        Ipv6KernelInteropTest.enableIpv6(ns, tap);
        return tap;
    }

    /** {@code jns COMMAND --tap TAP --ip 10.0.0.2/24 --ip6 fd00::2/64 ARGS...}. */
    private static String[] jns(String tap, String command, String... args) {
        java.util.List<String> all = new java.util.ArrayList<>(
                java.util.List.of(command, "--tap", tap, "--ip", "10.0.0.2/24", "--ip6", STACK6 + "/64"));
        all.addAll(java.util.List.of(args));
        return Jns.command(all.toArray(new String[0]));
    }

    @Test
    void kernelCurlFetchesFromJnsRunWwwOverIpv6() throws Exception {
        Path site = Files.createDirectories(dir.resolve("site6"));
        Files.writeString(site.resolve("index.html"), "<h1>jns over IPv6</h1>\n");
        Files.copy(data, site.resolve("data.bin"));
        try (Netns ns = Netns.create()) {
            String tap = tap(ns);
            Background jns = ns.spawn(jns(tap, "run", "--www", site.toString(), "--www-port", "80"));
            jns.awaitLine(line -> line.startsWith("jns: web files on"), Duration.ofSeconds(60));
            String base = "http://[" + STACK6 + "]/";

            CommandResult index = ns.run(TIMEOUT, "curl", "-6", "-sS", "--fail-with-body", "--retry", "5",
                    "--retry-connrefused", base);
            Path got = dir.resolve("curl6.bin");
            CommandResult big = ns.run(TIMEOUT, "curl", "-6", "-sS", "--fail-with-body", "-o", got.toString(), base + "data.bin");

            assertThat(index.exitStatus()).as(index.describe() + "\njns printed:\n" + jns.output()).isZero();
            assertThat(index.stdout()).isEqualTo("<h1>jns over IPv6</h1>\n");
            assertThat(big.exitStatus()).as(big.describe()).isZero();
            assertThat(KernelTcp.sha256(got)).as("SHA-256 of what curl -6 fetched").isEqualTo(dataSha);
            assertThat(jns.output()).doesNotContain("Exception");
        }
    }

    @Test
    void jnsNcSendsToKernelNcListeningOnIpv6() throws Exception {
        try (Netns ns = Netns.create()) {
            String tap = tap(ns);
            Path received = dir.resolve("kernel-nc6.out");
            Background kernel = ns.spawn(TcpCommandLineTest.redirected(Path.of("/dev/null"), received,
                    "nc", "-6", "-N", "-l", "5000"));
            awaitListening(ns, "5000");

            CommandResult nc = ns.run(TIMEOUT, TcpCommandLineTest.redirected(data, dir.resolve("jns-nc6.out"),
                    jns(tap, "nc", "-6", "-v", "[" + KERNEL6 + "]:5000")));

            assertThat(nc.exitStatus()).as(nc.describe()).isZero();
            assertThat(nc.stderr()).contains("Connection to " + KERNEL6 + " 5000");
            assertThat(kernel.awaitExit(Duration.ofSeconds(30))).as(kernel.output()).isZero();
            assertThat(KernelTcp.sha256(received)).as("SHA-256 of what kernel nc -6 received").isEqualTo(dataSha);
        }
    }

    @Test
    void kernelNcSendsToJnsNcListeningOnIpv6() throws Exception {
        try (Netns ns = Netns.create()) {
            String tap = tap(ns);
            Path received = dir.resolve("jns-nc6-listen.out");
            Background nc = ns.spawn(TcpCommandLineTest.redirected(Path.of("/dev/null"), received,
                    jns(tap, "nc", "-6", "-v", "-l", "5000")));
            nc.awaitLine(line -> line.startsWith("Listening on :: 5000"), Duration.ofSeconds(60));

            CommandResult kernel = ns.run(TIMEOUT, "sh", "-c", "exec nc -6 -N " + STACK6 + " 5000 < " + data);

            assertThat(kernel.exitStatus()).as(kernel.describe()).isZero();
            assertThat(nc.awaitExit(Duration.ofSeconds(60))).as(nc.output()).isZero();
            assertThat(nc.output()).contains("Connection received on " + KERNEL6 + " ");
            assertThat(KernelTcp.sha256(received)).as("SHA-256 of what jns nc -6 -l wrote").isEqualTo(dataSha);
        }
    }

    @Test
    void jnsPing6RepliesFromTheKernel() {
        try (Netns ns = Netns.create()) {
            String tap = tap(ns);

            CommandResult r = ns.run(TIMEOUT, jns(tap, "ping", "-c", "3", "-i", "0.2", KERNEL6));

            assertThat(r.exitStatus()).as(r.describe()).isZero();
            assertThat(r.stdout()).startsWith("PING " + KERNEL6 + "(" + KERNEL6 + ") 56 data bytes")
                    .contains("64 bytes from " + KERNEL6 + ": icmp_seq=3 ")
                    .contains("3 packets transmitted, 3 received, 0% packet loss");
        }
    }

    @Test
    void jnsHttpFetchesFromAnIpv6LiteralUrl() throws Exception {
        Path served = Files.createDirectories(dir.resolve("served6"));
        Files.copy(data, served.resolve("data.bin"));
        try (Netns ns = Netns.create()) {
            String tap = tap(ns);
            Background server = ns.spawn("python3", "-u", "-m", "http.server", "8000", "--bind", KERNEL6,
                    "--directory", served.toString());
            awaitListening(ns, "8000");
            Path got = dir.resolve("jns-http6.bin");

            CommandResult r = ns.run(TIMEOUT, jns(tap, "http", "-o", got.toString(), "http://[" + KERNEL6 + "]:8000/data.bin"));

            assertThat(r.exitStatus()).as(r.describe() + "\nserver:\n" + server.output()).isZero();
            assertThat(KernelTcp.sha256(got)).as("SHA-256 of what jns http fetched").isEqualTo(dataSha);
        }
    }

    /** jns dns asks dnsmasq over IPv6 (port 53 and a port of its own) for AAAA and A. */
    @Test
    void jnsDnsAsksDnsmasqOverIpv6() throws Exception {
        Requirements.rootWithTap("dnsmasq");
        try (Netns ns = Netns.create()) {
            String tap = tap(ns);
            Background dnsmasq = ns.spawn("dnsmasq", "--keep-in-foreground", "--conf-file=/dev/null",
                    "--pid-file=" + dir.resolve("dnsmasq6.pid"), "--interface=" + tap, "--bind-interfaces", "--log-facility=-",
                    "--port=5353", "--no-resolv", "--no-hosts", "--host-record=www.v6.test,10.0.0.80,fd00::80");
            dnsmasq.awaitLine(l -> l.contains("started"), Duration.ofSeconds(30));

            CommandResult aaaa = ns.run(TIMEOUT, jns(tap, "dns", "--dns", "[" + KERNEL6 + "]:5353", "-v", "-t", "AAAA",
                    "www.v6.test"));
            CommandResult a = ns.run(TIMEOUT, jns(tap, "dns", "--dns", "[" + KERNEL6 + "]:5353", "www.v6.test"));

            assertThat(aaaa.exitStatus()).as(aaaa.describe() + "\ndnsmasq:\n" + dnsmasq.output()).isZero();
            assertThat(aaaa.stdout()).contains("www.v6.test has IPv6 address fd00::80")
                    .contains(";; from [" + KERNEL6 + "]:5353");
            assertThat(a.exitStatus()).as(a.describe()).isZero();
            assertThat(a.stdout().trim()).isEqualTo("10.0.0.80");
        }
    }

    /** Waits until a kernel socket in the namespace listens on TCP {@code port}. */
    private static void awaitListening(Netns ns, String port) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            if (ns.exec("ss", "-Hltn").contains(":" + port + " ")) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("nothing listens on port " + port + " in " + ns);
    }
}
