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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * TAP offloads (IFF_VNET_HDR with checksum and TCP segmentation offload) against the kernel:
 * 100 MB each way at once through {@code jns run --echo}, with offloads and with
 * {@code --no-offload}; SHA-256 of the echo equals that of the data. A kernel-side capture (headers
 * only) proves which path ran: with offloads, TCP super-segments larger than the MTU go both
 * ways (the kernel's GSO to us, our TSO to it); without, no IP packet exceeds the MTU. Neither
 * capture holds a malformed packet. Over IPv6 likewise, with TSO6.
 */
class TcpOffloadTest {
    private static final String KERNEL = "10.0.0.1";
    private static final String STACK = "10.0.0.2";
    private static final String KERNEL6 = "fd00::1";
    private static final String STACK6 = "fd00::2";
    private static final long SIZE = 100L * 1024 * 1024;

    @TempDir
    static Path dir;
    private static Path data;
    private static String dataSha;

    @BeforeAll
    static void needsRootAndData() throws Exception {
        Requirements.rootWithTap("ip", "sysctl", "python3", "tshark");
        data = KernelTcp.randomFile(dir, "data", SIZE, 11);
        dataSha = KernelTcp.sha256(data);
    }

    @AfterAll
    static void nothingLeftBehind() {
        assertThat(Netns.leftovers()).isEmpty();
    }

    @ParameterizedTest(name = "offload {0}")
    @ValueSource(booleans = {true, false})
    void hundredMegabytesEachWayThroughTheEcho(boolean offload) throws Exception {
        try (Netns ns = Netns.create()) {
            String tap = Netns.uniqueTapName();
            ns.createTap(tap, KERNEL + "/24");
            Path pcap = dir.resolve("offload-" + offload + ".pcap");
            Capture capture = Capture.start(ns, tap, pcap, 128);
            Background jns = offload
                    ? ns.spawn(Jns.command("run", "--tap", tap, "--ip", STACK + "/24", "--echo"))
                    : ns.spawn(Jns.command("run", "--tap", tap, "--ip", STACK + "/24", "--echo", "--no-offload"));
            String up = jns.awaitLine(line -> line.startsWith("jns: up: "), Duration.ofSeconds(60));
            assertThat(up).contains(offload ? "offloads on (rx-checksum tx-checksum tso(" : "offloads off (not requested)");
            Path client = KernelTcp.script(dir, "client.py", KernelTcp.CLIENT);

            CommandResult r = ns.run(Duration.ofMinutes(5), "python3", client.toString(), STACK, "7", data.toString());
            Path file = capture.stop();

            assertThat(r.exitStatus()).as(r.describe() + "\njns printed:\n" + jns.output()).isZero();
            KernelTcp.Result result = KernelTcp.Result.parse(r.stdout());
            assertThat(result.bytes()).isEqualTo(SIZE);
            assertThat(result.sha256()).as("SHA-256 of the echo").isEqualTo(dataSha);
            assertThat(Tshark.count(file, "_ws.malformed")).as("malformed packets").isZero();
            int bigFromStack = Tshark.count(file, "ip.src == " + STACK + " && ip.len > 1500");
            int bigFromKernel = Tshark.count(file, "ip.src == " + KERNEL + " && ip.len > 1500");
            if (offload) {
                assertThat(bigFromStack).as("TSO super-segments sent by the stack").isPositive();
                assertThat(bigFromKernel).as("GSO super-segments the kernel handed the stack").isPositive();
            } else {
                assertThat(bigFromStack + bigFromKernel).as("packets above the MTU without offloads").isZero();
                assertThat(Tshark.count(file, "ip.checksum.status == \"Bad\"")).isZero();
            }
            System.out.printf("TCP echo via jns run, offloads %s: 100 MiB each way at once, %.1f MB/s each way%n",
                    offload ? "on" : "off", result.megabytesPerSecond());
            assertThat(jns.output()).doesNotContain("Exception");
        }
    }

    /**
     * The same over IPv6: the TAP is granted TSO6 (TUN_F_TSO6), so the kernel hands the stack
     * TCP/IPv6 super-segments (GSO_TCPV6) with partial checksums, and the stack hands the kernel its
     * own (partial checksum at 16 of the TCP header after the 40-byte IPv6 header), which the kernel
     * cuts.
     */
    @Test
    void tcpOverIpv6SuperSegmentsGoBothWaysWithTso6() throws Exception {
        try (Netns ns = Netns.create()) {
            String tap = Netns.uniqueTapName();
            ns.createTap(tap, "10.0.0.1/24");
            Ipv6KernelInteropTest.enableIpv6(ns, tap);
            Path pcap = dir.resolve("offload6.pcap");
            Capture capture = Capture.start(ns, tap, pcap, 128);
            Background jns = ns.spawn(Jns.command("run", "--tap", tap, "--ip", "10.0.0.2/24", "--ip6", STACK6 + "/64", "--echo"));
            String up = jns.awaitLine(line -> line.startsWith("jns: up: "), Duration.ofSeconds(60));
            assertThat(up).contains("offloads on (rx-checksum tx-checksum tso(", "tso6");
            // Until duplicate address detection ends the address is tentative: wait for one ping reply.
            CommandResult ping = ns.run(Duration.ofMinutes(1), "ping", "-6", "-n", "-c", "1", "-w", "30", STACK6);
            assertThat(ping.stdout()).as(ping.describe() + jns.output()).contains("bytes from " + STACK6);
            Path client = KernelTcp.script(dir, "client.py", KernelTcp.CLIENT);

            CommandResult r = ns.run(Duration.ofMinutes(5), "python3", client.toString(), STACK6, "7", data.toString());
            Path file = capture.stop();

            assertThat(r.exitStatus()).as(r.describe() + "\njns printed:\n" + jns.output()).isZero();
            KernelTcp.Result result = KernelTcp.Result.parse(r.stdout());
            assertThat(result.bytes()).isEqualTo(SIZE);
            assertThat(result.sha256()).as("SHA-256 of the echo").isEqualTo(dataSha);
            assertThat(Tshark.count(file, "_ws.malformed")).as("malformed packets").isZero();
            assertThat(Tshark.count(file, "ipv6.src == " + KERNEL6 + " && tcp && ipv6.plen > 1500"))
                    .as("TCP/IPv6 super-segments the kernel handed the stack").isPositive();
            assertThat(Tshark.count(file, "ipv6.src == " + STACK6 + " && tcp && ipv6.plen > 1500"))
                    .as("TCP/IPv6 super-segments the stack handed the kernel (TSO6)").isPositive();
            System.out.printf("TCP/IPv6 echo via jns run, offloads on: 100 MiB each way at once, %.1f MB/s each way%n",
                    result.megabytesPerSecond());
            assertThat(jns.output()).doesNotContain("Exception");
        }
    }
}
