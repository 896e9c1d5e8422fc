package org.jnetstack.interop;

import static org.assertj.core.api.Assertions.assertThat;

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
 * TAP offloads for TCP over IPv6 against the kernel: the TAP is granted TSO6 (TUN_F_TSO6), so the
 * kernel hands the stack TCP/IPv6 super-segments (GSO_TCPV6, payloads above the MTU) with partial
 * checksums, which the stack takes as they are, and the stack hands the kernel its own (partial
 * checksum at 16 of the TCP header after the 40-byte IPv6 header), which the kernel cuts. 32 MiB
 * each way at once through {@code jns run --echo} over IPv6; the SHA-256 of the echo equals that
 * of the data; a kernel-side capture (headers only) shows super-segments both ways and no
 * malformed packet.
 */
class TcpOffloadIpv6Test {
    private static final String KERNEL = "fd00::1";
    private static final String STACK = "fd00::2";
    private static final long SIZE = 32L * 1024 * 1024;

    @TempDir
    static Path dir;
    private static Path data;
    private static String dataSha;

    @BeforeAll
    static void needsRootAndData() throws Exception {
        Requirements.rootWithTap("ip", "sysctl", "python3", "tshark");
        data = KernelTcp.randomFile(dir, "data6", SIZE, 13);
        dataSha = KernelTcp.sha256(data);
    }

    @AfterAll
    static void nothingLeftBehind() {
        assertThat(Netns.leftovers()).isEmpty();
    }

    @Test
    void theKernelsTcpIpv6SuperSegmentsReachTheStackWholeAndTheEchoIsExact() throws Exception {
        try (Netns ns = Netns.create()) {
            String tap = Netns.uniqueTapName();
            ns.createTap(tap, "10.0.0.1/24");
            Ipv6KernelInteropTest.enableIpv6(ns, tap);
            Path pcap = dir.resolve("offload6.pcap");
            Capture capture = Capture.start(ns, tap, pcap, 128);
            Background jns = ns.spawn(Jns.command("run", "--tap", tap, "--ip", "10.0.0.2/24", "--ip6", STACK + "/64", "--echo"));
            String up = jns.awaitLine(line -> line.startsWith("jns: up: "), Duration.ofSeconds(60));
            assertThat(up).contains("offloads on (rx-checksum tx-checksum tso(", "tso6");
            // Until duplicate address detection ends the address is tentative: wait for one ping reply.
            CommandResult ping = ns.run(Duration.ofMinutes(1), "ping", "-6", "-n", "-c", "1", "-w", "30", STACK);
            assertThat(ping.stdout()).as(ping.describe() + jns.output()).contains("bytes from " + STACK);
            Path client = KernelTcp.script(dir, "client6.py", KernelTcp.CLIENT);

            CommandResult r = ns.run(Duration.ofMinutes(5), "python3", client.toString(), STACK, "7", data.toString());
            Path file = capture.stop();

            assertThat(r.exitStatus()).as(r.describe() + "\njns printed:\n" + jns.output()).isZero();
            KernelTcp.Result result = KernelTcp.Result.parse(r.stdout());
            assertThat(result.bytes()).isEqualTo(SIZE);
            assertThat(result.sha256()).as("SHA-256 of the echo").isEqualTo(dataSha);
            assertThat(Tshark.count(file, "_ws.malformed")).as("malformed packets").isZero();
            assertThat(Tshark.count(file, "ipv6.src == " + KERNEL + " && tcp && ipv6.plen > 1500"))
                    .as("TCP/IPv6 super-segments the kernel handed the stack").isPositive();
            assertThat(Tshark.count(file, "ipv6.src == " + STACK + " && tcp && ipv6.plen > 1500"))
                    .as("TCP/IPv6 super-segments the stack handed the kernel (TSO6)").isPositive();
            System.out.printf("TCP/IPv6 echo via jns run, offloads on: 32 MiB each way at once, %.1f MB/s each way%n",
                    result.megabytesPerSecond());
            assertThat(jns.output()).doesNotContain("Exception");
        }
    }
}
