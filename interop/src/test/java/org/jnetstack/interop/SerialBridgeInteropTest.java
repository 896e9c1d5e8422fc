package org.jnetstack.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The serial console bridge as seed 001 shows it, with the input it wished for: a pty is the
 * line (a python "device" holds its master side), {@code jns run --serial /dev/pts/N} bridges
 * it, and in the namespace three kernel-side {@code nc} clients and one client that never
 * reads connect. The device writes 4 MB: every nc gets it byte-exact although the stalled
 * client holds nothing back; what the first nc sends reaches the device byte-exact.
 *
 * <p>The device writes at about 1 MB/s and each client may fall 1 MiB behind: a line faster
 * than a client's TCP ramps up loses that client's oldest bytes by design (the line is never
 * held back for a client), which a pty with no baud rate would otherwise show at start.
 */
class SerialBridgeInteropTest {
    private static final String KERNEL = "10.0.0.1";
    private static final String STACK = "10.0.0.2";
    private static final long OUTPUT = 4L * 1024 * 1024;
    private static final long INPUT = 100L * 1024;

    /** The device: opens a pty, prints the slave's name, writes FILE to the line once TRIGGER exists, saves what comes back. */
    static final String DEVICE = """
            import os, sys, time, threading
            out_file, trigger, send_file = sys.argv[1], sys.argv[2], sys.argv[3]
            m, s = os.openpty()
            print(os.ttyname(s), flush=True)
            def reader():
                with open(out_file, 'wb') as f:
                    while True:
                        try:
                            b = os.read(m, 65536)
                        except OSError:
                            break
                        if not b:
                            break
                        f.write(b)
                        f.flush()
            threading.Thread(target=reader, daemon=True).start()
            while not os.path.exists(trigger):
                time.sleep(0.05)
            v = memoryview(open(send_file, 'rb').read())
            while v:
                n = os.write(m, v[:4096])
                v = v[n:]
                time.sleep(0.004)  # about 1 MB/s: a fast serial line, but a line (a pty has no baud rate)
            print("SENT", flush=True)
            time.sleep(3600)
            """;

    /** A client that connects with a tiny receive buffer and never reads. */
    private static final String STALLED = """
            import socket, sys, time
            s = socket.socket()
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            s.connect((sys.argv[1], int(sys.argv[2])))
            print("CONNECTED", flush=True)
            time.sleep(3600)
            """;

    @BeforeAll
    static void needsRoot() {
        Requirements.rootWithTap("ip", "sysctl", "python3", "nc", "stty", "sh", "curl");
    }

    @AfterAll
    static void nothingLeftBehind() {
        assertThat(Netns.leftovers()).isEmpty();
    }

    @Test
    void aPtyBridgedToThreeNcClientsBothWaysWhileOneClientStalls(@TempDir Path dir) throws Exception {
        Path output = KernelTcp.randomFile(dir, "output", OUTPUT, 1234);
        Path input = KernelTcp.randomFile(dir, "input", INPUT, 4321);
        Path fromClients = dir.resolve("from-clients");
        Path trigger = dir.resolve("go");
        try (Netns ns = Netns.create()) {
            String tap = Netns.uniqueTapName();
            ns.createTap(tap, KERNEL + "/24");
            Background device = ns.spawn("python3", KernelTcp.script(dir, "device.py", DEVICE).toString(),
                    fromClients.toString(), trigger.toString(), output.toString());
            String pty = device.awaitLine(l -> l.startsWith("/dev/pts/"), Duration.ofSeconds(30));

            Background jns = ns.spawn(Jns.command("run", "--tap", tap, "--ip", STACK + "/24", "--serial", pty,
                    "--serial-scrollback", "0", "--serial-queue", "1M"));
            String listening = jns.awaitLine(l -> l.contains("serial console on TCP"), Duration.ofSeconds(60));
            assertThat(listening).isEqualTo("jns: serial console on TCP " + STACK + ":1234 (device " + pty
                    + ", input all, no password)");

            Background stalled = ns.spawn("python3", KernelTcp.script(dir, "stalled.py", STALLED).toString(), STACK, "1234");
            stalled.awaitLine(l -> l.equals("CONNECTED"), Duration.ofSeconds(30));
            List<Path> outs = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                Path out = dir.resolve("nc" + i + ".out");
                outs.add(out);
                String in = i == 0 ? input.toString() : "/dev/null";
                Background nc = ns.spawn("sh", "-c", "nc -v " + STACK + " 1234 < " + in + " > " + out);
                nc.awaitLine(l -> l.contains("succeeded"), Duration.ofSeconds(30));
            }

            Files.createFile(trigger);
            device.awaitLine(l -> l.equals("SENT"), Duration.ofMinutes(3));
            for (Path out : outs) {
                awaitSize(out, OUTPUT, jns);
            }
            awaitSize(fromClients, INPUT, jns);

            String sha = KernelTcp.sha256(output);
            for (Path out : outs) {
                assertThat(KernelTcp.sha256(out)).as("what %s got from the line", out.getFileName()).isEqualTo(sha);
            }
            assertThat(KernelTcp.sha256(fromClients)).as("what the line got from the first nc").isEqualTo(KernelTcp.sha256(input));
            assertThat(stalled.isAlive()).as("the stalled client is still connected, not waited for").isTrue();
            assertThat(jns.output()).doesNotContain("Exception");
        }
    }

    /**
     * A browser's cross-origin POST (curl stands in for it) and a client without the password
     * type nothing into the line; a client that gives the password from --serial-password-file
     * does, and only what it types after the password arrives.
     */
    @Test
    void withAPasswordOnlyTheClientThatGaveItTypesAndAnHttpPostNeverDoes(@TempDir Path dir) throws Exception {
        Path fromClients = dir.resolve("from-clients");
        Path passwordFile = Files.writeString(dir.resolve("serial.password"), "correct horse battery\n");
        Path empty = Files.createFile(dir.resolve("empty"));
        try (Netns ns = Netns.create()) {
            String tap = Netns.uniqueTapName();
            ns.createTap(tap, KERNEL + "/24");
            Background device = ns.spawn("python3", KernelTcp.script(dir, "device.py", DEVICE).toString(),
                    fromClients.toString(), dir.resolve("never").toString(), empty.toString());
            String pty = device.awaitLine(l -> l.startsWith("/dev/pts/"), Duration.ofSeconds(30));
            Background jns = ns.spawn(Jns.command("run", "--tap", tap, "--ip", STACK + "/24", "--serial", pty,
                    "--serial-password-file", passwordFile.toString()));
            assertThat(jns.awaitLine(l -> l.contains("serial console on TCP"), Duration.ofSeconds(60)))
                    .endsWith(", input all, password to type)");
            assertThat(jns.output()).doesNotContain("correct horse");

            CommandResult post = ns.run(Duration.ofSeconds(30), "curl", "-sS", "-m", "10", "-X", "POST",
                    "-H", "Content-Type: text/plain", "--data", "touch /tmp/pwned-by-a-web-page",
                    "http://" + STACK + ":1234/");
            assertThat(post.ok()).as("the bridge resets the request: %s", post.describe()).isFalse();
            CommandResult stranger = ns.run(Duration.ofSeconds(30), "sh", "-c",
                    "printf 'touch /tmp/pwned\\nid\\n' | nc -N -w 5 " + STACK + " 1234");
            assertThat(stranger.stdout()).startsWith("Password: ");
            CommandResult owner = ns.run(Duration.ofSeconds(30), "sh", "-c",
                    "printf 'correct horse battery\\nhello line\\n' | nc -N -w 5 " + STACK + " 1234");
            assertThat(owner.stdout()).startsWith("Password: ");

            awaitSize(fromClients, "hello line\n".length(), jns);
            Thread.sleep(1000); // anything else would have arrived by now
            assertThat(Files.readString(fromClients)).isEqualTo("hello line\n");
            assertThat(jns.output()).doesNotContain("Exception");
        }
    }

    private static void awaitSize(Path file, long size, Background jns) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (true) {
            long now = Files.exists(file) ? file.toFile().length() : 0;
            if (now >= size) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(file + " has " + now + " of " + size + " bytes; jns printed:\n" + jns.output());
            }
            Thread.sleep(100);
        }
    }
}
