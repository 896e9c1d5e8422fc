package org.jnetstack.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
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
 * {@code jns run} when its event loop cannot go on, driven from the kernel's side through the
 * test hook {@code -Djns.test.faultPort} (a UDP port whose handler throws or blocks on request;
 * see apps' TestHooks): an exception in a handler is contained and the services go on; an
 * {@link Error} ends the process with status 1 and one line naming it; a loop stuck in a handler
 * does not keep SIGTERM from ending the process (the stop is bounded, and says so).
 */
class LoopFailureCommandLineTest {
    private static final String KERNEL = "10.0.0.1";
    private static final String STACK = "10.0.0.2";
    private static final String FAULT_PORT = "9999";

    /** Sends one UDP datagram: argv payload host port. */
    private static final String SEND = "import socket,sys\n"
            + "s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
            + "s.sendto(sys.argv[1].encode(), (sys.argv[2], int(sys.argv[3])))\n";

    /** One TCP echo round trip: argv host port; prints what came back. */
    private static final String ECHO = "import socket,sys\n"
            + "s=socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=20)\n"
            + "s.sendall(b'still here\\n'); s.shutdown(socket.SHUT_WR)\n"
            + "data=b''\n"
            + "while True:\n"
            + "    b=s.recv(100)\n"
            + "    if not b: break\n"
            + "    data+=b\n"
            + "print(data.decode().strip())\n";

    /** One UDP echo request on port 7: argv host; prints ANSWER or SILENT (nothing within 3 s). */
    private static final String UDP_ECHO = "import socket,sys\n"
            + "s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
            + "s.settimeout(3)\n"
            + "s.sendto(b'are you there', (sys.argv[1], 7))\n"
            + "try:\n"
            + "    print('ANSWER' if s.recv(100) == b'are you there' else 'WRONG')\n"
            + "except socket.timeout:\n"
            + "    print('SILENT')\n";

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

    private static Background start(Netns ns) throws Exception {
        String tap = Netns.uniqueTapName();
        ns.createTap(tap, KERNEL + "/24");
        Background jns = ns.spawn(Jns.command(List.of("-Djns.test.faultPort=" + FAULT_PORT),
                "run", "--tap", tap, "--ip", STACK + "/24", "--echo", "--admin-port", "80"));
        jns.awaitLine(line -> line.startsWith("jns: up: "), Duration.ofSeconds(60));
        jns.awaitLine(line -> line.startsWith("jns: echo on "), Duration.ofSeconds(30));
        return jns;
    }

    private static void send(Netns ns, String payload) throws Exception {
        Path script = KernelTcp.script(dir, "send.py", SEND);
        CommandResult r = ns.run(Duration.ofSeconds(30), "python3", script.toString(), payload, STACK, FAULT_PORT);
        assertThat(r.exitStatus()).as(r.describe()).isZero();
    }

    private static CommandResult echo(Netns ns) throws Exception {
        Path script = KernelTcp.script(dir, "echo.py", ECHO);
        return ns.run(Duration.ofSeconds(60), "python3", script.toString(), STACK, "7");
    }

    private static String udpEcho(Netns ns) throws Exception {
        Path script = KernelTcp.script(dir, "udp_echo.py", UDP_ECHO);
        CommandResult r = ns.run(Duration.ofSeconds(30), "python3", script.toString(), STACK);
        assertThat(r.exitStatus()).as(r.describe()).isZero();
        return r.stdout().trim();
    }

    @Test
    void anExceptionIsContainedAndAnErrorEndsJnsRunWithOneLine() throws Exception {
        try (Netns ns = Netns.create()) {
            Background jns = start(ns);

            send(ns, "exception");
            CommandResult after = echo(ns);
            assertThat(after.stdout().trim()).as("echo after a contained exception: " + after.describe()
                    + "\njns printed:\n" + jns.output()).isEqualTo("still here");
            assertThat(jns.isAlive()).isTrue();

            send(ns, "error");
            int status = jns.awaitExit(Duration.ofSeconds(60));

            String out = jns.output();
            assertThat(status).as(out).isEqualTo(1);
            List<String> about = out.lines().filter(l -> l.contains("test hook: an Error")).toList();
            assertThat(about).as("one line names the error; jns printed:\n" + out).containsExactly(
                    "jns: stopped: the network stack failed: java.lang.Error: test hook: an Error thrown by a UDP handler on request");
            assertThat(out).as("no stack trace for the fatal error").doesNotContain("java.lang.Error\n\tat ")
                    .doesNotContain("exiting anyway").doesNotContain("while stopping");
        }
    }

    @Test
    void sigtermEndsJnsRunEvenWhenItsLoopIsStuck() throws Exception {
        try (Netns ns = Netns.create()) {
            Background jns = start(ns);
            CommandResult before = echo(ns);
            assertThat(before.stdout().trim()).as(before.describe()).isEqualTo("still here");

            assertThat(udpEcho(ns)).isEqualTo("ANSWER");

            send(ns, "hang"); // the loop thread now waits for ever inside a handler
            assertThat(udpEcho(ns)).as("a frame sent now is never taken: the loop is stuck").isEqualTo("SILENT");
            jns.signal("TERM");
            int status = jns.awaitExit(Duration.ofSeconds(60));

            assertThat(status).as(jns.output()).isEqualTo(143); // 128 + SIGTERM, as a terminated process
            assertThat(jns.output()).contains("jns: stopping took longer than " + 8 + " s; exiting anyway");
        }
    }
}
