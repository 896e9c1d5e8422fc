package org.jnetstack.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.jnetstack.testing.Background;
import org.jnetstack.testing.CommandResult;
import org.jnetstack.testing.Netns;
import org.jnetstack.testing.Requirements;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jns java --tap ... -cp app.jar MAINCLASS}: an unmodified jar whose main opens a
 * {@code ServerSocketChannel} runs on the stack, and the Linux kernel in a namespace sends it
 * 20 MB over TAP; the program's digest of what it read matches the file's, and jns ends with the
 * program's exit status when its main returns.
 */
@Timeout(300)
class JavaCommandInteropTest {
    private static final String KERNEL = "10.0.0.1";
    private static final String STACK = "10.0.0.2";

    @AfterAll
    static void nothingLeftBehind() {
        assertThat(Netns.leftovers()).isEmpty();
    }

    /** A jar holding only {@link ChannelDigestServer}. */
    private static Path jar(Path dir) throws Exception {
        Path classes = Path.of(ChannelDigestServer.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        String name = ChannelDigestServer.class.getName().replace('.', '/') + ".class";
        Path jar = dir.resolve("app.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            out.putNextEntry(new JarEntry(name));
            out.write(Files.readAllBytes(classes.resolve(name)));
            out.closeEntry();
        }
        return jar;
    }

    @Test
    void anUnmodifiedJarServesTheKernelFromAServerSocketChannel(@TempDir Path dir) throws Exception {
        Requirements.rootWithTap("ip", "python3");
        Path file = KernelTcp.randomFile(dir, "data.bin", 20_000_000, 41);
        try (Netns ns = Netns.create()) {
            String tap = Netns.uniqueTapName();
            ns.createTap(tap, KERNEL + "/24");
            Background jns = ns.spawn(Jns.command("java", "--tap", tap, "--ip", STACK + "/24",
                    "-cp", jar(dir).toString(), ChannelDigestServer.class.getName(), "9000"));
            assertThat(jns.awaitLine(l -> l.startsWith("listening "), Duration.ofSeconds(90))).isEqualTo("listening 9000");

            CommandResult sent = ns.run(Duration.ofMinutes(2), "python3", "-c", String.join("\n",
                    "import socket, sys",
                    "s = socket.create_connection(('" + STACK + "', 9000), timeout=60)",
                    "s.sendall(open(sys.argv[1], 'rb').read())",
                    "s.shutdown(socket.SHUT_WR)",
                    "answer = b''",
                    "while True:",
                    "    b = s.recv(65536)",
                    "    if not b: break",
                    "    answer += b",
                    "sys.stdout.write(answer.decode())"), file.toString());
            assertThat(sent.exitStatus()).as(sent.describe() + "\njns printed:\n" + jns.output()).isZero();
            assertThat(sent.stdout()).isEqualTo("20000000 " + KernelTcp.sha256(file) + "\n");
            assertThat(jns.awaitExit(Duration.ofSeconds(60))).as(jns.output()).isZero();
            assertThat(jns.output()).contains("jns: " + ChannelDigestServer.class.getName() + " on 10.0.0.2/24");
        }
    }
}
