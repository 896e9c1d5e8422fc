package org.jnetstack.apps.cli;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import okhttp3.Response;
import org.jnetstack.apps.http.HttpTransfer;
import org.jnetstack.apps.http.ProgressBar;
import org.jnetstack.socket.jdk.StackSocketFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code jns http}: a curl-like HTTP/HTTPS client over the stack. */
@Command(name = "http",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        sortOptions = false,
        separator = " ",
        header = "Fetch or send a URL over the stack (HTTP/1.1, HTTPS), like curl.",
        description = {
            "GET by default; -d or -T send a body (POST or PUT unless -X says otherwise). Follows redirects,"
                + " decodes chunked bodies, keeps the connection alive, checks HTTPS certificates against the"
                + " JDK's trust store or --cacert. Bodies of any size stream in constant memory; a progress"
                + " bar shows on a terminal when -o writes to a file. The body goes to standard output or -o"
                + " FILE. Exit status 0 on any HTTP answer (22 with --fail on 400 and above), 1 when no answer.",
            ""
        },
        footer = {
            "",
            "Without root, on the user-mode network (10.0.2.2 is the host; this fetches from its 127.0.0.1:8000):",
            "  ./jns http http://10.0.2.2:8000/",
            "Example, as root, with a web server on the kernel's side of jns0 at 10.0.0.1:",
            "  ./jns http --tap jns0 --ip 10.0.0.2/24 http://10.0.0.1:8000/",
            "  ./jns http --tap jns0 --ip 10.0.0.2/24 -H 'Content-Type: application/json' -d '{\"a\":1}' http://10.0.0.1:8000/api",
            "Over IPv6 (the kernel side at fd00::1/64); a name with both A and AAAA is tried over both families at once:",
            "  ./jns http --tap jns0 --ip6 fd00::2/64 http://[fd00::1]:8000/"
        })
final class HttpCommand implements Callable<Integer> {
    /** curl's exit status for an HTTP error with --fail. */
    static final int HTTP_ERROR = 22;

    @Spec
    CommandSpec spec;

    @Mixin
    StackOptions stackOptions;

    @Option(names = {"-X", "--request"}, paramLabel = "METHOD", description = "Request method (default GET, or POST with -d, PUT with -T).")
    String method;

    @Option(names = {"-H", "--header"}, paramLabel = "'NAME: VALUE'", description = "Add a request header (repeatable).")
    List<String> headers = new ArrayList<>();

    @Option(names = {"-d", "--data"}, paramLabel = "DATA|@FILE",
            description = "Send DATA, or the bytes of FILE with @FILE (as is, like curl --data-binary), as the body.")
    String data;

    @Option(names = {"-T", "--upload-file"}, paramLabel = "FILE", description = "Send FILE as the body, streamed (PUT).")
    Path upload;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write the body to FILE instead of standard output.")
    Path output;

    @Option(names = "--cacert", paramLabel = "FILE", description = "Trust only the CA certificates in FILE (PEM).")
    Path cacert;

    @Option(names = {"-k", "--insecure"}, description = "Do not check the server's certificate or name (encrypted, not authenticated).")
    boolean insecure;

    @Option(names = {"-i", "--include"}, description = "Write the status line and response headers before the body.")
    boolean include;

    @Option(names = {"-f", "--fail"}, description = "Exit with status 22, writing no body, when the server answers 400 or above.")
    boolean fail;

    @Parameters(paramLabel = "URL", description = "http:// or https:// URL; an IPv6 address in brackets: http://[fd00::1]:8000/.")
    String url;

    /** Where the body goes when there is no -o (tests replace it). */
    OutputStream stdout = new FileOutputStream(FileDescriptor.out);

    @Override
    public Integer call() throws Exception {
        stackOptions.validate();
        if (!url.startsWith("http://") && !url.startsWith("https://")) {
            throw new ParameterException(spec.commandLine(), "URL '" + url + "' must start with http:// or https://");
        }
        checkHost();
        if (data != null && upload != null) {
            throw new ParameterException(spec.commandLine(), "Give either -d or -T, not both.");
        }
        if (insecure && cacert != null) {
            throw new ParameterException(spec.commandLine(), "Give either -k or --cacert, not both.");
        }
        List<String[]> hs = new ArrayList<>();
        for (String h : headers) {
            int colon = h.indexOf(':');
            if (colon <= 0) {
                throw new ParameterException(spec.commandLine(), "Header '" + h + "' must look like 'Name: value'.");
            }
            hs.add(new String[] {h.substring(0, colon).trim(), h.substring(colon + 1).trim()});
        }
        HttpTransfer.Body body = body(hs);
        String m = method != null ? method.toUpperCase(java.util.Locale.ROOT) : upload != null ? "PUT" : data != null ? "POST" : "GET";
        PrintWriter err = spec.commandLine().getErr();
        boolean progress = output != null && ProgressBar.onTerminal();
        try (StackLauncher launcher = StackLauncher.start(stackOptions, "http", null)) {
            HttpTransfer http = new HttpTransfer(StackSocketFactory.of(launcher.stack()), launcher.resolver(),
                    new HttpTransfer.Tls(cacert, insecure));
            try {
                return launcher.runUntilFailure(() -> {
                    try {
                        return transfer(http, m, hs, body, err, progress);
                    } catch (javax.net.ssl.SSLException e) {
                        throw new IOException(explain(e));
                    }
                });
            } finally {
                http.close();
            }
        }
    }

    private int transfer(HttpTransfer http, String m, List<String[]> hs, HttpTransfer.Body body, PrintWriter err,
            boolean progress) throws IOException {
        ProgressBar up = progress && body != null ? new ProgressBar(err, "upload  ") : null;
        try (Response r = http.execute(m, url, hs, body, up)) {
            if (up != null) {
                up.finish();
            }
            if (fail && r.code() >= 400) {
                err.println("jns: the server answered " + r.code() + " " + r.message());
                return HTTP_ERROR;
            }
            try (OutputStream out = output != null ? new BufferedOutputStream(Files.newOutputStream(output)) : stdout) {
                if (include) {
                    StringBuilder sb = new StringBuilder();
                    sb.append(r.protocol().toString().toUpperCase(java.util.Locale.ROOT)).append(' ').append(r.code())
                            .append(' ').append(r.message()).append("\r\n");
                    r.headers().forEach(p -> sb.append(p.getFirst()).append(": ").append(p.getSecond()).append("\r\n"));
                    out.write(sb.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
                }
                ProgressBar down = progress ? new ProgressBar(err, "download") : null;
                if (down != null) {
                    down.total(r.body().contentLength());
                }
                try (InputStream in = r.body().byteStream()) {
                    HttpTransfer.copy(in, out, down);
                }
                if (down != null) {
                    down.finish();
                }
                out.flush();
            }
            return 0;
        }
    }

    /**
     * What a failed TLS handshake means for the user, and what to do: JSSE's own words
     * ("PKIX path building failed: ...") name an internal class, not the problem.
     */
    private String explain(javax.net.ssl.SSLException e) {
        String host = java.net.URI.create(url).getHost();
        String trusted = cacert != null ? "the CA certificates in " + cacert : "the JDK's trusted CAs";
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof java.security.cert.CertificateExpiredException) {
                return "the certificate of " + host + " has expired (" + c.getMessage() + "); -k skips the check";
            }
            if (c instanceof java.security.cert.CertPathBuilderException
                    || c instanceof java.security.cert.CertPathValidatorException) {
                return "the certificate of " + host + " is not trusted: it is not signed by any of " + trusted
                        + " (give its CA with --cacert FILE, or -k to skip the check)";
            }
        }
        if (e instanceof javax.net.ssl.SSLPeerUnverifiedException) {
            return "the certificate of " + host + " is not for that name: " + e.getMessage() + " (-k skips the check)";
        }
        return "TLS with " + host + " failed: " + e.getMessage();
    }

    /**
     * The URL's host must be a name, an IPv4 address or an IPv6 address in brackets
     * ({@code http://[fd00::1]:8000/}, RFC 3986 §3.2.2); anything else is refused naming those forms.
     */
    private void checkHost() {
        String rest = url.substring(url.indexOf("//") + 2);
        int end = rest.length();
        for (char c : new char[] {'/', '?', '#'}) {
            int i = rest.indexOf(c);
            if (i >= 0 && i < end) {
                end = i;
            }
        }
        String authority = rest.substring(rest.lastIndexOf('@', end - 1) + 1, end);
        String host;
        if (authority.startsWith("[")) {
            int close = authority.indexOf(']');
            host = close < 0 ? authority : authority.substring(0, close + 1);
            String after = close < 0 ? "" : authority.substring(close + 1);
            if (close < 0 || !(after.isEmpty() || after.matches(":[0-9]{1,5}"))) {
                throw new ParameterException(spec.commandLine(), "URL '" + url + "': an IPv6 address goes in brackets,"
                        + " optionally followed by :PORT, like http://[fd00::1]:8000/");
            }
        } else {
            int colon = authority.indexOf(':');
            if (colon >= 0 && authority.indexOf(':', colon + 1) >= 0) {
                throw new ParameterException(spec.commandLine(), "URL '" + url + "': an IPv6 address must be written in"
                        + " brackets, like http://[fd00::1]:8000/");
            }
            host = colon < 0 ? authority : authority.substring(0, colon);
        }
        try {
            HostTarget.parse(host);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "URL '" + url + "': " + e.getMessage());
        }
    }

    private HttpTransfer.Body body(List<String[]> hs) {
        String type = hs.stream().filter(h -> h[0].equalsIgnoreCase("Content-Type")).map(h -> h[1]).findFirst().orElse(null);
        if (upload != null) {
            requireReadable(upload);
            return new HttpTransfer.Body.FromFile(upload, type);
        }
        if (data == null) {
            return null;
        }
        String t = type != null ? type : "application/x-www-form-urlencoded";
        if (data.startsWith("@")) {
            Path p = Path.of(data.substring(1));
            requireReadable(p);
            return new HttpTransfer.Body.FromFile(p, t);
        }
        return new HttpTransfer.Body.Bytes(data.getBytes(StandardCharsets.UTF_8), t);
    }

    private void requireReadable(Path p) {
        if (!Files.isReadable(p) || Files.isDirectory(p)) {
            throw new ParameterException(spec.commandLine(), "Cannot read '" + p + "': expected a readable file.");
        }
    }
}
