package org.jnetstack.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
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
 * The serial console bridge as seed 001 shows it, with the input it wished for: a pty is the
 * line (a python "device" holds its master side), {@code jns run --serial /dev/pts/N} bridges
 * it, and in the namespace three kernel-side {@code nc} clients and one client that never
 * reads connect. The device writes 4 MB: every nc gets it byte-exact, and the stalled client
 * holds the line back only for the stall timeout; what the first nc sends reaches the device
 * byte-exact. A burst written as fast as the pty takes it reaches every reading client
 * byte-exact too: the bridge holds the line back while a reading client's queue is full.
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

    /** The device for a burst: writes FILE to the line as fast as the pty takes it once TRIGGER exists. */
    static final String BURST_DEVICE = """
            import os, sys, time
            trigger, send_file = sys.argv[1], sys.argv[2]
            m, s = os.openpty()
            print(os.ttyname(s), flush=True)
            while not os.path.exists(trigger):
                time.sleep(0.05)
            v = memoryview(open(send_file, 'rb').read())
            while v:
                n = os.write(m, v[:65536])  # blocks while the pty is full: the bridge holds the line back
                v = v[n:]
            print("SENT", flush=True)
            time.sleep(3600)
            """;

    /** A client that reads as fast as it can into FILE until it has N bytes. */
    private static final String READER = """
            import socket, sys
            s = socket.create_connection((sys.argv[1], int(sys.argv[2])))
            print("CONNECTED", flush=True)
            want, got = int(sys.argv[4]), 0
            with open(sys.argv[3], 'wb') as f:
                while got < want:
                    b = s.recv(65536)
                    if not b:
                        break
                    f.write(b)
                    got += len(b)
            print("DONE", got, flush=True)
            """;

    /** A client with a tiny receive buffer that reads nothing until TRIGGER exists, then reads to the end. */
    private static final String STALLED_UNTIL = """
            import socket, sys, time, os
            s = socket.socket()
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            s.connect((sys.argv[1], int(sys.argv[2])))
            print("CONNECTED", flush=True)
            while not os.path.exists(sys.argv[3]):
                time.sleep(0.05)
            got, end = 0, "EOF"
            s.settimeout(10)
            try:
                while True:
                    b = s.recv(65536)
                    if not b:
                        break
                    got += len(b)
            except ConnectionResetError:
                end = "RESET"
            except socket.timeout:
                end = "OPEN"
            print("STALLED", got, end, flush=True)
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
     * Issue 14's serial fan-out: a burst of 8 MiB written into a pty as fast as it takes it reaches
     * a reading nc and a reading python client byte-exact while a client that never reads is
     * connected; the line is held back (the device's writes block) until that client has made no
     * progress for --serial-stall-timeout, then it is reset (--serial-overflow disconnect) and the
     * readers go on at full speed. Default queue (256 KiB).
     */
    @Test
    void aBurstIntoAPtyReachesEveryReadingClientByteExactWhileAStalledOneIsDisconnected(@TempDir Path dir) throws Exception {
        long burst = 8L * 1024 * 1024;
        Path output = KernelTcp.randomFile(dir, "burst", burst, 77);
        Path trigger = dir.resolve("go");
        Path readNow = dir.resolve("stalled-reads-now");
        try (Netns ns = Netns.create()) {
            String tap = Netns.uniqueTapName();
            ns.createTap(tap, KERNEL + "/24");
            Background device = ns.spawn("python3", KernelTcp.script(dir, "burst.py", BURST_DEVICE).toString(),
                    trigger.toString(), output.toString());
            String pty = device.awaitLine(l -> l.startsWith("/dev/pts/"), Duration.ofSeconds(30));
            Background jns = ns.spawn(Jns.command("run", "--tap", tap, "--ip", STACK + "/24", "--serial", pty,
                    "--serial-scrollback", "0", "--serial-overflow", "disconnect", "--serial-stall-timeout", "2000"));
            jns.awaitLine(l -> l.contains("serial console on TCP"), Duration.ofSeconds(60));

            Background stalled = ns.spawn("python3", KernelTcp.script(dir, "stalled-until.py", STALLED_UNTIL).toString(), STACK,
                    "1234", readNow.toString());
            stalled.awaitLine(l -> l.equals("CONNECTED"), Duration.ofSeconds(30));
            Path ncOut = dir.resolve("nc.out");
            Background nc = ns.spawn("sh", "-c", "nc -v " + STACK + " 1234 < /dev/null > " + ncOut);
            nc.awaitLine(l -> l.contains("succeeded"), Duration.ofSeconds(30));
            Path pyOut = dir.resolve("python.out");
            Background py = ns.spawn("python3", KernelTcp.script(dir, "reader.py", READER).toString(), STACK, "1234",
                    pyOut.toString(), Long.toString(burst));
            py.awaitLine(l -> l.equals("CONNECTED"), Duration.ofSeconds(30));
            Thread.sleep(500); // all three accepted by the bridge

            Files.createFile(trigger);
            device.awaitLine(l -> l.equals("SENT"), Duration.ofMinutes(3));
            py.awaitLine(l -> l.startsWith("DONE"), Duration.ofMinutes(3));
            awaitSize(ncOut, burst, jns);
            Files.createFile(readNow);
            String verdict = stalled.awaitLine(l -> l.startsWith("STALLED"), Duration.ofSeconds(60));

            String sha = KernelTcp.sha256(output);
            assertThat(KernelTcp.sha256(ncOut)).as("what nc got").isEqualTo(sha);
            assertThat(KernelTcp.sha256(pyOut)).as("what the python reader got").isEqualTo(sha);
            assertThat(verdict).as("the stalled client was reset by the policy").endsWith(" RESET");
            long stalledGot = Long.parseLong(verdict.split(" ")[1]);
            assertThat(stalledGot).as("the stalled client got only what its buffers held").isLessThan(burst);
            System.out.printf("serial burst: %d bytes; nc %d, python %d (both sha256 %s); stalled client %s%n", burst,
                    Files.size(ncOut), Files.size(pyOut), sha.substring(0, 16), verdict);
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
