package org.jnetstack.apps.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import java.util.function.LongConsumer;
import javax.net.SocketFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import okhttp3.Dns;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.BufferedSink;
import org.jnetstack.dns.NameResolver;

/**
 * HTTP/1.1 and HTTPS over the stack: OkHttp with the stack's {@link SocketFactory} and
 * {@link NameResolver}, so every byte goes through our TCP and every name through our resolver;
 * TLS is JSSE layered on our sockets, with the JDK's trust store, a given CA file, or (insecure,
 * on request) none. OkHttp follows redirects, decodes chunked bodies and keeps connections alive
 * between requests of one {@code HttpTransfer}. Bodies stream both ways in 64 KiB steps: memory
 * does not grow with their size.
 */
public final class HttpTransfer {
    private static final int CHUNK = 64 * 1024;

    /** How TLS certificates are checked. */
    public record Tls(Path caCertificates, boolean insecure) {
        public static final Tls DEFAULT = new Tls(null, false);
    }

    private final OkHttpClient client;

    public HttpTransfer(SocketFactory sockets, NameResolver resolver, Tls tls) throws IOException {
        OkHttpClient.Builder b = new OkHttpClient.Builder()
                .socketFactory(sockets)
                .dns(dns(resolver))
                .followRedirects(true)
                .followSslRedirects(true)
                .retryOnConnectionFailure(false);
        try {
            if (tls.insecure()) {
                X509TrustManager all = trustAll();
                SSLContext ctx = SSLContext.getInstance("TLS");
                ctx.init(null, new TrustManager[] {all}, null);
                b.sslSocketFactory(ctx.getSocketFactory(), all).hostnameVerifier((host, session) -> true);
            } else if (tls.caCertificates() != null) {
                X509TrustManager tm = trustOnly(tls.caCertificates());
                SSLContext ctx = SSLContext.getInstance("TLS");
                ctx.init(null, new TrustManager[] {tm}, null);
                b.sslSocketFactory(ctx.getSocketFactory(), tm);
            }
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot set up TLS: " + e.getMessage(), e);
        }
        this.client = b.build();
    }

    /** OkHttp asks for names through our resolver (never the host's). */
    private static Dns dns(NameResolver resolver) {
        return host -> {
            List<InetAddress> a = resolver.resolve(host);
            if (a.isEmpty()) {
                throw new UnknownHostException(host + ": no address");
            }
            return a;
        };
    }

    /** Trusts exactly the certificates in a PEM (or DER) file, like curl's {@code --cacert}. */
    static X509TrustManager trustOnly(Path pem) throws IOException, GeneralSecurityException {
        Collection<? extends Certificate> certs;
        try (InputStream in = Files.newInputStream(pem)) {
            certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
        }
        if (certs.isEmpty()) {
            throw new IOException(pem + " holds no certificate (expected PEM: -----BEGIN CERTIFICATE-----)");
        }
        KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
        ks.load(null, null);
        int i = 0;
        for (Certificate c : certs) {
            ks.setCertificateEntry("ca" + i++, c);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        for (TrustManager tm : tmf.getTrustManagers()) {
            if (tm instanceof X509TrustManager x) {
                return x;
            }
        }
        throw new GeneralSecurityException("no X.509 trust manager");
    }

    /** -k: accepts any certificate and any host name (the connection is encrypted, not authenticated). */
    private static X509TrustManager trustAll() {
        return new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        };
    }

    /** A body to send: bytes in memory, or a file streamed from disk. */
    public sealed interface Body {
        record Bytes(byte[] data, String contentType) implements Body {
        }

        record FromFile(Path file, String contentType) implements Body {
        }
    }

    /**
     * Sends one request and returns the response, whose body the caller streams and closes.
     *
     * @param progress told the bytes uploaded so far (may be null)
     */
    public Response execute(String method, String url, List<String[]> headers, Body body, LongConsumer progress)
            throws IOException {
        Request.Builder r = new Request.Builder().url(url);
        for (String[] h : headers) {
            r.addHeader(h[0], h[1]);
        }
        r.method(method, body == null ? null : requestBody(body, progress));
        return client.newCall(r.build()).execute();
    }

    private static RequestBody requestBody(Body body, LongConsumer progress) {
        return switch (body) {
            case Body.Bytes b -> new StreamingBody(b.contentType(), b.data().length, progress) {
                @Override
                InputStream open() {
                    return new java.io.ByteArrayInputStream(b.data());
                }
            };
            case Body.FromFile f -> new StreamingBody(f.contentType(), sizeOf(f.file()), progress) {
                @Override
                InputStream open() throws IOException {
                    return Files.newInputStream(f.file());
                }
            };
        };
    }

    private static long sizeOf(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            return -1; // chunked upload
        }
    }

    /** Copies its source to the connection in 64 KiB steps; may be replayed (on a redirect that keeps the body). */
    private abstract static class StreamingBody extends RequestBody {
        private final MediaType type;
        private final long length;
        private final LongConsumer progress;

        StreamingBody(String contentType, long length, LongConsumer progress) {
            this.type = contentType == null ? null : MediaType.parse(contentType);
            this.length = length;
            this.progress = progress;
        }

        abstract InputStream open() throws IOException;

        @Override
        public MediaType contentType() {
            return type;
        }

        @Override
        public long contentLength() {
            return length;
        }

        @Override
        public void writeTo(BufferedSink sink) throws IOException {
            byte[] buf = new byte[CHUNK];
            long sent = 0;
            try (InputStream in = open()) {
                int n;
                while ((n = in.read(buf)) > 0) {
                    sink.write(buf, 0, n);
                    sent += n;
                    if (progress != null) {
                        progress.accept(sent);
                    }
                }
            }
        }
    }

    /** Copies {@code in} to {@code out} in 64 KiB steps, telling {@code progress} the total so far. */
    public static long copy(InputStream in, OutputStream out, LongConsumer progress) throws IOException {
        byte[] buf = new byte[CHUNK];
        long total = 0;
        int n;
        while ((n = in.read(buf)) > 0) {
            out.write(buf, 0, n);
            total += n;
            if (progress != null) {
                progress.accept(total);
            }
        }
        return total;
    }

    /** Releases pooled connections and threads. */
    public void close() {
        client.dispatcher().executorService().shutdown();
        client.connectionPool().evictAll();
    }
}
