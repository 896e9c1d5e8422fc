package org.jnetstack.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.jnetstack.testing.CommandResult;
import org.jnetstack.testing.Netns;

/** A test certificate authority and server certificates made with openssl, and a TLS server in python. */
final class TestCertificates {
    private TestCertificates() {
    }

    /** python's http.server behind TLS: serves DIR on ADDR:PORT with CERT and KEY. */
    static final String TLS_SERVER = """
            import functools, http.server, ssl, sys
            addr, port, directory, cert, key = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
            handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=directory)
            srv = http.server.ThreadingHTTPServer((addr, port), handler)
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(cert, key)
            srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
            print("LISTENING", flush=True)
            srv.serve_forever()
            """;

    /** A self-signed CA: DIR/NAME.pem (certificate) and DIR/NAME.key. */
    static Path certificateAuthority(Path dir, String name) {
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=jnetstack test " + name,
                "-keyout", dir.resolve(name + ".key").toString(), "-out", dir.resolve(name + ".pem").toString());
        return dir.resolve(name + ".pem");
    }

    /** DIR/server.pem for {@code ip} (subjectAltName IP), signed by DIR/ca; its key in DIR/server.key. */
    static void serverCertificate(Path dir, String ip) throws IOException {
        Path ext = Files.writeString(dir.resolve("san.ext"), "subjectAltName = IP:" + ip + "\n");
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=" + ip, "-keyout", dir.resolve("server.key").toString(),
                "-out", dir.resolve("server.csr").toString());
        openssl("x509", "-req", "-in", dir.resolve("server.csr").toString(), "-CA", dir.resolve("ca.pem").toString(),
                "-CAkey", dir.resolve("ca.key").toString(), "-CAcreateserial", "-CAserial", dir.resolve("ca.srl").toString(),
                "-days", "2", "-extfile", ext.toString(), "-out", dir.resolve("server.pem").toString());
    }

    private static void openssl(String... args) {
        List<String> cmd = new java.util.ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        CommandResult r = Netns.runCommand(Duration.ofMinutes(2), cmd);
        assertThat(r.exitStatus()).as(r.describe()).isZero();
    }
}
