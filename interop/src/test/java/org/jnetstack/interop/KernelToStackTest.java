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
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Linux kernel talks to {@code jns run --echo}, started as a user would start it, in a
 * namespace holding the kernel's side of its TAP: ping, fragmented ping, UDP echo of 1 to
 * 20,000 bytes; then the stack is stopped with SIGTERM and the capture of the whole run is
 * checked by tshark.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KernelToStackTest {
    private static final String KERNEL = "10.0.0.1";
    private static final String STACK = "10.0.0.2";

    private Path dir;
    private Netns ns;
    private String tap;
    private Capture capture;
    private Path stackPcap;
    private Background jns;
    private String upLine;
    private String echoLine;

    @BeforeAll
    void startStack(@TempDir Path tempDir) throws Exception {
        dir = tempDir;
        Requirements.rootWithTap("ip", "sysctl", "ping", "python3", "tshark");
        ns = Netns.create();
        tap = Netns.uniqueTapName();
        ns.createTap(tap, KERNEL + "/24");
        capture = Capture.start(ns, tap, dir.resolve("kernel-side.pcap"));
        stackPcap = dir.resolve("stack-side.pcap");
        jns = ns.spawn(Jns.command("run", "--tap", tap, "--ip", STACK + "/24", "--echo", "--pcap", stackPcap.toString(),
                // Complete checksums in both captures: with offloads, Linux and we leave them partial.
                "--no-offload"));
        upLine = jns.awaitLine(line -> line.startsWith("jns: up: "), Duration.ofSeconds(60));
        echoLine = jns.awaitLine(line -> line.startsWith("jns: echo on "), Duration.ofSeconds(30));
    }

    @AfterAll
    void tearDown() {
        try {
            if (ns != null) {
                ns.close();
            }
        } finally {
            assertThat(Netns.leftovers()).as("namespaces left behind").isEmpty();
        }
    }

    @Test
    @Order(1)
    void saysWhatIsUp() {
        assertThat(upLine).contains(STACK + "/24", "TAP " + tap, "MAC ", "MTU 1500", "offloads off",
                "capturing to " + stackPcap);
        assertThat(echoLine).isEqualTo("jns: echo on UDP and TCP " + STACK + ":7");
    }

    @Test
    @Order(2)
    void kernelPingsTheStackAHundredTimesWithoutLoss() {
        CommandResult ping = ns.run(Duration.ofMinutes(2), "ping", "-n", "-c", "100", "-i", "0.01", "-w", "60", STACK);

        assertThat(ping.stdout()).as(ping.describe()).contains("100 packets transmitted, 100 received, 0% packet loss");
        assertThat(ping.exitStatus()).isZero();
    }

    @Test
    @Order(3)
    void fragmentedPingIsAnsweredInFull() {
        // 8000 bytes of data: the kernel fragments the request and the stack must fragment the reply.
        // -w: ping waits for every reply until the deadline (with -W alone, once replies came, it
        // waits only two round trips for the last one, which a loaded machine can miss).
        CommandResult ping = ns.run(Duration.ofMinutes(2), "ping", "-n", "-c", "5", "-i", "0.2", "-s", "8000", "-w", "60", STACK);

        assertThat(ping.stdout()).as(ping.describe())
                .contains("5 packets transmitted, 5 received, 0% packet loss")
                .contains("8008 bytes from " + STACK + ": icmp_seq=5");
    }

    @Test
    @Order(4)
    void udpEchoReturnsEveryDatagramByteForByte() {
        CommandResult echo = UdpEchoClient.run(ns, STACK, 7, UdpEchoClient.SIZES);

        assertThat(echo.exitStatus()).as(echo.describe()).isZero();
        for (int size : UdpEchoClient.SIZES) {
            assertThat(echo.stdout()).as(echo.describe()).containsPattern("(?m)^" + size + " ok$");
        }
    }

    @Test
    @Order(5)
    void stopsCleanlyOnSigterm() throws Exception {
        jns.signal("TERM");
        int status = jns.awaitExit(Duration.ofSeconds(30));

        // 143 = 128 + SIGTERM: the JVM ran its shutdown hooks and exited as a terminated process does.
        assertThat(status).as(jns.output()).isEqualTo(143);
        assertThat(jns.output()).doesNotContain("Exception", "WARNING");
    }

    @Test
    @Order(6)
    void kernelSideCaptureHasNoMalformedPacketsOrBadChecksums() throws Exception {
        checkCapture(capture.stop());
    }

    @Test
    @Order(7)
    void stackSidePcapIsCompleteAndHasNoMalformedPacketsOrBadChecksums() {
        // Written by jns --pcap and closed by its shutdown hook: every frame of the run is in it.
        checkCapture(stackPcap);
    }

    private static void checkCapture(Path pcap) {
        assertThat(Tshark.problems(pcap)).as(pcap.toString()).isEmpty();
        assertThat(Tshark.count(pcap, "arp.opcode == 2 && arp.src.proto_ipv4 == " + STACK)).as("ARP replies").isPositive();
        assertThat(Tshark.count(pcap, "icmp.type == 0 && ip.src == " + STACK)).as("echo replies").isEqualTo(105);
        assertThat(Tshark.count(pcap, "ip.src == " + STACK + " && ip.flags.mf == 1")).as("fragments from the stack").isPositive();
        assertThat(Tshark.count(pcap, "ip.src == " + KERNEL + " && ip.flags.mf == 1")).as("fragments from the kernel").isPositive();
        assertThat(Tshark.count(pcap, "udp.srcport == 7 && ip.src == " + STACK)).as("echoed datagrams")
                .isEqualTo(UdpEchoClient.SIZES.length);
    }
}
