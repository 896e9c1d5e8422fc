package org.jnetstack.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.jnetstack.examples.CloudClient;
import org.jnetstack.socket.jdk.StackSocketFactory;
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
 * The stack's HTTP clients against servers on the kernel's side of a TAP: {@code jns http} over
 * HTTPS to python's TLS server (a CA and a certificate for the server's address made with
 * openssl at test time) with {@code --cacert}, with {@code -k}, and refused with a clear message
 * under the wrong CA; and the {@code cloud} example (OkHttp + Jackson on the stack's
 * SocketFactory) against a python REST service that checks the OAuth 2 bearer token.
 */
class ClientsAgainstKernelServersTest {
    private static final String KERNEL = "10.0.0.1";
    private static final String STACK = "10.0.0.2";
    private static final Duration TIMEOUT = Duration.ofMinutes(2);

    /** A timeline service: POST /statuses and GET /timeline, JSON, only with "Authorization: Bearer TOKEN". */
    private static final String CLOUD_SERVER = """
            import json, sys
            from http.server import ThreadingHTTPServer, BaseHTTPRequestHandler
            addr, port, token = sys.argv[1], int(sys.argv[2]), sys.argv[3]
            posts = []
            class Handler(BaseHTTPRequestHandler):
                protocol_version = "HTTP/1.1"
                def reply(self, code, obj, extra=()):
                    body = json.dumps(obj).encode()
                    self.send_response(code)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    for k, v in extra:
                        self.send_header(k, v)
                    self.end_headers()
                    self.wfile.write(body)
                def authorized(self):
                    if self.headers.get("Authorization") == "Bearer " + token:
                        return True
                    print("REFUSED", self.headers.get("Authorization"), flush=True)
                    self.reply(401, {"error": "invalid_token"}, [("WWW-Authenticate", 'Bearer error="invalid_token"')])
                    return False
                def do_POST(self):
                    data = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                    if not self.authorized():
                        return
                    if self.path != "/statuses" or not self.headers.get("Content-Type", "").startswith("application/json"):
                        return self.reply(400, {"error": "expected JSON at /statuses"})
                    post = {"id": len(posts) + 1, "user": "jns", "text": json.loads(data)["text"]}
                    posts.insert(0, post)
                    print("POSTED", post["id"], flush=True)
                    self.reply(201, post)
                def do_GET(self):
                    if not self.authorized():
                        return
                    if self.path != "/timeline":
                        return self.reply(404, {"error": "not found"})
                    self.reply(200, posts)
                def log_message(self, *args):
                    pass
            srv = ThreadingHTTPServer((addr, port), Handler)
            print("LISTENING", flush=True)
            srv.serve_forever()
            """;

    @BeforeAll
    static void needsRootPythonAndOpenssl() {
        Requirements.rootWithTap("ip", "sysctl", "python3", "openssl");
    }

    @AfterAll
    static void nothingLeftBehind() {
        assertThat(Netns.leftovers()).isEmpty();
        assertThat(Netns.leftoverRootLinks()).isEmpty();
    }

    @Test
    void jnsHttpOverHttpsChecksTheCertificate(@TempDir Path dir) throws Exception {
        Path site = Files.createDirectory(dir.resolve("site"));
        Path data = KernelTcp.randomFile(site, "data.bin", 2_000_000, 91);
        Path ca = TestCertificates.certificateAuthority(dir, "ca");
        Path wrongCa = TestCertificates.certificateAuthority(dir, "wrong-ca");
        TestCertificates.serverCertificate(dir, KERNEL);
        try (Netns ns = Netns.create()) {
            String tap = Netns.uniqueTapName();
            ns.createTap(tap, KERNEL + "/24");
            Path script = KernelTcp.script(dir, "tls_server.py", TestCertificates.TLS_SERVER);
            Background server = ns.spawn("python3", script.toString(), KERNEL, "8443", site.toString(),
                    dir.resolve("server.pem").toString(), dir.resolve("server.key").toString());
            server.awaitLine(line -> line.equals("LISTENING"), Duration.ofSeconds(30));
            String url = "https://" + KERNEL + ":8443/data.bin";

            Path got = dir.resolve("got.bin");
            CommandResult r = http(ns, tap, "--cacert", ca.toString(), "-o", got.toString(), url);
            assertThat(r.exitStatus()).as(r.describe()).isZero();
            assertThat(KernelTcp.sha256(got)).isEqualTo(KernelTcp.sha256(data));
            noConnectionLeftOpen(ns, 8443);

            r = http(ns, tap, "--cacert", wrongCa.toString(), "-o", dir.resolve("not.bin").toString(), url);
            assertThat(r.exitStatus()).as(r.describe()).isEqualTo(1);
            assertThat(r.stderr().trim()).isEqualTo("jns: the certificate of " + KERNEL + " is not trusted: it is not signed by"
                    + " any of the CA certificates in " + wrongCa + " (give its CA with --cacert FILE, or -k to skip the check)");
            assertThat(dir.resolve("not.bin")).doesNotExist();
            // The refused handshake was ended, not abandoned: python's server does its TLS
            // handshakes in its accepting thread, and one left waiting on us serves nobody else.
            noConnectionLeftOpen(ns, 8443);

            r = http(ns, tap, "-k", "-o", got.toString(), url);
            assertThat(r.exitStatus()).as(r.describe()).isZero();
            assertThat(KernelTcp.sha256(got)).isEqualTo(KernelTcp.sha256(data));
            noConnectionLeftOpen(ns, 8443);
        }
    }

    @Test
    void cloudExamplePostsAndReadsTheTimelineWithItsBearerToken(@TempDir Path dir) throws Exception {
        String token = "tok-" + Long.toHexString(System.nanoTime());
        try (Netns ns = Netns.create(); EmbeddedTcp e = new EmbeddedTcp(ns, STACK, KERNEL, TcpConfig.defaults(), t -> t)) {
            e.start();
            Path script = KernelTcp.script(dir, "cloud_server.py", CLOUD_SERVER);
            Background server = ns.spawn("python3", script.toString(), KERNEL, "8000", token);
            server.awaitLine(line -> line.equals("LISTENING"), Duration.ofSeconds(30));
            String base = "http://" + KERNEL + ":8000";

            CloudClient cloud = new CloudClient(StackSocketFactory.of(e.stack), base, token);
            try {
                assertThat(cloud.post("hello from jnetstack")).isEqualTo(new CloudClient.Post(1, "jns", "hello from jnetstack"));
                assertThat(cloud.post("ünïcode ✓")).isEqualTo(new CloudClient.Post(2, "jns", "ünïcode ✓"));
                assertThat(cloud.timeline()).containsExactly(
                        new CloudClient.Post(2, "jns", "ünïcode ✓"), new CloudClient.Post(1, "jns", "hello from jnetstack"));
            } finally {
                cloud.close();
            }

            CloudClient intruder = new CloudClient(StackSocketFactory.of(e.stack), base, "not-" + token);
            try {
                assertThatThrownBy(() -> intruder.post("let me in")).isInstanceOf(IOException.class)
                        .hasMessage("the service answered 401 Unauthorized (is the token right?)");
            } finally {
                intruder.close();
            }
            server.awaitLine(line -> line.equals("REFUSED Bearer not-" + token), Duration.ofSeconds(10));
            assertThat(server.output().lines().filter(l -> l.startsWith("POSTED")).toList())
                    .as("only the two posts with the right token").isEqualTo(List.of("POSTED 1", "POSTED 2"));
        }
    }

    /**
     * Once a {@code jns} command has exited, no connection of the kernel's on {@code port} is
     * still established: the command's stack ended each one (FIN or RST) before it stopped.
     */
    private static void noConnectionLeftOpen(Netns ns, int port) throws InterruptedException {
        String[] ss = {"ss", "-Htn", "state", "established", "( sport = :" + port + " )"};
        String open = ns.exec(ss).trim();
        for (int i = 0; i < 50 && !open.isEmpty(); i++) { // the kernel handles our last segments in softirq
            Thread.sleep(100);
            open = ns.exec(ss).trim();
        }
        assertThat(open).as("kernel connections on port " + port + " still established").isEmpty();
    }

    private static CommandResult http(Netns ns, String tap, String... args) {
        String[] base = Jns.command("http", "--tap", tap, "--ip", STACK + "/24");
        String[] cmd = new String[base.length + args.length];
        System.arraycopy(base, 0, cmd, 0, base.length);
        System.arraycopy(args, 0, cmd, base.length, args.length);
        return ns.run(TIMEOUT, cmd);
    }

}
