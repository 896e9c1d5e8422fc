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
 * Every command other than {@code jns run} when its stack's event loop fails in the middle of its
 * work (test hook {@code -Djns.test.faultPort}, see apps' TestHooks): it ends, with exit status 1
 * and the one line {@code jns run} prints, and no stack trace. The kernel's side makes the loop
 * fail exactly while the command waits on it: a peer that, once the command's request reaches
 * it (a TCP connection, a DNS query), sends the fault request and never answers.
 */
class CommandFailureCommandLineTest {
    private static final String KERNEL = "10.0.0.1";
    private static final String STACK = "10.0.0.2";
    private static final String FAULT_PORT = "9999";
    private static final String LINE =
            "jns: stopped: the network stack failed: java.lang.Error: test hook: an Error thrown by a UDP handler on request";
    private static final Duration ENDS = Duration.ofSeconds(60);

    /** Sends one UDP datagram: argv payload host port. */
    private static final String SEND = "import socket,sys\n"
            + "s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
            + "s.sendto(sys.argv[1].encode(), (sys.argv[2], int(sys.argv[3])))\n";

    /**
     * argv: tcp|udp port stack faultport. Waits for a connection or a datagram on the kernel's
     * address, then asks the stack to fail, and holds on without answering.
     */
    private static final String TRIGGER = "import socket,sys,time\n"
            + "mode, port, stack, fault = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])\n"
            + "if mode == 'udp':\n"
            + "    s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(('" + KERNEL + "', port))\n"
            + "    print('READY', flush=True); s.recvfrom(2048)\n"
            + "else:\n"
            + "    s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
            + "    s.bind(('" + KERNEL + "', port)); s.listen(1)\n"
            + "    print('READY', flush=True); c,_=s.accept()\n"
            + "socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b'error', (stack, fault))\n"
            + "print('TRIGGERED', flush=True)\n"
            + "time.sleep(300)\n";

    @TempDir
    static Path dir;

    @BeforeAll
    static void needsRoot() {
        Requirements.rootWithTap("ip", "sysctl", "python3");
    }

    @AfterAll
    static void nothingLeftBehind() {
        assertThat(Netns.leftovers()).isEmpty();
    }

    /** A TAP in {@code ns} whose kernel side has {@link #KERNEL}. */
    private static String tap(Netns ns) {
        String tap = Netns.uniqueTapName();
        ns.createTap(tap, KERNEL + "/24");
        return tap;
    }

    /** {@code jns COMMAND --tap T --ip STACK/24 ARGS...} with the hooks on, in {@code ns}. */
    private static Background spawn(Netns ns, String tap, String command, String... args) {
        List<String> a = new ArrayList<>(List.of(command, "--tap", tap, "--ip", STACK + "/24"));
        a.addAll(List.of(args));
        return ns.spawn(Jns.command(List.of("-Djns.test.faultPort=" + FAULT_PORT), a.toArray(new String[0])));
    }

    /** A peer on the kernel's side that makes the stack fail once the command reaches it. */
    private static Background trigger(Netns ns, String mode, int port) throws Exception {
        Path script = KernelTcp.script(dir, "trigger.py", TRIGGER);
        Background t = ns.spawn("python3", script.toString(), mode, Integer.toString(port), STACK, FAULT_PORT);
        t.awaitLine("READY"::equals, Duration.ofSeconds(30));
        return t;
    }

    /** The command ends with status 1, the one line, and no stack trace. */
    private static void assertStoppedWithOneLine(Background jns) throws InterruptedException {
        int status = jns.awaitExit(ENDS);
        String out = jns.output();
        assertThat(status).as(out).isEqualTo(1);
        assertThat(out.lines().filter(l -> l.contains("test hook: an Error")).toList())
                .as("one line names the error; jns printed:\n" + out).containsExactly(LINE);
        assertThat(out).as("no stack trace").doesNotContain("\tat ").doesNotContain("Exception in thread");
    }

    @Test
    void ncWaitingForData() throws Exception {
        try (Netns ns = Netns.create()) {
            String tap = tap(ns);
            Background peer = trigger(ns, "tcp", 5000);
            Background jns = spawn(ns, tap, "nc", KERNEL, "5000");
            peer.awaitLine("TRIGGERED"::equals, ENDS);
            assertStoppedWithOneLine(jns);
        }
    }

    @Test
    void httpWaitingForTheResponse() throws Exception {
        try (Netns ns = Netns.create()) {
            String tap = tap(ns);
            Background peer = trigger(ns, "tcp", 8080);
            Background jns = spawn(ns, tap, "http", "http://" + KERNEL + ":8080/");
            peer.awaitLine("TRIGGERED"::equals, ENDS);
            assertStoppedWithOneLine(jns);
        }
    }

    @Test
    void dnsWaitingForTheAnswer() throws Exception {
        try (Netns ns = Netns.create()) {
            String tap = tap(ns);
            Background peer = trigger(ns, "udp", 53);
            Background jns = spawn(ns, tap, "dns", "--dns", KERNEL, "example.com");
            peer.awaitLine("TRIGGERED"::equals, ENDS);
            assertStoppedWithOneLine(jns);
        }
    }

    @Test
    void pingRunningUntilInterrupted() throws Exception {
        try (Netns ns = Netns.create()) {
            Background jns = spawn(ns, tap(ns), "ping", KERNEL);
            jns.awaitLine(l -> l.startsWith("64 bytes from " + KERNEL), ENDS); // the kernel answers: ping runs on
            Path script = KernelTcp.script(dir, "send.py", SEND);
            CommandResult r = ns.run(Duration.ofSeconds(30), "python3", script.toString(), "error", STACK, FAULT_PORT);
            assertThat(r.exitStatus()).as(r.describe()).isZero();
            assertStoppedWithOneLine(jns);
        }
    }

    @Test
    void gatewayServing() throws Exception {
        try (Netns ns = Netns.create()) {
            // no stack of its own: the hook listens on the namespace's loopback
            Background jns = ns.spawn(Jns.command(List.of("-Djns.test.faultPort=" + FAULT_PORT),
                    "gateway", "--qemu", "tcp:127.0.0.1:0"));
            jns.awaitLine(l -> l.startsWith("jns gateway: up: "), ENDS);
            Path script = KernelTcp.script(dir, "send.py", SEND);
            CommandResult r = ns.run(Duration.ofSeconds(30), "python3", script.toString(), "error", "127.0.0.1", FAULT_PORT);
            assertThat(r.exitStatus()).as(r.describe()).isZero();
            assertStoppedWithOneLine(jns);
        }
    }
}
