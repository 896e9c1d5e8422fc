package org.jnetstack.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.jnetstack.testing.Background;
import org.jnetstack.testing.CommandResult;
import org.jnetstack.testing.Netns;
import org.jnetstack.testing.Requirements;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jns gateway --netns} in the slirp4netns role: the kernel of a fresh network namespace
 * gets a TAP the gateway created inside it, configured (10.0.2.100/24, default route via
 * 10.0.2.2); it pings the gateway, fetches 50 MB from a host server on the host's 127.0.0.1
 * through the NAT with curl, and a server in the namespace is reached from the host through a
 * forward — all byte-exact; iperf3 runs both ways through the gateway. The DNS hint the gateway prints,
 * run as printed, lets the namespace resolve through the gateway; a datagram to a closed host port
 * fails in the namespace with ECONNREFUSED. When the gateway stops, the TAP is gone from the namespace.
 */
@Timeout(180)
class NetnsGatewayInteropTest {
    private static final int SIZE = 50_000_000;

    /** An ICMP echo to argv[1] over a raw socket (ping(8) may be missing); prints the reply's source and payload, or no-reply. */
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
                    if d[20] == 0 and d[24:26] == b'\\x4a\\x4e' and d[26:28] == b'\\x00\\x01':
                        print('echo-reply from', socket.inet_ntoa(d[12:16]), 'payload', d[28:].decode()); break
            except socket.timeout:
                print('no-reply')
            """;

    private static final String HOST_NAME = "jns-host.test";

    /** The namespace's resolv.conf and argv[1] resolved by the C library (through that name server). */
    static final String RESOLVE = """
            import socket, sys
            print(open('/etc/resolv.conf').read().strip())
            print(sys.argv[1], socket.gethostbyname(sys.argv[1]))
            """;

    /** A connected UDP socket sends to argv[1]:argv[2]; prints refused (ECONNREFUSED), a reply, or timeout. */
    private static final String UDP_TO_CLOSED_PORT = """
            import socket, sys
            u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.settimeout(10); u.connect((sys.argv[1], int(sys.argv[2])))
            u.send(b'anyone there?')
            try:
                print('reply', u.recv(100))
            except ConnectionRefusedError:
                print('refused')
            except socket.timeout:
                print('timeout')
            """;

    @Test
    void namespaceGetsItsAddressPingsTheGatewayFetchesFromTheHostAndIsReachedThroughAForward(@TempDir Path dir) throws Exception {
        Requirements.rootWithTap("ip", "nsenter", "curl", "python3", "sha256sum", "iperf3");
        Path www = Files.createDirectories(dir.resolve("host"));
        String hostSha = writeRandomFile(www.resolve("f"), SIZE, 21);
        Path inside = Files.createDirectories(dir.resolve("ns"));
        String nsSha = writeRandomFile(inside.resolve("g"), SIZE / 5, 22);
        int httpPort = freePort();
        int forwardPort = freePort();
        try (Netns ns = Netns.create();
             Background http = new Background("python3 http.server", new ProcessBuilder("python3", "-m", "http.server",
                     Integer.toString(httpPort), "--bind", "127.0.0.1", "--directory", www.toString())
                     .redirectErrorStream(true).start());
             Background gateway = new Background("jns gateway", new ProcessBuilder(Jns.command(
                     List.of("-Djdk.net.hosts.file=" + Files.writeString(dir.resolve("hosts"), "10.0.2.2 " + HOST_NAME + "\n")),
                     "gateway", "--netns", "/run/netns/" + ns.name(), "--forward", "tcp:" + forwardPort + ":8080",
                     "--dns-upstream", "host"))
                     .redirectErrorStream(true).start())) {
            gateway.awaitLine(l -> l.startsWith("jns gateway: forward"), Duration.ofSeconds(60));
            assertThat(gateway.output()).contains("serving network namespace /run/netns/" + ns.name() + ": tap0 10.0.2.100/24");
            assertThat(ns.exec("ip", "-4", "addr", "show", "tap0")).contains("inet 10.0.2.100/24");
            assertThat(ns.exec("ip", "route")).contains("default via 10.0.2.2 dev tap0");

            assertThat(ns.exec("python3", "-c", PING, "10.0.2.2")).contains("echo-reply from 10.0.2.2 payload jnetstack");

            // The DNS hint, run as printed, gives programs started with `ip netns exec` the gateway's DNS forwarder,
            // which answers from the host's resolver (here its hosts file).
            Path etcNetns = Path.of("/etc/netns", ns.name());
            try {
                String hint = hintCommand(gateway.output());
                assertThat(hint).startsWith("mkdir -p " + etcNetns);
                Netns.root("sh", "-c", hint);
                assertThat(Netns.root("ip", "netns", "exec", ns.name(), "python3", "-c", RESOLVE, HOST_NAME))
                        .isEqualTo("nameserver 10.0.2.3\n" + HOST_NAME + " 10.0.2.2\n");
            } finally {
                Netns.root("rm", "-rf", etcNetns.toString());
            }

            // A datagram to a closed host port: the host's port unreachable comes back to the namespace's kernel
            // as an ICMP error quoting its datagram, so its connected socket fails with ECONNREFUSED.
            int closedUdp;
            try (java.net.DatagramSocket u = new java.net.DatagramSocket(0, InetAddress.getLoopbackAddress())) {
                closedUdp = u.getLocalPort();
            }
            assertThat(ns.exec("python3", "-c", UDP_TO_CLOSED_PORT, "10.0.2.2", Integer.toString(closedUdp))).isEqualTo("refused\n");

            awaitListening(httpPort);
            String fetched = ns.exec("sh", "-c", "curl -sf --max-time 60 http://10.0.2.2:" + httpPort + "/f | sha256sum");
            assertThat(fetched.split(" ")[0]).as("sha256 of the 50 MB the namespace fetched from the host").isEqualTo(hostSha);

            ns.spawn("python3", "-m", "http.server", "8080", "--bind", "10.0.2.100", "--directory", inside.toString());
            String back = fetchThroughForward(forwardPort, "/g");
            assertThat(back).as("sha256 of the namespace's file fetched through the forward").isEqualTo(nsSha);

            // iperf3 both ways through the gateway: a host server on 127.0.0.1, the client in the namespace.
            int iperfPort = freePort();
            try (Background iperf = new Background("iperf3 -s", new ProcessBuilder("iperf3", "-s", "-B", "127.0.0.1",
                    "-p", Integer.toString(iperfPort)).redirectErrorStream(true).start())) {
                awaitListening(iperfPort);
                for (String direction : new String[] {"-4", "-R"}) {
                    CommandResult r = ns.run(Duration.ofSeconds(60), "iperf3", "-c", "10.0.2.2", "-p", Integer.toString(iperfPort),
                            "-t", "2", "-J", direction);
                    assertThat(r.ok()).as(r.describe()).isTrue();
                    java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"sum_received\"\\s*:\\s*\\{[^}]*\"bytes\"\\s*:\\s*(\\d+)")
                            .matcher(r.stdout());
                    assertThat(m.find()).as("iperf3 %s reports what was received: %s", direction, r.stdout()).isTrue();
                    assertThat(Long.parseLong(m.group(1))).as("bytes received, iperf3 " + direction).isPositive();
                }
            }

            gateway.signal("TERM");
            gateway.awaitExit(Duration.ofSeconds(30));
            assertThat(ns.run(Duration.ofSeconds(10), "ip", "link", "show", "tap0").ok())
                    .as("the TAP is removed with the gateway").isFalse();
        }
    }

    @Test
    void guestPingReachesOutsideThroughAnIcmpEchoSocketOnlyWhereTheHostAllowsIt() throws Exception {
        Requirements.rootWithTap("ip", "nsenter", "python3", "sysctl");
        // The gateway runs in a namespace of its own, where 10.77.0.1 is a local address to ping.
        for (boolean allowed : new boolean[] {true, false}) {
            try (Netns gwNs = Netns.create(); Netns guestNs = Netns.create()) {
                gwNs.exec("ip", "addr", "add", "10.77.0.1/32", "dev", "lo");
                gwNs.exec("sysctl", "-qw", "net.ipv4.ping_group_range=" + (allowed ? "0 2147483647" : "1 0"));
                Background gateway = gwNs.spawn(Jns.command("gateway", "--netns", "/run/netns/" + guestNs.name()));
                gateway.awaitLine(l -> l.startsWith("jns gateway: serving network namespace"), Duration.ofSeconds(60));
                String ping = guestNs.exec("python3", "-c", PING, "10.77.0.1");
                if (allowed) {
                    assertThat(ping).contains("echo-reply from 10.77.0.1 payload jnetstack");
                } else {
                    assertThat(ping).as("no fake reply where ICMP echo sockets are not allowed").contains("no-reply");
                    gateway.awaitLine(l -> l.contains("not passed on: ICMP echo sockets are not allowed here"), Duration.ofSeconds(10));
                    assertThat(gateway.output()).contains("ping_group_range = 1 0");
                }
            }
        }
    }

    /** Answers each TCP connection and UDP datagram on port argv[1] with "from <the peer's address>" (getpeername). */
    private static final String TELL_PEER = """
            import socket, sys, threading
            port = int(sys.argv[1])
            t = socket.socket(); t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); t.bind(('0.0.0.0', port)); t.listen(8)
            u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(('0.0.0.0', port))
            def answer_udp():
                while True:
                    d, a = u.recvfrom(2048); u.sendto(('from %s' % a[0]).encode(), a)
            threading.Thread(target=answer_udp, daemon=True).start()
            print('listening', flush=True)
            while True:
                c, a = t.accept(); c.sendall(('from %s' % c.getpeername()[0]).encode()); c.close()
            """;

    /** Connects to argv[1]:argv[2] over TCP and sends a datagram there; prints both answers. */
    private static final String ASK_PEER = """
            import socket, sys
            h, p = sys.argv[1], int(sys.argv[2])
            c = socket.create_connection((h, p), timeout=10)
            print('tcp', b''.join(iter(lambda: c.recv(100), b'')).decode()); c.close()
            u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.settimeout(10); u.sendto(b'hi', (h, p))
            print('udp', u.recv(100).decode())
            """;

    @Test
    void aForwardedClientFromAnotherMachineIsSeenFromItsOwnAddressAndOneOnLoopbackFromTheGateway() throws Exception {
        Requirements.rootWithTap("ip", "nsenter", "python3");
        // The gateway runs in a namespace of its own (the "host"); the client is a third machine
        // on a veth link to it, 192.168.77.2 -> 192.168.77.1.
        try (Netns host = Netns.create(); Netns guest = Netns.create(); Netns client = Netns.create()) {
            String hostEnd = Netns.uniqueTapName();
            String clientEnd = Netns.uniqueTapName();
            host.exec("ip", "link", "add", hostEnd, "type", "veth", "peer", "name", clientEnd, "netns", client.name());
            host.exec("ip", "addr", "add", "192.168.77.1/24", "dev", hostEnd);
            host.exec("ip", "link", "set", hostEnd, "up");
            client.exec("ip", "addr", "add", "192.168.77.2/24", "dev", clientEnd);
            client.exec("ip", "link", "set", clientEnd, "up");
            Background gateway = host.spawn(Jns.command("gateway", "--netns", "/run/netns/" + guest.name(),
                    "--forward", "tcp:0.0.0.0:7000:7000", "--forward", "udp:0.0.0.0:7000:7000"));
            gateway.awaitLine(l -> l.startsWith("jns gateway: forward udp"), Duration.ofSeconds(60));
            guest.spawn("python3", "-c", TELL_PEER, "7000").awaitLine(l -> l.equals("listening"), Duration.ofSeconds(30));

            String far = client.exec("python3", "-c", ASK_PEER, "192.168.77.1", "7000");
            assertThat(far).as("the server in the namespace sees the client's own address")
                    .contains("tcp from 192.168.77.2").contains("udp from 192.168.77.2");
            String near = host.exec("python3", "-c", ASK_PEER, "127.0.0.1", "7000");
            assertThat(near).as("a client on the host's loopback appears from the gateway")
                    .contains("tcp from 10.0.2.2").contains("udp from 10.0.2.2");
            gateway.close();

            Background hiding = host.spawn(Jns.command("gateway", "--netns", "/run/netns/" + guest.name(),
                    "--netns-if", "tap1", "--forward", "tcp:0.0.0.0:7001:7000", "--forward-from-gateway"));
            hiding.awaitLine(l -> l.startsWith("jns gateway: forward"), Duration.ofSeconds(60));
            String hidden = client.exec("python3", "-c", ASK_PEER.replace("print('udp'", "0 and print('udp'"), "192.168.77.1", "7001");
            assertThat(hidden).as("--forward-from-gateway hides the client's address").contains("tcp from 10.0.2.2");
        }
    }

    /** The command of the gateway's DNS hint (the indented line after "DNS:"), as printed. */
    static String hintCommand(String gatewayOutput) {
        return gatewayOutput.lines().filter(l -> l.startsWith("jns gateway:   ")).findFirst()
                .map(l -> l.substring("jns gateway:   ".length()))
                .orElseThrow(() -> new AssertionError("no DNS hint in the gateway's output:\n" + gatewayOutput));
    }

    /** GET through the forward, retried while the namespace's server starts; the body's sha256. */
    private static String fetchThroughForward(int port, String path) throws Exception {
        AssertionError last = null;
        for (int attempt = 0; attempt < 50; attempt++) {
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                s.getOutputStream().write(("GET " + path + " HTTP/1.0\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                byte[] all = s.getInputStream().readAllBytes();
                String head = new String(all, 0, Math.min(all.length, 200), StandardCharsets.ISO_8859_1);
                int body = indexOf(all, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                if (head.startsWith("HTTP/1.0 200") && body > 0) {
                    MessageDigest md = MessageDigest.getInstance("SHA-256");
                    md.update(all, body + 4, all.length - body - 4);
                    return HexFormat.of().formatHex(md.digest());
                }
                last = new AssertionError("no 200 through the forward: " + head);
            } catch (java.io.IOException e) {
                last = new AssertionError("through the forward: " + e, e);
            }
            Thread.sleep(200);
        }
        throw last;
    }

    private static int indexOf(byte[] a, byte[] b) {
        outer:
        for (int i = 0; i + b.length <= a.length; i++) {
            for (int j = 0; j < b.length; j++) {
                if (a[i + j] != b[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static void awaitListening(int port) throws InterruptedException {
        for (int i = 0; i < 100; i++) {
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                return;
            } catch (java.io.IOException e) {
                Thread.sleep(100);
            }
        }
        throw new AssertionError("the host's http.server did not start on port " + port);
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

    private static int freePort() throws java.io.IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
