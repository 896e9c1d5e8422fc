package org.jnetstack.apps.httpd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ServerSocketFactory;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.InputStreamEntity;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.jnetstack.apps.appliance.ApplianceConfig;
import org.jnetstack.apps.appliance.ConfigException;
import org.jnetstack.apps.appliance.ConfigReader;
import org.jnetstack.apps.appliance.TomlDocument;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What a hostile client can make {@link StackHttpServer} hold, tried as the client would, with raw
 * sockets on loopback: an endless header line, too many headers, a head trickled a byte at a time,
 * and more connections than a source may have. Each is answered with its status and the server
 * keeps serving others.
 */
class StackHttpServerLimitsTest {
    private static final String BASE = "[interface]\nname = \"jns0\"\n[addressing]\naddress = \"10.0.0.2/24\"\n";
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private StackHttpServer server;
    private final List<Socket> clients = new ArrayList<>();

    private void start(HttpLimits limits) throws IOException {
        server = StackHttpServer.start(ServerSocketFactory.getDefault(), LOOPBACK, 0, limits, (req, res, ctx) -> {
            res.setCode(200);
            res.setEntity(req.getPath().equals("/endless")
                    ? new InputStreamEntity(new InputStream() {
                        @Override
                        public int read() {
                            return 'x';
                        }

                        @Override
                        public int read(byte[] b, int off, int len) {
                            java.util.Arrays.fill(b, off, off + len, (byte) 'x');
                            return len;
                        }
                    }, 1L << 30, ContentType.TEXT_PLAIN)
                    : new StringEntity("ok\n", ContentType.TEXT_PLAIN));
        });
    }

    @AfterEach
    void stop() throws IOException {
        for (Socket s : clients) {
            s.close();
        }
        if (server != null) {
            server.close();
        }
    }

    /** A connection from {@code source} (any 127/8 address is this machine's on Linux). */
    private Socket connect(String source) throws IOException {
        Socket s = new Socket();
        clients.add(s);
        s.bind(new InetSocketAddress(source, 0));
        s.connect(new InetSocketAddress(LOOPBACK, server.port()));
        s.setSoTimeout(20_000); // a broken server fails the test rather than hang it
        return s;
    }

    private static void write(Socket s, String text) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write(text.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    /** The status code of the response the server writes (or has written) on {@code s}. */
    private static int status(Socket s) throws IOException {
        String line = statusLine(s.getInputStream());
        return Integer.parseInt(line.substring(9, 12));
    }

    private static String statusLine(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new IOException("closed without an answer after '" + b + "'");
            }
            b.append((char) c);
        }
        return b.toString().trim();
    }

    private int get(String source) throws IOException {
        try (Socket s = connect(source)) {
            write(s, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            return status(s);
        }
    }

    /** Waits until the server has read what the clients sent: {@code n} connections wait for a request. */
    /** Waits until the server has accepted {@code open} connections, {@code idle} of them with nothing read. */
    /** Waits until {@code n} connections are in the middle of a request head (they cannot be evicted). */
    private void awaitHeadsInProgress(int n) throws InterruptedException {
        for (int i = 0; i < 4000 && server.headsInProgress() != n; i++) {
            Thread.sleep(5);
        }
        assertThat(server.headsInProgress()).isEqualTo(n);
    }

    private void awaitAccepted(int open, int idle) throws InterruptedException {
        for (int i = 0; i < 4000 && (server.openConnections() != open || server.idleConnections() != idle); i++) {
            Thread.sleep(5);
        }
        assertThat(server.openConnections()).isEqualTo(open);
        assertThat(server.idleConnections()).isEqualTo(idle);
    }

    /** Writes {@code chunk} over and over on its own thread until told to stop or the server closes. */
    private static AtomicBoolean keepWriting(Socket s, String prefix, String chunk, Duration pause) {
        AtomicBoolean stop = new AtomicBoolean();
        Thread.ofVirtual().start(() -> {
            try {
                write(s, prefix);
                while (!stop.get()) {
                    write(s, chunk);
                    if (!pause.isZero()) {
                        Thread.sleep(pause);
                    }
                }
            } catch (IOException | InterruptedException e) {
                // the server closed: what we expect
            }
        });
        return stop;
    }

    @Test
    void anEndlessHeaderLineIs431AndTheNextClientIsServed() throws Exception {
        start(HttpLimits.DEFAULTS);
        Socket bomb = connect("127.0.0.1");

        AtomicBoolean stop = keepWriting(bomb, "GET / HTTP/1.1\r\nHost: x\r\nX-Bomb: ", "a".repeat(4096), Duration.ZERO);
        int code = status(bomb);
        stop.set(true);

        assertThat(code).isEqualTo(431);
        assertThat(get("127.0.0.1")).isEqualTo(200);
        assertThat(server.counters()).containsEntry("tooLarge", 1L);
    }

    @Test
    void aHeaderLineJustUnderTheLimitIsServedOneAtItIsNot() throws Exception {
        start(HttpLimits.DEFAULTS);
        String prefix = "X-Long: ";
        Socket under = connect("127.0.0.1");
        write(under, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" + prefix
                + "a".repeat(8192 - prefix.length() - 2) + "\r\n\r\n"); // the line with its CR is 8191 bytes
        Socket at = connect("127.0.0.1");
        write(at, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" + prefix
                + "a".repeat(8192 - prefix.length() - 1) + "\r\n\r\n");

        assertThat(status(under)).isEqualTo(200);
        assertThat(status(at)).isEqualTo(431);
    }

    @Test
    void aHundredHeadersAreServedAHundredAndOneAre431() throws Exception {
        start(HttpLimits.DEFAULTS);
        StringBuilder hundred = new StringBuilder("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n");
        for (int i = 0; i < 98; i++) {
            hundred.append("X-H").append(i).append(": v\r\n");
        }
        Socket ok = connect("127.0.0.1");
        write(ok, hundred + "\r\n");
        Socket tooMany = connect("127.0.0.1");
        write(tooMany, hundred + "X-One-More: v\r\n\r\n");

        assertThat(status(ok)).isEqualTo(200);
        assertThat(status(tooMany)).isEqualTo(431);
    }

    @Test
    void aHeadOfManyLinesEachUnderTheLimitsIs431AtTheHeadByteLimit() throws Exception {
        start(HttpLimits.DEFAULTS);
        Socket s = connect("127.0.0.1");

        // 40 lines of 4 KiB: each line and the line count are within bounds, the whole head is not
        StringBuilder head = new StringBuilder("GET / HTTP/1.1\r\nHost: x\r\n");
        for (int i = 0; i < 40; i++) {
            head.append("X-Pad-").append(i).append(": ").append("a".repeat(4096)).append("\r\n");
        }
        AtomicBoolean stop = keepWriting(s, head.toString(), "", Duration.ofMillis(10));
        int code = status(s);
        stop.set(true);

        assertThat(code).isEqualTo(431);
        assertThat(server.counters()).containsEntry("tooLarge", 1L);
    }

    @Test
    void aTooLongRequestLineIs414() throws Exception {
        start(HttpLimits.DEFAULTS);
        Socket s = connect("127.0.0.1");

        AtomicBoolean stop = keepWriting(s, "GET /", "a".repeat(4096), Duration.ZERO);
        int code = status(s);
        stop.set(true);

        assertThat(code).isEqualTo(414);
    }

    @Test
    void aHeadTrickledAByteAtATimeIsCutAtTheHeadDeadlineWith408() throws Exception {
        // the idle timeout (30 s) is far longer than the pause between bytes: only the head deadline can end this
        start(HttpLimits.DEFAULTS.withHeadTimeout(Duration.ofMillis(300)));
        Socket slow = connect("127.0.0.1");

        AtomicBoolean stop = keepWriting(slow, "GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ", "a", Duration.ofMillis(20));
        int code = status(slow);
        stop.set(true);

        assertThat(code).isEqualTo(408);
        assertThat(server.counters()).containsEntry("headTimeouts", 1L);
        assertThat(get("127.0.0.1")).isEqualTo(200);
    }

    @Test
    void anIdleKeepAliveConnectionIsNotCutByTheHeadDeadline() throws Exception {
        start(HttpLimits.DEFAULTS.withHeadTimeout(Duration.ofMillis(100)));
        Socket s = connect("127.0.0.1");
        write(s, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(status(s)).isEqualTo(200);

        Thread.sleep(300); // idle, between requests, longer than a head may take: the deadline starts with a request's first byte
        write(s, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        String rest = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);

        assertThat(rest).contains("HTTP/1.1 200");
    }

    @Test
    void aSourceOverItsConnectionLimitIs503WhileAnotherIsServed() throws Exception {
        start(HttpLimits.DEFAULTS.withConnections(3, 2));
        // connections in the middle of a request head hold their slots (an idle one would be closed to make room)
        Socket busy1 = connect("127.0.0.1");
        Socket busy2 = connect("127.0.0.1");
        write(busy1, "GET / HTTP/1.1\r\nHost: x\r\n");
        write(busy2, "GET / HTTP/1.1\r\nHost: x\r\n");
        awaitHeadsInProgress(2);
        awaitAccepted(2, 0);

        Socket third = connect("127.0.0.1");
        write(third, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        String refused = new String(third.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);

        assertThat(refused).startsWith("HTTP/1.1 503 ").contains("Retry-After: 1\r\n").contains("Connection: close\r\n");
        Socket other = connect("127.0.0.2");
        write(other, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(status(other)).as("another source is served").isEqualTo(200);
        write(other, "GET / HTTP/1.1\r\nHost: x\r\n"); // and keeps its slot, mid-head
        awaitHeadsInProgress(3); // not idle between its two requests any more: it cannot be evicted
        awaitAccepted(3, 0);
        assertThat(get("127.0.0.3")).as("the server's own limit").isEqualTo(503);
        assertThat(server.counters()).containsEntry("refusedBusy", 2L).containsEntry("idleEvicted", 0L);

        busy1.close();
        int code = 503;
        for (int i = 0; i < 200 && code == 503; i++) { // the slot frees once the server sees the close
            try {
                code = get("127.0.0.3");
            } catch (IOException closedUnanswered) {
                // still busy, and already answering as many refusals as it may: it just closed
            }
        }
        assertThat(code).as("a slot freed by a close is taken again").isEqualTo(200);
    }

    @Test
    void anIdleKeepAliveConnectionMakesRoomForANewOneFromItsSource() throws Exception {
        start(HttpLimits.DEFAULTS.withConnections(3, 2));
        Socket idle1 = connect("127.0.0.1");
        Socket idle2 = connect("127.0.0.1");
        write(idle1, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        write(idle2, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(status(idle1)).isEqualTo(200);
        assertThat(status(idle2)).isEqualTo(200);
        awaitAccepted(2, 2);

        assertThat(get("127.0.0.1")).as("over the source's limit, but two of its connections sat idle").isEqualTo(200);
        assertThat(server.counters()).containsEntry("idleEvicted", 1L).containsEntry("refusedBusy", 0L);
    }

    @Test
    void aClientThatNeverReadsItsResponseIsClosedOnceTheWriteStalls() throws Exception {
        start(new HttpLimits(8192, 100, 65536, Duration.ofSeconds(10), Duration.ofMillis(300), 4, 4));
        Socket reader = connect("127.0.0.1");
        reader.setReceiveBufferSize(4096);

        write(reader, "GET /endless HTTP/1.1\r\nHost: x\r\n\r\n"); // 1 GiB answer, never read
        for (int i = 0; i < 2000 && server.counters().get("writeStalls") == 0; i++) {
            Thread.sleep(10);
        }

        assertThat(server.counters()).containsEntry("writeStalls", 1L);
        assertThat(get("127.0.0.1")).isEqualTo(200);
    }

    @Test
    void theLimitsComeFromTheApplianceConfigWithDefaultsThatAgree() {
        assertThat(HttpLimits.of(ApplianceConfig.HttpLimits.DEFAULTS)).isEqualTo(HttpLimits.DEFAULTS);
        ApplianceConfig c = ConfigReader.read(TomlDocument.parse(BASE + """
                [admin]
                max_connections = 8
                max_connections_per_source = 4
                max_line = 4096
                max_headers = 50
                max_head = 32768
                head_timeout_ms = 2500
                idle_timeout_ms = 5000
                hosts = "jns.lan, Probe-7"
                [www]
                root = "/"
                head_timeout_ms = 1000
                """));

        assertThat(HttpLimits.of(c.admin().http()))
                .isEqualTo(new HttpLimits(4096, 50, 32768, Duration.ofMillis(2500), Duration.ofMillis(5000), 8, 4));
        assertThat(c.admin().hosts()).containsExactly("jns.lan", "probe-7");
        assertThat(HttpLimits.of(c.www().http())).isEqualTo(HttpLimits.DEFAULTS.withHeadTimeout(Duration.ofSeconds(1)));

        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigReader.read(TomlDocument.parse(BASE + """
                [admin]
                max_connections = 4
                max_connections_per_source = 8
                max_line = 10
                hosts = "ok.lan, bad name"
                """)));
        assertThat(e.getMessage())
                .contains("[admin] max_connections_per_source = 8 (line 7): expected at most max_connections (4)")
                .contains("[admin] max_line = 10 (line 8): expected a whole number 256-1048576")
                .contains("\"bad name\" is not one");
    }
}
