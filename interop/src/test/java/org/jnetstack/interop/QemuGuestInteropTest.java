package org.jnetstack.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.jnetstack.testing.Background;
import org.jnetstack.testing.Requirements;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A real Linux guest under QEMU ({@code -accel tcg}) on {@code jns gateway}'s user-mode network,
 * its NIC a virtio-net on {@code -netdev stream} to the gateway's Unix socket. The guest — Debian's
 * cloud kernel and a busybox initramfs built at test time by {@code interop/qemu/build-guest.sh},
 * cached under {@code target/qemu-guest} — runs its scenario from {@code interop/qemu/init} and
 * prints each result on its serial console (QEMU's stdio), which this test reads:
 * <ul>
 *   <li>its lease comes from the gateway's DHCP server (10.0.2.15, router 10.0.2.2, DNS 10.0.2.3);</li>
 *   <li>a name only the gateway host knows (from a hosts file given to the gateway's JVM) resolves
 *   through the DNS forwarder to 10.0.2.2;</li>
 *   <li>100 MB fetched by that name from python's http.server on the host's 127.0.0.1 arrive
 *   byte-exact (the guest prints the sha256);</li>
 *   <li>a file the guest serves with busybox httpd reaches the host byte-exact through a forward;</li>
 *   <li>a second QEMU on the same socket after the first is killed (a guest restart) gets the port
 *   back: the same address from DHCP, and the forward reaches the new guest.</li>
 * </ul>
 * Needs no root. Skips (fails under CI=true) when QEMU, busybox-static, cpio or apt are missing.
 */
@Timeout(300)
class QemuGuestInteropTest {
    private static final int FETCH_BYTES = 100_000_000;
    private static final String HOST_NAME = "jns-host.test";
    private static final Duration BOOT = Duration.ofSeconds(120);

    @Test
    void guestGetsLeaseResolvesFetchesAndServesThroughTheGatewayAndComesBackAfterARestart() throws Exception {
        Requirements.tools(QemuGuest.TOOLS);
        Requirements.tools("python3");
        Path target = Jns.root().resolve("interop/target");
        Path guest = QemuGuest.build();
        Path run = Files.createDirectories(target.resolve("qemu-run"));
        Path www = Files.createDirectories(run.resolve("www"));
        String fetchSha = writeRandomFile(www.resolve("big"), FETCH_BYTES, 11);
        Path hosts = Files.writeString(run.resolve("hosts"), "10.0.2.2 " + HOST_NAME + "\n");
        Path socket = run.resolve("gw.sock");
        int httpPort = freePort();
        int forwardPort = freePort();

        List<AutoCloseable> cleanup = new ArrayList<>();
        try {
            Background http = start("python3 http.server", List.of("python3", "-m", "http.server", Integer.toString(httpPort),
                    "--bind", "127.0.0.1", "--directory", www.toString()));
            cleanup.add(http);
            List<String> gw = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "--enable-native-access=ALL-UNNAMED", "-Djdk.net.hosts.file=" + hosts, "-jar", Jns.jar().toString(),
                    "gateway", "--qemu", socket.toString(), "--forward", "tcp:" + forwardPort + ":80", "--dns-upstream", "host"));
            Background gateway = start("jns gateway", gw);
            cleanup.add(0, gateway);
            gateway.awaitLine(l -> l.startsWith("jns gateway: forward"), Duration.ofSeconds(30));
            assertThat(gateway.output()).contains("jns gateway: up: network 10.0.2.0/24");

            String url = "http://" + HOST_NAME + ":" + httpPort + "/big";
            Background first = qemu(guest, socket, "jns.name=" + HOST_NAME + " jns.url=" + url + " jns.serve_mb=8");
            cleanup.add(0, first);
            awaitReady(first);
            String out = first.output();
            assertThat(line(out, "JNS-LEASE")).contains("ip=10.0.2.15 ", "subnet=255.255.255.0", "router=10.0.2.2",
                    "dns=10.0.2.3", "server=10.0.2.2", "mtu=1500");
            assertThat(line(out, "JNS-DNS").trim()).as("the name resolved through the DNS forwarder").isEqualTo("JNS-DNS 10.0.2.2");
            assertThat(line(out, "JNS-FETCH ")).as("sha256 of the 100 MB the guest fetched").isEqualTo("JNS-FETCH " + fetchSha);
            String served = line(out, "JNS-SERVE").substring("JNS-SERVE ".length()).trim();
            assertThat(fetchThroughForward(forwardPort)).as("sha256 of the guest's file fetched through the forward").isEqualTo(served);

            // QEMU killed and started again on the same socket: the guest gets its port and address back.
            first.close();
            Background second = qemu(guest, socket, "jns.serve_mb=1");
            cleanup.add(0, second);
            awaitReady(second);
            String again = second.output();
            assertThat(line(again, "JNS-LEASE")).contains("ip=10.0.2.15 ");
            String served2 = line(again, "JNS-SERVE").substring("JNS-SERVE ".length()).trim();
            assertThat(served2).isNotEqualTo(served);
            assertThat(fetchThroughForward(forwardPort)).isEqualTo(served2);
            assertThat(gateway.output()).contains("peer disconnected").doesNotContain("Exception");
        } finally {
            for (AutoCloseable c : cleanup) {
                c.close();
            }
            Files.deleteIfExists(www.resolve("big"));
        }
    }

    @Test
    void guestKeepsItsNetworkAcrossAGatewayRestartWhenQemuListens() throws Exception {
        Requirements.tools(QemuGuest.TOOLS);
        Requirements.tools("python3");
        Path target = Jns.root().resolve("interop/target");
        Path guest = QemuGuest.build();
        Path run = Files.createDirectories(target.resolve("qemu-run-restart"));
        Path www = Files.createDirectories(run.resolve("www"));
        String fileSha = writeRandomFile(www.resolve("f"), 10_000_000, 12);
        Path socket = run.resolve("vm.sock");
        Files.deleteIfExists(socket);
        int httpPort = freePort();
        int forwardPort = freePort();
        List<AutoCloseable> cleanup = new ArrayList<>();
        try {
            cleanup.add(start("python3 http.server", List.of("python3", "-m", "http.server", Integer.toString(httpPort),
                    "--bind", "127.0.0.1", "--directory", www.toString())));
            // QEMU listens (server=on); each gateway connects to it.
            Process vmProcess = new ProcessBuilder(qemuCommand(guest, "stream,id=n0,server=on,addr.type=unix,addr.path=" + socket,
                    "jns.serve_mb=2")).redirectErrorStream(true).start();
            Background vm = new Background("qemu", vmProcess);
            cleanup.add(0, vm);
            awaitSocket(socket, vm);
            String[] gw = Jns.command("gateway", "--qemu-connect", socket.toString(), "--forward", "tcp:" + forwardPort + ":80");
            Background first = start("jns gateway (1)", List.of(gw));
            cleanup.add(0, first);
            awaitReady(vm);
            assertThat(line(vm.output(), "JNS-LEASE")).contains("ip=10.0.2.15 ");
            String served = line(vm.output(), "JNS-SERVE").substring("JNS-SERVE ".length()).trim();
            assertThat(fetchThroughForward(forwardPort)).isEqualTo(served);

            first.signal("TERM");
            first.awaitExit(Duration.ofSeconds(30));
            Background second = start("jns gateway (2)", List.of(gw));
            cleanup.add(0, second);
            second.awaitLine(l -> l.contains("connected to the peer"), Duration.ofSeconds(30));

            // Through the new gateway: a command typed on the guest's serial console fetches from the host,
            // and the host reaches the guest's server through the new gateway's forward.
            OutputStream console = vmProcess.getOutputStream();
            console.write(("echo JNS-AFTER $(wget -q -O - http://10.0.2.2:" + httpPort + "/f | sha256sum)\n")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            console.flush();
            String after = vm.awaitLine(l -> l.startsWith("JNS-AFTER"), Duration.ofSeconds(90));
            assertThat(after).isEqualTo("JNS-AFTER " + fileSha + " -");
            assertThat(fetchThroughForward(forwardPort)).isEqualTo(served);
        } finally {
            for (AutoCloseable c : cleanup) {
                c.close();
            }
            Files.deleteIfExists(www.resolve("f"));
        }
    }

    private static void awaitSocket(Path socket, Background vm) throws InterruptedException {
        for (int i = 0; i < 300 && !Files.exists(socket); i++) {
            assertThat(vm.isAlive()).as("qemu runs; it printed:\n" + vm.output()).isTrue();
            Thread.sleep(100);
        }
        assertThat(socket).as("QEMU's listening socket").exists();
    }

    private static Background qemu(Path guest, Path socket, String params) throws IOException {
        return start("qemu", qemuCommand(guest, "stream,id=n0,server=off,addr.type=unix,addr.path=" + socket, params));
    }

    private static List<String> qemuCommand(Path guest, String netdev, String params) {
        return QemuGuest.command(guest, "console=ttyS0 panic=-1 quiet " + params,
                "-monitor", "none", "-serial", "stdio", "-netdev", netdev, "-device", "virtio-net-pci,netdev=n0,romfile=");
    }

    private static void awaitReady(Background vm) throws InterruptedException {
        String l = vm.awaitLine(s -> s.startsWith("JNS-READY") || s.startsWith("JNS-FAIL") || s.contains("Kernel panic"), BOOT);
        assertThat(l).as("the guest's scenario; its console:\n" + vm.output()).startsWith("JNS-READY");
    }

    /** The first console line starting with {@code prefix}. */
    private static String line(String console, String prefix) {
        return console.lines().filter(l -> l.startsWith(prefix)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + prefix + " line on the guest's console:\n" + console));
    }

    private static String fetchThroughForward(int port) throws Exception {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        HttpResponse<InputStream> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/blob"))
                .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(r.statusCode()).isEqualTo(200);
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (InputStream in = r.body()) {
            byte[] b = new byte[65536];
            int n;
            while ((n = in.read(b)) > 0) {
                md.update(b, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static String writeRandomFile(Path file, int size, long seed) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        Random random = new Random(seed);
        byte[] b = new byte[1 << 20];
        try (OutputStream out = Files.newOutputStream(file)) {
            for (int left = size; left > 0; left -= b.length) {
                random.nextBytes(b);
                int n = Math.min(left, b.length);
                out.write(b, 0, n);
                md.update(b, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static Background start(String what, List<String> command) throws IOException {
        return new Background(what, new ProcessBuilder(command).redirectErrorStream(true).start());
    }
}
