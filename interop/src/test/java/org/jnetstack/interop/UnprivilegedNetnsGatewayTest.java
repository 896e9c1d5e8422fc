package org.jnetstack.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.jnetstack.testing.Background;
import org.jnetstack.testing.CommandResult;
import org.jnetstack.testing.Netns;
import org.jnetstack.testing.Requirements;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code jns gateway --netns PID} without root, as slirp4netns is used: an unprivileged user
 * (uid 65534, through setpriv) makes a user and network namespace with {@code unshare -rn} and
 * runs the gateway for it as the same user; inside, the namespace has its TAP, address and
 * route, pings the gateway and fetches from a host server through it; the DNS hint the gateway
 * prints, run as printed by that user, gives the namespace's programs the gateway's DNS forwarder.
 */
@Timeout(180)
class UnprivilegedNetnsGatewayTest {
    private static final String NOBODY = "65534";
    private static final String HOST_NAME = "jns-host.test";

    /** An ICMP echo to argv[1] over a raw socket; prints the reply's source, or no-reply. */
    private static final String PING = """
            import socket, struct, sys
            s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP); s.settimeout(5)
            def csum(b):
                t = sum(struct.unpack('!%dH' % (len(b) // 2), b)); t = (t >> 16) + (t & 0xffff); t += t >> 16
                return ~t & 0xffff
            m = struct.pack('!BBHHH', 8, 0, 0, 0x4a4e, 1) + b'jnetstack'
            m = m[:2] + struct.pack('!H', csum(m + b'\\0')) + m[4:]
            s.sendto(m, (sys.argv[1], 0))
            try:
                while True:
                    d = s.recv(2048)
                    if d[20] == 0 and d[24:26] == b'\\x4a\\x4e':
                        print('echo-reply from', socket.inet_ntoa(d[12:16])); break
            except socket.timeout:
                print('no-reply')
            """;

    @Test
    void anUnprivilegedUserServesTheNamespaceOfItsOwnUserNamespace() throws Exception {
        Requirements.rootWithTap("setpriv", "unshare", "nsenter", "ip", "python3", "curl");
        CommandResult userns = Netns.runCommand(Duration.ofSeconds(30), asNobody("unshare", "-rn", "true"));
        Assumptions.assumeTrue(userns.ok(), () -> "skipped: this machine does not let an unprivileged user make a user"
                + " namespace (`setpriv --reuid=65534 unshare -rn true` failed: " + userns.describe().strip()
                + "); see sysctl user.max_user_namespaces, kernel.unprivileged_userns_clone and AppArmor's"
                + " kernel.apparmor_restrict_unprivileged_userns");

        Set<PosixFilePermission> tun = Files.getPosixFilePermissions(Path.of("/dev/net/tun"));
        if (!tun.contains(PosixFilePermission.OTHERS_READ) || !tun.contains(PosixFilePermission.OTHERS_WRITE)) {
            String why = "/dev/net/tun is " + PosixFilePermissions.toString(tun) + ", so an unprivileged user cannot open it;"
                    + " distributions make it rw-rw-rw- (.ci/run sets that)";
            assertThat(Requirements.inCi()).as("CI=true and this test cannot run: " + why).isFalse();
            Assumptions.abort("skipped: " + why);
        }

        Path dir = readableCopyOfTheCommandLine();
        Path www = Files.createDirectories(dir.resolve("www"));
        Files.writeString(www.resolve("hello.txt"), "hello from the host\n");
        int httpPort = freePort();
        Path hosts = Files.writeString(dir.resolve("hosts"), "10.0.2.2 " + HOST_NAME + "\n");
        Path resolve = Files.writeString(dir.resolve("resolve.py"), NetnsGatewayInteropTest.RESOLVE);
        for (Path p : List.of(hosts, resolve)) {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-r--r--"));
        }
        List<String> gatewayCommand = new ArrayList<>(List.of(Jns.command(List.of("-Djdk.net.hosts.file=" + hosts),
                "gateway", "--netns", "PID", "--dns-upstream", "host")));
        gatewayCommand.set(gatewayCommand.indexOf("-jar") + 1, dir.resolve("jnetstack-apps.jar").toString());
        try (Background http = new Background("python3 http.server", new ProcessBuilder("python3", "-m", "http.server",
                Integer.toString(httpPort), "--bind", "127.0.0.1", "--directory", www.toString()).redirectErrorStream(true).start());
             Background namespace = new Background("unshare -rn", new ProcessBuilder(asNobody("unshare", "-rn", "sleep", "170"))
                     .redirectErrorStream(true).start())) {
            String pid = Long.toString(namespace.pid());
            awaitOwnNamespace(pid);
            gatewayCommand.set(gatewayCommand.indexOf("PID"), pid);
            try (Background gateway = new Background("jns gateway as uid " + NOBODY,
                    new ProcessBuilder(asNobody(gatewayCommand.toArray(new String[0]))).redirectErrorStream(true).start())) {
                gateway.awaitLine(l -> l.startsWith("jns gateway: serving network namespace " + pid), Duration.ofSeconds(60));
                assertThat(Files.readString(Path.of("/proc", Long.toString(gateway.pid()), "status")))
                        .as("the gateway runs unprivileged").containsPattern("Uid:\\s+" + NOBODY + "\\s+" + NOBODY);

                assertThat(inside(pid, "ip", "-4", "addr", "show", "tap0")).contains("inet 10.0.2.100/24");
                assertThat(inside(pid, "ip", "route")).contains("default via 10.0.2.2 dev tap0");
                assertThat(inside(pid, "python3", "-c", PING, "10.0.2.2")).contains("echo-reply from 10.0.2.2");
                awaitListening(httpPort);
                assertThat(inside(pid, "curl", "-sf", "--max-time", "30", "http://10.0.2.2:" + httpPort + "/hello.txt"))
                        .as("a host server on 127.0.0.1, fetched through the gateway").isEqualTo("hello from the host\n");

                // The DNS hint, run as printed by the same user, opens a shell in the namespace whose programs
                // resolve through the gateway's DNS forwarder (which answers from the host's resolver, here its hosts file).
                String hint = NetnsGatewayInteropTest.hintCommand(gateway.output());
                assertThat(hint).startsWith("nsenter --preserve-credentials -U -n -t " + pid + " ").doesNotContain("/etc/netns");
                assertThat(shell(hint, "python3 " + resolve + " " + HOST_NAME + "\n"))
                        .isEqualTo("nameserver 10.0.2.3\n" + HOST_NAME + " 10.0.2.2\n");
            }
        } finally {
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** Runs {@code sh -c command} as the unprivileged user with {@code input} on its stdin; its stdout (stderr on failure). */
    private static String shell(String command, String input) throws Exception {
        Process p = new ProcessBuilder(asNobody("sh", "-c", command)).start();
        try (var in = p.getOutputStream()) {
            in.write(input.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        var err = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getErrorStream().readAllBytes());
            } catch (IOException e) {
                return e.toString();
            }
        });
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new AssertionError("`" + command + "` failed: " + out + err.get());
        }
        return out;
    }

    /** Runs a command in the namespace of process {@code pid}, as the unprivileged user; its output. */
    private static String inside(String pid, String... command) {
        List<String> cmd = new ArrayList<>(List.of("nsenter", "--preserve-credentials", "-U", "-n", "-t", pid));
        cmd.addAll(List.of(command));
        CommandResult r = Netns.runCommand(Duration.ofSeconds(60), asNobody(cmd.toArray(new String[0])));
        if (!r.ok()) {
            throw new AssertionError("inside the namespace: " + r.describe());
        }
        return r.stdout();
    }

    private static List<String> asNobody(String... command) {
        List<String> cmd = new ArrayList<>(List.of("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups"));
        cmd.addAll(List.of(command));
        return cmd;
    }

    /** Waits until process {@code pid} (setpriv, then unshare, exec'd into sleep) is in its new user namespace. */
    private static void awaitOwnNamespace(String pid) throws Exception {
        Path mine = Path.of("/proc/self/ns/user");
        for (int i = 0; i < 100; i++) {
            try {
                if (Files.readString(Path.of("/proc", pid, "comm")).strip().equals("sleep")
                        && !Files.readSymbolicLink(Path.of("/proc", pid, "ns", "user")).equals(Files.readSymbolicLink(mine))) {
                    return;
                }
            } catch (IOException e) {
                // not there yet
            }
            Thread.sleep(50);
        }
        throw new AssertionError("unshare -rn did not make its namespaces");
    }

    /**
     * The command line's jar and libraries copied where the unprivileged user can read them (the
     * build tree may sit under a directory only root may enter).
     */
    private static Path readableCopyOfTheCommandLine() throws IOException {
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "jns-unprivileged-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        Path jar = Jns.jar();
        Files.copy(jar, dir.resolve(jar.getFileName()));
        Path lib = Files.createDirectory(dir.resolve("lib"));
        try (Stream<Path> s = Files.list(jar.resolveSibling("lib"))) {
            for (Path p : s.toList()) {
                Files.copy(p, lib.resolve(p.getFileName()));
            }
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.toList()) {
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--"));
            }
        }
        return dir;
    }

    private static void awaitListening(int port) throws InterruptedException {
        for (int i = 0; i < 100; i++) {
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                return;
            } catch (IOException e) {
                Thread.sleep(100);
            }
        }
        throw new AssertionError("the host's http.server did not start on port " + port);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
