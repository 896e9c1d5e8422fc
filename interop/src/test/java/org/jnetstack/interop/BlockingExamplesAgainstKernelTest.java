package org.jnetstack.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import org.jnetstack.examples.BlockingHttpGet;
import org.jnetstack.examples.DnsClient;
import org.jnetstack.examples.HelloHttpd;
import org.jnetstack.examples.OneFileTftpServer;
import org.jnetstack.socket.Sockets;
import org.jnetstack.socket.TcpServerSocket;
import org.jnetstack.socket.UdpSocket;
import org.jnetstack.tcp.TcpConfig;
import org.jnetstack.testing.Background;
import org.jnetstack.testing.CommandResult;
import org.jnetstack.testing.Netns;
import org.jnetstack.testing.Requirements;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The uSock samples on blocking sockets with the kernel's tools as peers over a TAP: curl against
 * HelloHttpd, BlockingHttpGet from python's http.server, tftp-hpa from OneFileTftpServer, and
 * DnsClient asking dnsmasq.
 */
class BlockingExamplesAgainstKernelTest {
    private static final String KERNEL = "10.0.0.1";
    private static final String STACK = "10.0.0.2";

    @BeforeAll
    static void needsRoot() {
        Requirements.rootWithTap("ip", "sysctl", "python3", "curl", "tftp", "dnsmasq");
    }

    @AfterAll
    static void nothingLeftBehind() {
        assertThat(Netns.leftovers()).isEmpty();
        assertThat(Netns.leftoverRootLinks()).isEmpty();
    }

    @Test
    void curlGetsHelloFromHelloHttpd() throws Exception {
        try (Netns ns = Netns.create(); EmbeddedTcp e = new EmbeddedTcp(ns, STACK, KERNEL, TcpConfig.defaults(), t -> t)) {
            e.start();
            try (TcpServerSocket server = Sockets.of(e.stack).listen(80)) {
                Thread.startVirtualThread(() -> HelloHttpd.serve(server));
                // Three requests, one connection each, and a HEAD.
                CommandResult get = ns.run(Duration.ofSeconds(60), "curl", "-sS", "--max-time", "20",
                        "http://" + STACK + "/", "http://" + STACK + "/a", "http://" + STACK + "/b");
                assertThat(get.exitStatus()).as(get.describe()).isZero();
                assertThat(get.stdout()).isEqualTo("Hello, world!\n".repeat(3));
                CommandResult head = ns.run(Duration.ofSeconds(60), "curl", "-sS", "-I", "--max-time", "20", "http://" + STACK + "/");
                assertThat(head.exitStatus()).as(head.describe()).isZero();
                assertThat(head.stdout()).startsWith("HTTP/1.0 200 OK").contains("Content-Length: 14");
            }
        }
    }

    @Test
    void blockingHttpGetFetchesFromPythonsHttpServer(@TempDir Path dir) throws Exception {
        byte[] body = new byte[1_500_000];
        new java.util.Random(21).nextBytes(body);
        Files.write(dir.resolve("blob.bin"), body);
        try (Netns ns = Netns.create(); EmbeddedTcp e = new EmbeddedTcp(ns, STACK, KERNEL, TcpConfig.defaults(), t -> t)) {
            e.start();
            JavaNetAdaptersAgainstKernelTest.pythonHttpServer(ns, dir, KERNEL, 8000);
            byte[] response = BlockingHttpGet.get(Sockets.of(e.stack), URI.create("http://" + KERNEL + ":8000/blob.bin"));
            String text = new String(response, StandardCharsets.ISO_8859_1);
            int headEnd = text.indexOf("\r\n\r\n");
            assertThat(text).startsWith("HTTP/1.0 200 OK\r\n").contains("Content-Length: " + body.length + "\r\n");
            assertThat(Arrays.copyOfRange(response, headEnd + 4, response.length)).isEqualTo(body);
        }
    }

    @Test
    void tftpHpaGetsTheOneFile(@TempDir Path dir) throws Exception {
        byte[] content = new byte[300_000];
        new java.util.Random(22).nextBytes(content);
        Path got = dir.resolve("got.bin");
        try (Netns ns = Netns.create(); EmbeddedTcp e = new EmbeddedTcp(ns, STACK, KERNEL, TcpConfig.defaults(), t -> t)) {
            e.start();
            try (UdpSocket requests = new UdpSocket(e.stack, 69)) {
                Thread.startVirtualThread(() -> new OneFileTftpServer(e.stack, "boot.img", content).serve(requests));
                CommandResult r = ns.run(Duration.ofSeconds(120), "sh", "-c",
                        "printf 'binary\\nrexmt 1\\nget boot.img " + got + "\\nquit\\n' | tftp " + STACK);
                assertThat(r.exitStatus()).as(r.describe()).isZero();
                assertThat(r.stdout() + r.stderr()).as(r.describe()).doesNotContain("Error").doesNotContain("timed out");
                assertThat(Files.readAllBytes(got)).isEqualTo(content);
                CommandResult missing = ns.run(Duration.ofSeconds(60), "sh", "-c",
                        "printf 'binary\\nget other.img " + dir.resolve("x") + "\\nquit\\n' | tftp " + STACK);
                assertThat(missing.stdout() + missing.stderr()).contains("File not found");
            }
        }
    }

    @Test
    void dnsClientAsksDnsmasq(@TempDir Path dir) throws Exception {
        try (Netns ns = Netns.create(); EmbeddedTcp e = new EmbeddedTcp(ns, STACK, KERNEL, TcpConfig.defaults(), t -> t)) {
            e.start();
            Background dnsmasq = ns.spawn("dnsmasq", "--keep-in-foreground", "--conf-file=/dev/null",
                    "--pid-file=" + dir.resolve("dnsmasq.pid"), "--interface=" + e.tapName, "--bind-interfaces",
                    "--log-facility=-", "--no-resolv", "--no-hosts", "--local=/test/",
                    "--host-record=web.test,10.9.9.10", "--cname=www.test,web.test");
            dnsmasq.awaitLine(l -> l.contains("started"), Duration.ofSeconds(30));
            try (UdpSocket s = new UdpSocket(e.stack)) {
                InetAddress server = InetAddress.getByName(KERNEL);
                assertThat(DnsClient.lookup(s, server, "www.test")).containsExactly("www.test CNAME web.test", "web.test A 10.9.9.10");
                org.assertj.core.api.Assertions.assertThatThrownBy(() -> DnsClient.lookup(s, server, "nothing.test"))
                        .hasMessage("nothing.test: no such name (NXDOMAIN)");
            }
        }
    }
}
