package org.jnetstack.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.jnetstack.testing.Background;
import org.jnetstack.testing.Netns;
import org.jnetstack.testing.Requirements;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jns run --serial PTY --serial-telnet} with the real telnet client (netkit, run on a pty
 * by python in the namespace): telnet connects, negotiates, shows the line's output — a 0xFF
 * byte in it arrives as one byte, so the bridge doubled it as IAC IAC — and what is typed
 * into telnet reaches the line.
 */
class SerialTelnetInteropTest {
    private static final String KERNEL = "10.0.0.1";
    private static final String STACK = "10.0.0.2";

    /** Runs telnet on a pty: waits for the banner, then for "login: \xff>", types "root" Enter, then quits. */
    private static final String TELNET = """
            import os, pty, sys, time, select
            pid, fd = pty.fork()
            if pid == 0:
                os.execvp('telnet', ['telnet', sys.argv[1], sys.argv[2]])
            out = b''
            def pump(until, secs):
                global out
                end = time.time() + secs
                while time.time() < end and until not in out:
                    r, _, _ = select.select([fd], [], [], 0.1)
                    if r:
                        try:
                            out += os.read(fd, 4096)
                        except OSError:
                            break
                return until in out
            print("CONNECTED" if pump(b'Escape character', 30) else "NOT CONNECTED " + repr(out), flush=True)
            print("PROMPT" if pump(b'login: \\xff>', 60) else "NO PROMPT " + repr(out), flush=True)
            os.write(fd, b'root\\r')
            time.sleep(2)
            os.write(fd, b'\\x1d')
            time.sleep(0.5)
            os.write(fd, b'quit\\r')
            time.sleep(1)
            print("DONE", flush=True)
            """;

    @BeforeAll
    static void needsRoot() {
        Requirements.rootWithTap("ip", "sysctl", "python3", "telnet", "stty");
    }

    @AfterAll
    static void nothingLeftBehind() {
        assertThat(Netns.leftovers()).isEmpty();
    }

    @Test
    void telnetTalksToThePtyThroughTheBridge(@TempDir Path dir) throws Exception {
        Path prompt = Files.write(dir.resolve("prompt"), new byte[] {'l', 'o', 'g', 'i', 'n', ':', ' ', (byte) 0xFF, '>'});
        Path fromClients = dir.resolve("from-clients");
        Path trigger = dir.resolve("go");
        try (Netns ns = Netns.create()) {
            String tap = Netns.uniqueTapName();
            ns.createTap(tap, KERNEL + "/24");
            Background device = ns.spawn("python3", KernelTcp.script(dir, "device.py", SerialBridgeInteropTest.DEVICE).toString(),
                    fromClients.toString(), trigger.toString(), prompt.toString());
            String pty = device.awaitLine(l -> l.startsWith("/dev/pts/"), Duration.ofSeconds(30));
            Background jns = ns.spawn(Jns.command("run", "--tap", tap, "--ip", STACK + "/24", "--serial", pty,
                    "--serial-telnet", "--serial-scrollback", "0"));
            assertThat(jns.awaitLine(l -> l.contains("serial console on TCP"), Duration.ofSeconds(60))).endsWith(", telnet, no password)");

            Background telnet = ns.spawn("python3", KernelTcp.script(dir, "telnet.py", TELNET).toString(), STACK, "1234");
            assertThat(telnet.awaitLine(l -> l.contains("CONNECTED"), Duration.ofSeconds(40))).isEqualTo("CONNECTED");
            Files.createFile(trigger);
            assertThat(telnet.awaitLine(l -> l.contains("PROMPT"), Duration.ofSeconds(70)))
                    .as("telnet showed the line's output, 0xFF as one byte").isEqualTo("PROMPT");
            telnet.awaitLine(l -> l.equals("DONE"), Duration.ofSeconds(30));

            byte[] typed = Files.readAllBytes(fromClients);
            assertThat(new String(typed, java.nio.charset.StandardCharsets.ISO_8859_1))
                    .as("what telnet sent reached the line without telnet commands").startsWith("root\r")
                    .doesNotContain("\u00ff");
            assertThat(jns.output()).doesNotContain("Exception");
        }
    }
}
