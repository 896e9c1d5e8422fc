package org.jnetstack.apps.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.jnetstack.apps.cli.programs.HostChannelsProgram;
import org.jnetstack.apps.cli.programs.HttpClientProgram;
import org.jnetstack.apps.cli.programs.HttpServerProgram;
import org.jnetstack.apps.cli.programs.SocketEchoProgram;
import org.jnetstack.apps.cli.programs.UdpEchoProgram;
import org.jnetstack.apps.cli.programs.UrlConnectionProgram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jns java} running unmodified JDK programs on the user-mode network (no root): the
 * program's JVM has the stack as its JVM-wide SelectorProvider, its Socket factory and its
 * resolver, while the gateway's own host sockets stay on the kernel. Each program's server
 * listens on the stack only, so the host reaches it only through the {@code --forward}; each
 * client reaches the host only as 10.0.2.2, an address the host's kernel does not route to itself.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES) // a hang guard, not a measurement
class JavaCommandRunTest {
    private static String testClasses() throws Exception {
        return Path.of(HttpServerProgram.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static int freeUdpPort() throws Exception {
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static CompletableFuture<CliRun> jns(String... args) {
        return CompletableFuture.supplyAsync(() -> CliRun.of(args));
    }

    /** Runs {@code command} (curl, ...) and returns its standard output; fails on a non-zero exit. */
    private static byte[] run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor()).as("%s", command).isZero();
        return out;
    }

    /**
     * curl through the forward, retrying while the program's JVM starts: the forward's host port is
     * open from the start, so until the program listens a connection is accepted and then reset
     * (curl's status 56), which only {@code --retry-all-errors} retries.
     */
    private static byte[] curl(int port, String path) throws Exception {
        return run(List.of("curl", "-sS", "--fail", "--retry", "60", "--retry-all-errors", "--retry-delay", "1",
                "http://127.0.0.1:" + port + path));
    }

    /** A jar holding only {@code program}'s class (and its nested classes), as a program is shipped. */
    private static Path jarOf(Class<?> program, Path dir) throws Exception {
        Path jar = dir.resolve("app.jar");
        String pkg = program.getPackageName().replace('.', '/');
        Path classes = Path.of(testClasses()).resolve(pkg);
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar));
             var files = Files.list(classes)) {
            for (Path f : files.filter(f -> f.getFileName().toString().startsWith(program.getSimpleName())).toList()) {
                out.putNextEntry(new JarEntry(pkg + "/" + f.getFileName()));
                out.write(Files.readAllBytes(f));
                out.closeEntry();
            }
        }
        return jar;
    }

    @Test
    void theJdksHttpServerFromAJarServesTheHostThroughAForward(@TempDir Path dir) throws Exception {
        int hostPort = freePort();
        CompletableFuture<CliRun> jns = jns("java", "--forward", "tcp:" + hostPort + ":8000", "-cp",
                jarOf(HttpServerProgram.class, dir).toString(),
                HttpServerProgram.class.getName(), "--port", "8000", "--size", "1000000");
        try {
            byte[] expected = new byte[1_000_000];
            new Random(7).nextBytes(expected);
            assertThat(curl(hostPort, "/blob")).isEqualTo(expected);
            assertThat(new String(curl(hostPort, "/provider"), StandardCharsets.UTF_8))
                    .isEqualTo("org.jnetstack.socket.nio.StackSelectorProvider");
        } finally {
            new ProcessBuilder("curl", "-sS", "http://127.0.0.1:" + hostPort + "/stop")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
        }
        CliRun r = jns.get(2, TimeUnit.MINUTES);
        assertThat(r.status()).as("stderr:%n%s", r.err()).isZero(); // main returned, the server's threads ended
    }

    @Test
    void theJdksHttpClientAndHttpUrlConnectionFetchFromTheHostThroughTheNat(@TempDir Path dir) throws Exception {
        byte[] body = new byte[2_000_000];
        new Random(11).nextBytes(body);
        Files.write(dir.resolve("blob"), body);
        int port = freePort();
        Process python = new ProcessBuilder("python3", "-m", "http.server", String.valueOf(port), "--bind", "127.0.0.1",
                "--directory", dir.toString()).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            awaitListening(port);
            Path out = dir.resolve("fetched");
            CliRun r = CliRun.of("java", "-cp", testClasses(), HttpClientProgram.class.getName(),
                    "http://10.0.2.2:" + port + "/blob", out.toString());
            assertThat(r.status()).as("stderr:%n%s", r.err()).isZero();
            assertThat(Files.readAllBytes(out)).isEqualTo(body);

            // java.net.Socket underneath HttpURLConnection: on the stack too.
            Path viaUrl = dir.resolve("fetched-by-url-connection");
            CliRun u = CliRun.of("java", "-cp", testClasses(), UrlConnectionProgram.class.getName(),
                    "http://10.0.2.2:" + port + "/blob", viaUrl.toString());
            assertThat(u.status()).as("stderr:%n%s", u.err()).isZero();
            assertThat(Files.readAllBytes(viaUrl)).isEqualTo(body);

            // The program's exit status is jns's: the client exits 14 on a 404.
            CliRun missing = CliRun.of("java", "-cp", testClasses(), HttpClientProgram.class.getName(),
                    "http://10.0.2.2:" + port + "/missing", dir.resolve("none").toString());
            assertThat(missing.status()).as("stderr:%n%s", missing.err()).isEqualTo(14);
        } finally {
            python.destroy();
            python.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aPlainServerSocketIsOnTheStack() throws Exception {
        int hostPort = freePort();
        CompletableFuture<CliRun> jns = jns("java", "--forward", "tcp:" + hostPort + ":9000", "-cp", testClasses(),
                SocketEchoProgram.class.getName(), "9000");
        byte[] sent = new byte[200_000];
        new Random(5).nextBytes(sent);
        byte[] echoed = null;
        for (int attempt = 0; attempt < 120 && echoed == null && !jns.isDone(); attempt++) {
            // The forward accepts as soon as the gateway is up; until the program listens on the stack the
            // gateway closes the host connection at once (RST from the stack): then try again.
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), hostPort));
                OutputStream o = s.getOutputStream();
                InputStream in = s.getInputStream();
                CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                    try {
                        o.write(sent);
                        s.shutdownOutput();
                    } catch (Exception e) {
                        // reset: the program was not listening yet
                    }
                });
                ByteArrayOutputStream got = new ByteArrayOutputStream();
                try {
                    in.transferTo(got);
                } catch (java.io.IOException reset) {
                    // not listening yet
                }
                writer.join();
                if (got.size() > 0) {
                    echoed = got.toByteArray();
                }
            } catch (java.io.IOException refused) {
                // the program's JVM is still starting
            }
            if (echoed == null) {
                Thread.sleep(500);
            }
        }
        assertThat(echoed).isEqualTo(sent);
        CliRun r = jns.get(2, TimeUnit.MINUTES);
        assertThat(r.status()).as("stderr:%n%s", r.err()).isZero();
    }

    @Test
    void aPlainDatagramSocketIsOnTheStack() throws Exception {
        int hostPort = freeUdpPort();
        CompletableFuture<CliRun> jns = jns("java", "--forward", "udp:" + hostPort + ":7000", "-cp", testClasses(),
                UdpEchoProgram.class.getName(), "7000");
        try (DatagramSocket host = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            host.setSoTimeout(500);
            InetSocketAddress forward = new InetSocketAddress(InetAddress.getLoopbackAddress(), hostPort);
            byte[] sent = "datagram through the stack".getBytes(StandardCharsets.US_ASCII);
            String echoed = null;
            // Until the gateway's forward and then the program's socket are up, datagrams are lost: send again.
            for (int attempt = 0; attempt < 240 && echoed == null && !jns.isDone(); attempt++) {
                host.send(new DatagramPacket(sent, sent.length, forward));
                DatagramPacket p = new DatagramPacket(new byte[2048], 2048);
                try {
                    host.receive(p);
                    echoed = new String(p.getData(), 0, p.getLength(), StandardCharsets.US_ASCII);
                } catch (java.net.SocketTimeoutException e) {
                    // not up yet
                } catch (java.net.PortUnreachableException e) {
                    Thread.sleep(500); // the forward is not bound yet
                }
            }
            assertThat(echoed).isEqualTo("datagram through the stack");
            byte[] stop = "stop".getBytes(StandardCharsets.US_ASCII);
            host.send(new DatagramPacket(stop, stop.length, forward));
        }
        CliRun r = jns.get(2, TimeUnit.MINUTES);
        assertThat(r.status()).as("stderr:%n%s", r.err()).isZero();
    }

    private static void awaitListening(int port) throws Exception {
        for (int i = 0; i < 200; i++) {
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                return;
            } catch (java.io.IOException e) {
                Thread.sleep(100);
            }
        }
        throw new AssertionError("python http.server did not start on port " + port);
    }
    /**
     * Unix-domain channels and pipes are the host's, not the network's: with the stack as the
     * JVM-wide provider they still come from the JDK's own provider, while TCP channels are ours.
     */
    @Test
    void unixDomainChannelsAndPipesStayTheHosts(@TempDir Path dir) throws Exception {
        CliRun r = CliRun.of("java", "-cp", testClasses(), HostChannelsProgram.class.getName(), dir.toString(), "a", "b");
        assertThat(r.status()).as("stderr:%n%s", r.err()).isZero();
        assertThat(Files.readAllLines(dir.resolve("report.txt"))).containsExactly(
                "provider org.jnetstack.socket.nio.StackSelectorProvider",
                "unix over a unix socket from a EPollSelectorProvider",
                "pipe through a pipe",
                "tcp org.jnetstack.socket.nio.StackSelectorProvider",
                "args a,b");
    }

    /**
     * {@code -jar}: the manifest's Main-Class runs, found through its Class-Path (the jar itself
     * holds only the manifest), and every argument after the jar, options too, is the program's.
     */
    @Test
    void anExecutableJarRunsItsMainClassFromItsManifestsClassPath(@TempDir Path dir) throws Exception {
        Path lib = Files.createDirectories(dir.resolve("lib"));
        Files.move(jarOf(HostChannelsProgram.class, dir), lib.resolve("program.jar"));
        java.util.jar.Manifest m = new java.util.jar.Manifest();
        m.getMainAttributes().put(java.util.jar.Attributes.Name.MANIFEST_VERSION, "1.0");
        m.getMainAttributes().put(java.util.jar.Attributes.Name.MAIN_CLASS, HostChannelsProgram.class.getName());
        m.getMainAttributes().put(java.util.jar.Attributes.Name.CLASS_PATH, "lib/program.jar");
        Path app = dir.resolve("app.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(app), m)) {
            // the manifest only
        }
        CliRun r = CliRun.of("java", "-jar", app.toString(), dir.toString(), "--port", "8000");
        assertThat(r.status()).as("stderr:%n%s", r.err()).isZero();
        assertThat(Files.readAllLines(dir.resolve("report.txt"))).contains(
                "provider org.jnetstack.socket.nio.StackSelectorProvider", "args --port,8000");
    }
}
